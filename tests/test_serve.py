"""The live preview (``python build.py serve``), run as a person runs it: a subprocess on a free port.

Over plain HTTP: pages come with the reload script, nothing outside the output
folder (``..``, a link out), no directory listing, no foreign ``Host``. In a
real browser (the ``browser`` fixture of ``conftest.py``, which skips without
Chromium unless ``PRESS_REQUIRE_BROWSER=1``): an edit reloads the open page,
a broken file shows its errors over the page, and fixing it brings it back.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from press.cli import main
from tests.test_web import with_web

REPO = Path(__file__).resolve().parent.parent
PAGE = "/web/web-en/alpha.html"


@dataclass
class Preview:
    root: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """``path`` sent as it is (no normalising of ``..``), with this ``Host`` header."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_host=True)
            connection.putheader("Host", f"127.0.0.1:{self.port}" if host is None else host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


@pytest.fixture
def preview(project, tmp_path: Path) -> Iterator[Preview]:
    root = with_web(project("bilingual"))
    log = tmp_path / "serve.log"
    command = [sys.executable, str(REPO / "build.py"), "--root", str(root), "serve", "--port", "0", "-e", "web-en"]
    with log.open("wb") as out:
        # As a terminal starts it: a suite run in the background (`cmd &`) would pass SIGINT on ignored,
        # and Python then installs no Ctrl-C handler, so the preview could not be stopped by one.
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"},
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"preview: http://127\.0\.0\.1:(\d+)/", log.read_text())):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no preview address after 60 s:\n{log.read_text()}"
            time.sleep(0.1)
        yield Preview(root, int(found.group(1)), process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"the preview did not stop on Ctrl-C:\n{log.read_text()}")
        assert process.returncode == 0, log.read_text()


def test_the_preview_serves_pages_with_its_reload_script(preview):
    status, headers, page = preview.get(PAGE)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b'<script id="press-preview">' in page and b"/__press/events" in page
    assert page.index(b"press-preview") < page.rindex(b"</body>")
    on_disk = (preview.root / "output" / PAGE.lstrip("/")).read_bytes()
    assert b"press-preview" not in on_disk  # added in the answer only
    status, headers, _ = preview.get("/")
    assert status == 302 and headers["location"] == "/web/web-en/"
    status, _, index = preview.get("/web/web-en/")
    assert status == 200 and b"press-preview" in index


def test_the_preview_serves_only_files_inside_its_output(preview):
    output = preview.root / "output"
    (output / "leak.html").symlink_to(preview.root / "content" / "guide.yaml")
    (output / "up").symlink_to(preview.root)
    for path in ("/../content/guide.yaml", "/web/../../content/guide.yaml", "/web/%2e%2e/%2e%2e/content/guide.yaml",
                 "/leak.html", "/up/content/guide.yaml", "/web", "/web/", "/web/web-en", "/.cache/",
                 "/web/web-en/missing.html"):  # fmt: skip
        status, _, body = preview.get(path)
        assert status == 404, path
        assert b"guide" not in body and b"<a href" not in body, path  # no file, no listing


def test_the_preview_refuses_other_host_names(preview):
    assert preview.get(PAGE, host=f"localhost:{preview.port}")[0] == 200
    for host in (f"evil.example:{preview.port}", "127.0.0.1", f"127.0.0.1:{preview.port + 1}", ""):
        assert preview.get(PAGE, host=host)[0] == 403, host


def test_the_preview_listens_on_loopback_only_unless_asked(project, capsys):
    root = with_web(project("bilingual"))
    assert main(["--root", str(root), "serve", "--host", "0.0.0.0", "--port", "0"]) == 1
    assert "--allow-remote" in capsys.readouterr().err
    assert not (root / "output").exists()  # refused before building


def test_a_saved_change_reloads_the_page_and_a_broken_one_shows_its_errors(preview, browser):
    chapter = preview.root / "content" / "en" / "practices" / "01-alpha.md"
    good = chapter.read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{preview.port}{PAGE}")
        assert page.get_by_text("A test practice.").is_visible()

        chapter.write_text(good.replace("A test practice.", "A sentence saved just now."), encoding="utf-8")
        page.get_by_text("A sentence saved just now.").wait_for(timeout=20_000)

        broken = good.replace("::: challenges", "::: <b>unknown</b>-part")  # the error quotes content: escaped
        chapter.write_text(broken, encoding="utf-8")
        overlay = page.locator("#press-errors")
        overlay.wait_for(timeout=20_000)
        text = overlay.inner_text()
        assert "content/en/practices/01-alpha.md:28: raw HTML is not allowed: '<b>' (use Markdown instead)" in text
        assert overlay.locator("b").count() == 0  # shown as text, not made markup

        chapter.write_text(good, encoding="utf-8")
        page.get_by_text("A test practice.").wait_for(timeout=20_000)
        assert page.locator("#press-errors").count() == 0
    finally:
        page.close()
    assert "error: content/en/practices/01-alpha.md:" in preview.log.read_text()  # the terminal says it too
