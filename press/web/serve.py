"""The live preview (``python build.py serve``): build, serve ``output/`` on loopback, rebuild on save.

A watcher (watchfiles) sees changes in ``content/``, ``templates/``, ``styles/`` and
``locales/`` and wakes one long-lived builder thread, which runs the build the
command line gives it (the fast-rebuild cache makes it cheap); changes that arrive
during a build give exactly one more. HTML pages are served with a small script
(added in memory, never written to disk) that listens to ``/__press/events``
(server-sent events): after a good build the page reloads; after a failed one it
shows the problems in an overlay, while the last good files stay served.

The server gives only regular files inside the output folder (no listing, no
``..``, no link out, no dot file such as a build's temporaries), and refuses a
request whose ``Host`` is not the address it listens on (DNS rebinding).
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import mimetypes
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .. import sandbox
from ..errors import PressError

WATCHED = ("content", "templates", "styles", "locales")
EVENTS = "/__press/events"
KEEPALIVE_S = 10.0  # a comment line this often, so that a closed page frees its thread
MAX_SERVED_BYTES = 512 * 1024 * 1024  # a PDF edition is a few MB

# The page side: reload after a good build; show the problems of a failed one in an overlay.
# Text goes in with textContent only: problems quote content, which must not become markup.
SCRIPT = """<script id="press-preview">(function () {
  var since = %(generation)d, box = null;
  function show(problems) {
    if (!box) {
      box = document.createElement("div");
      box.id = "press-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;" +
        "background:rgba(40,0,0,.94);color:#fff;font:15px/1.5 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("h2");
    title.textContent = "The build failed: the page shows the last good build.";
    box.appendChild(title);
    var list = document.createElement("ul");
    problems.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    box.appendChild(list);
  }
  var source = new EventSource("%(events)s?since=" + since);
  source.addEventListener("reload", function () { source.close(); location.reload(); });
  source.addEventListener("failed", function (event) { show(JSON.parse(event.data).problems); });
})();</script>
"""


@dataclass
class State:
    """What the builder tells the pages: a generation number per finished build, and its problems."""

    generation: int = 0
    problems: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def finished(self, problems: list[str]) -> None:
        with self.changed:
            self.generation += 1
            self.problems = problems
            self.changed.notify_all()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    root: Path,
    output: Path,
    site: str,
    build: Callable[[], object],
    port: int = 8000,
    host: str = "127.0.0.1",
    allow_remote: bool = False,
) -> int:
    """Build with ``build`` (raises ``PressError`` on failure), serve ``output`` (``/`` leads to
    ``site``, e.g. ``web/web-en/``) and rebuild on every change until Ctrl-C."""
    if not is_loopback(host) and not allow_remote:
        raise PressError(f"--host {host} is not a loopback address: anyone on that network could read the preview "
                         "(add --allow-remote if that is what you want)")  # fmt: skip
    output.mkdir(parents=True, exist_ok=True)
    state = State()
    _build_once(root, build, state)  # before serving: the pages are there when the URL is printed
    wake, stop = threading.Event(), threading.Event()
    builder = threading.Thread(target=_builder, args=(root, build, state, wake, stop), name="press-build", daemon=True)
    builder.start()
    server = _server(host, port, _handler(output.resolve(), site, state, stop, allow_remote))
    port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"preview: http://{shown}:{port}/{site}  (Ctrl-C stops)", flush=True)
    watcher = threading.Thread(target=_watch, args=(root, wake, stop), name="press-watch", daemon=True)
    watcher.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nstopping the preview…", flush=True)
    finally:
        stop.set()
        wake.set()
        with state.changed:
            state.changed.notify_all()  # the event streams end
        server.server_close()
        watcher.join(timeout=5)
        if builder.is_alive():
            print("waiting for the current build to finish (Ctrl-C again to leave at once)…", flush=True)
            builder.join()
    return 0


def _builder(root: Path, build: Callable[[], object], state: State, wake: threading.Event,
             stop: threading.Event) -> None:  # fmt: skip
    """One build at a time, in this one thread (its worker processes die with the thread that
    started them: see ``build/outputs.py``)."""
    while True:
        wake.wait()
        if stop.is_set():
            return
        wake.clear()  # a change from now on asks for one more build
        _build_once(root, build, state)
        if stop.is_set():
            return


def _build_once(root: Path, build: Callable[[], object], state: State) -> None:
    try:
        build()
    except PressError as error:  # printed as the command line prints them; the page gets the same lines
        problems = [problem.format(root) for problem in error.problems]
        for text in problems:
            print(f"error: {text}", flush=True)
        print(f"{len(problems)} problem(s): the preview keeps the last good build; fix and save", flush=True)
        state.finished(problems)
    except Exception as error:  # a bug: say so in the page too, and keep serving
        problem = f"unexpected {type(error).__name__}: {error} (run with --debug for the traceback)"
        print(f"error: {problem}", flush=True)
        state.finished([problem])
    else:
        state.finished([])


def _watch(root: Path, wake: threading.Event, stop: threading.Event) -> None:
    from watchfiles import watch

    folders = [root / name for name in WATCHED if (root / name).is_dir()]
    for changes in watch(*folders, stop_event=stop, debounce=400, step=50, yield_on_timeout=False):
        names = sorted({os.path.relpath(path, root) for _, path in changes})
        print(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}", flush=True)
        wake.set()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # open event streams do not hold up Ctrl-C


def _server(host: str, port: int, handler: type[http.server.BaseHTTPRequestHandler]) -> _Server:
    if ":" in host:
        _Server.address_family = socket.AF_INET6
    try:
        return _Server((host, port), handler)
    except OSError as error:
        raise PressError(
            f"cannot listen on {host}:{port}: {error.strerror}",
        ) from None


def _handler(output: Path, site: str, state: State, stop: threading.Event,
             allow_remote: bool) -> type[http.server.BaseHTTPRequestHandler]:  # fmt: skip
    class Handler(_Preview):
        pass

    Handler.output, Handler.site, Handler.state, Handler.stop = output, site, state, stop
    Handler.allow_remote = allow_remote
    return Handler


class _Preview(http.server.BaseHTTPRequestHandler):
    output: Path
    site: str
    state: State
    stop: threading.Event
    allow_remote: bool
    server_version = "press-preview"

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the build's output is what the terminal shows

    def _answer(self, body: bool) -> None:
        if not self._host_allowed():
            return self._fail(403, "this preview answers only to its own address")
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path == EVENTS:
            return self._events(parse_qs(url.query).get("since", ["0"])[0])
        if path == "/":
            self.send_response(302)
            self.send_header("Location", "/" + self.site)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        data = self._read(path)
        if data is None:
            return self._fail(404, "not found")
        kind = mimetypes.guess_type(path if not path.endswith("/") else "index.html")[0] or "application/octet-stream"
        if kind == "text/html":
            data = _inject(data, self.state.generation)
            kind += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _host_allowed(self) -> bool:
        host = self.headers.get("Host", "")
        listening, port = str(self.server.server_address[0]), int(self.server.server_address[1])  # type: ignore[index]
        allowed = {f"127.0.0.1:{port}", f"localhost:{port}", f"[{listening}]:{port}", f"{listening}:{port}"}
        if self.allow_remote and ipaddress.ip_address(listening).is_unspecified:
            return True  # --allow-remote on every interface: any name of this machine (documented)
        return host.lower() in allowed

    def _read(self, path: str) -> bytes | None:
        """A regular file inside the output folder, or None (never a directory, a link out, a dot file)."""
        if "\\" in path or "\0" in path:
            return None
        parts = [part for part in path.split("/") if part]
        if any(part.startswith(".") for part in parts):  # .., temporaries, hidden files
            return None
        if path.endswith("/"):
            parts.append("index.html")  # a page of the site, not a listing
        try:
            with sandbox.open_regular(self.output, self.output.joinpath(*parts), MAX_SERVED_BYTES) as handle:
                return handle.read()
        except (PressError, OSError):
            return None

    def _fail(self, status: int, message: str) -> None:
        data = f"{status} {message}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _events(self, since: str) -> None:
        """Server-sent events: ``reload`` after a good build, ``failed`` with the problems of a bad one."""
        state = self.state
        seen = int(since) if since.isdigit() else 0
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            with state.changed:  # a page loaded while the build was broken shows the problems at once
                failed = list(state.problems)
            if failed and state.generation <= seen:
                self._send("failed", failed)
            while not self.stop.is_set():
                with state.changed:
                    state.changed.wait_for(partial(_newer, state, seen, self.stop), KEEPALIVE_S)
                    generation, problems = state.generation, list(state.problems)
                if self.stop.is_set():
                    return
                if generation > seen:
                    seen = generation
                    if problems:
                        self._send("failed", problems)
                    else:
                        self._send("reload", [])
                else:
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def _send(self, event: str, problems: list[str]) -> None:
        data = json.dumps({"problems": problems, "time": time.time()})
        self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
        self.wfile.flush()


def _newer(state: State, seen: int, stop: threading.Event) -> bool:
    return state.generation > seen or stop.is_set()


def _inject(page: bytes, generation: int) -> bytes:
    script = (SCRIPT % {"generation": generation, "events": EVENTS}).encode()
    end = page.rfind(b"</body>")
    return page[:end] + script + page[end:] if end >= 0 else page + script
