#!/usr/bin/env python3
"""Benchmark report of the build: cold, no-op and incremental builds against plain WeasyPrint.

It measures and prints; it asserts nothing. Two sections, each in its own
throw-away copy of the project (content/, templates/, styles/, locales/,
pyproject.toml, build.py and press/, copied into a temporary folder), so no
edit ever touches the real project:

* the guide: one edition (``guide-es``, or ``--edition NAME``), built with
  ``python build.py -e NAME``;
* the matrix: every edition of content/editions.yaml (``--skip-matrix`` leaves it out);
* a long book: the same edition with the guide's practices given again under new ids,
  in every language, until the book has about ``--long-pages`` pages (350 by
  default; 0 leaves it out), one run per scenario: what a book of that length
  costs, and whether the peak per worker stays under its target at any length.

Scenarios, in this order, each timed as a whole ``python build.py --root COPY
--jobs N`` subprocess (interpreter start included):

1. plain WeasyPrint, the baseline: each edition's HTML is made by the
   project's own code (``build_html``) in an untimed subprocess and written
   into the copy; then a fresh process that does not import press renders it
   with ``weasyprint.HTML(...).write_pdf`` and the project's stylesheets
   (styles/fonts.css, tokens.css, page.css, typography.css, components.css,
   the profile's screen.css or print.css, and the edition's generated
   paper/bleed/accent stylesheet), PDF/UA-1 with tags for screen editions,
   PDF/X-4 for print editions. The matrix baseline is the sum over editions;
   an edition already measured in the guide section is not measured again;
2. first build on a machine: .cache/ and output/ removed entirely (in the
   first section only: the matrix starts from the fonts the guide section
   prepared, copied into its .cache/fonts, since a machine prepares them once);
3. cold: output/ and everything in .cache/ but .cache/fonts (the one-time
   font preparation) removed. When a build leaves no .cache/fonts, cold and
   first build are the same thing and are reported as one row;
4. no-op: the build run again with nothing changed;
5. one sentence: a short sentence appended to the first paragraph of the
   body of practice 05 (content/es/practices/05-acceso-salud-argentina.md;
   for an edition in another language, the same practice in that language);
6. one word in a template catalog: the msgstr of msgid "Key lesson" in
   locales/<lang>/LC_MESSAGES/messages.po;
7. one colour token: the value of --secondary in styles/tokens.css.

An edit scenario starts from a completed build; each repetition applies a
different variant of the edit (a different sentence, word or colour), so each
one is a real change from the state before it, never a state a cache has
already seen; then the file is restored and the build run once more, untimed,
so the next scenario starts from a settled state (after the last, nothing).

For each scenario: wall time (median of N runs: 3, or 1 with --quick; the
no-op 5, or 3 with --quick; in the matrix section, whose builds are seven
times as long, ``--matrix-runs``, 1 by default, and the no-op 3, so that the
report stays well under 10 minutes), CPU time (user + sys of the build process and
all its descendants), pages (of the PDFs in output/) per second, peak memory
(max RSS of the largest process of the build, and of its largest child, i.e.
worker, process) and the ratio of the wall time to the baseline, with the
project's targets beside it: no-op < 1 s; one sentence <= 0.15 x cold; cold
one edition <= 0.6 x plain; cold matrix <= 0.4 x the sum of plain renders;
peak per worker < 400 MB. Every run is measured through a small wrapper
process that starts the build as its own child, becomes the subreaper of the
build's process tree (so helpers such as a forkserver are counted too), reads
the CPU time and max RSS of the whole tree from getrusage(RUSAGE_CHILDREN)
and samples each descendant's VmHWM in /proc for the per-worker peak.

Run (about 4–5 minutes with the defaults on the 2-core reference machine, 2
for the guide section alone; other work on the machine slows every number, so
the report prints the load average)::

    .venv/bin/python benchmarks/bench.py [--quick] [--jobs N] [--edition NAME]
                                         [--skip-matrix] [--matrix-runs N] [--long-pages N]
                                         [--json FILE]
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COPIED_DIRS = ("content", "templates", "styles", "locales", "press")
COPIED_FILES = ("pyproject.toml", "build.py")
IGNORED = shutil.ignore_patterns("__pycache__", "output", ".cache", ".venv")
LAYERS = ("fonts.css", "tokens.css", "page.css", "typography.css", "components.css")
PRACTICE = Path("content/es/practices/05-acceso-salud-argentina.md")
TOKENS = Path("styles/tokens.css")
MSGID = "Key lesson"
RUN_TIMEOUT = 900  # seconds; a build that takes longer is reported as broken
TARGETS = {
    "noop_s": 1.0,  # no-op rebuild: wall time below this
    "sentence_x_cold": 0.15,  # one sentence changed: at most this fraction of the cold build
    "cold_guide_x_plain": 0.6,  # cold build of one edition: at most this fraction of plain WeasyPrint
    "cold_matrix_x_plain": 0.4,  # cold build of the matrix: at most this fraction of the sum of plain renders
    "worker_mb": 400.0,  # peak RSS of any worker (or of the build process, when it runs no workers)
}

# Runs a command as its own child and prints, as JSON, the wall time of that
# child, the CPU time and max RSS of its whole process tree (RUSAGE_CHILDREN of
# this fresh process), and the peak RSS (VmHWM) of each descendant, sampled.
WRAPPER = r"""
import ctypes, json, os, resource, subprocess, sys, threading, time

log, command = sys.argv[1], sys.argv[2:]
python = os.path.realpath(sys.executable)
try:  # orphaned helpers of the build (forkserver, resource tracker) are re-parented here, then reaped and counted
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
except Exception:
    pass


def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as stream:
                found += [int(p) for p in stream.read().split()]
    except OSError:
        pass
    return found


def worker(pid):  # a Python process of the build, not a helper (git, ldconfig, the resource tracker)
    try:
        if os.path.realpath(f"/proc/{pid}/exe") != python:
            return False
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            command = stream.read()
    except OSError:
        return False
    return b"resource_tracker" not in command and b"multiprocessing.forkserver" not in command


def hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


with open(log, "wb") as output:
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    ended = {}

    def wait():
        _, status = os.waitpid(child.pid, 0)
        ended["wall"] = time.perf_counter() - started
        ended["status"] = os.waitstatus_to_exitcode(status)

    waiter = threading.Thread(target=wait)
    waiter.start()
    main_kb, peaks, workers, looks = 0, {}, {}, {}
    while waiter.is_alive():
        main_kb = max(main_kb, hwm_kb(child.pid))
        stack = children(child.pid)
        while stack:
            pid = stack.pop()
            kb = hwm_kb(pid)
            if kb:  # a process that has not exited (a zombie has no memory left)
                peaks[pid] = max(peaks.get(pid, 0), kb)
                workers[pid] = worker(pid)  # the latest look: a fork that execs a helper becomes a helper
                looks[pid] = looks.get(pid, 0) + workers[pid]
            stack += children(pid)
        waiter.join(0.04)
    child.returncode = ended["status"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # reap what the build left behind, so its usage is counted
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.02)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
# a worker was seen as Python at least twice: a fork caught once before it ran a helper is not one
python_kb = [kb for pid, kb in peaks.items() if workers[pid] and looks[pid] >= 2]
helper_kb = [kb for pid, kb in peaks.items() if not (workers[pid] and looks[pid] >= 2)]
print(json.dumps({
    "wall": ended["wall"], "status": ended["status"], "user": usage.ru_utime, "sys": usage.ru_stime,
    "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "main_mb": main_kb / 1024,
    "child_mb": max(python_kb) / 1024 if python_kb else None, "children": len(python_kb),
    "helper_mb": max(helper_kb) / 1024 if helper_kb else None, "helpers": len(helper_kb),
}))
"""

# Untimed, imports press from the copy: each edition's HTML, written into the
# copy, its generated stylesheet, and what the report needs about it.
INFO = r"""
import json, sys
from pathlib import Path

root, folder, names = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
sys.path.insert(0, str(root))
import press
from press.content.editions import load_editions
from press.content.load import load_guide
from press.render.html import build_html

try:
    from press.pdf.pagesetup import edition_css
except ImportError:
    edition_css = None
guide = load_guide(root)
editions = load_editions(guide)
unknown = [name for name in names if name not in editions]
if unknown:
    sys.exit(f"unknown edition(s): {', '.join(unknown)} (known: {', '.join(editions)})")
folder.mkdir(parents=True, exist_ok=True)
info = {"press": press.__file__, "all": list(editions), "editions": {}}
for name in names or list(editions):
    edition = editions[name]
    html = folder / f"{name}.html"
    html.write_text(build_html(guide, edition), encoding="utf-8")
    css = None
    if edition_css is not None:
        css = folder / f"{name}.edition.css"
        css.write_text(edition_css(edition), encoding="utf-8")
    info["editions"][name] = {
        "lang": edition.lang, "profile": edition.profile, "pdf_variant": edition.pdf_variant,
        "paper": edition.paper, "chapters": list(edition.chapters), "html": str(html),
        "edition_css": str(css) if css else None,
    }
print(json.dumps(info))
"""

# Timed: plain WeasyPrint, no press. Prints its own import and render times.
BASELINE = r"""
import json, sys, time

started = time.perf_counter()
spec = json.loads(open(sys.argv[1], encoding="utf-8").read())
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

imported = time.perf_counter()
fonts, profiles = FontConfiguration(), {}
common = {"font_config": fonts, "color_profiles": profiles}
sheets = [CSS(filename=name, **common) for name in spec["stylesheets"]]
if spec["edition_css"]:
    sheets.append(CSS(filename=spec["edition_css"], base_url=spec["styles"], **common))
HTML(filename=spec["html"], base_url=spec["root"]).write_pdf(
    spec["target"], stylesheets=sheets, font_config=fonts, color_profiles=profiles, **spec["options"]
)
print(json.dumps({"import_s": imported - started, "render_s": time.perf_counter() - imported}))
"""


# --------------------------------------------------------------------------- measuring


def runs(args: argparse.Namespace, matrix: bool) -> tuple[int, int]:
    """Runs per scenario and of the no-op in a section: the matrix's builds are long, so it runs
    ``--matrix-runs`` times (the no-op 3 when that is fewer than 3)."""
    if args.quick:
        return 1, 3
    reps = args.matrix_runs if matrix else 3
    return reps, 3 if reps < 3 else 5


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.reps, self.noop_reps = runs(args, matrix=False)  # of the section being measured
        self.fonts: Path | None = None  # .cache/fonts of the first section: prepared once per machine
        self.logs = 0
        self.plain: dict[str, dict[str, Any]] = {}  # edition → baseline row, shared by the sections

    def wrapped(self, command: list[str], cwd: Path, what: str) -> dict[str, Any]:
        """Run ``command`` in a fresh wrapper process; its measurements, or exit with its log."""
        self.logs += 1
        log = self.work / f"run-{self.logs:03}.log"
        progress = sys.stderr.isatty()
        if progress:  # what is running now, on the terminal only; the line is wiped before results are printed
            sys.stderr.write(f"\r\033[K  … {what}")
            sys.stderr.flush()
        try:
            result = subprocess.run(
                [sys.executable, "-c", WRAPPER, str(log), *command],
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            sys.exit(f"\n{what}: no result after {RUN_TIMEOUT} s")
        finally:
            if progress:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
        if result.returncode != 0 or not result.stdout.strip():
            sys.exit(f"\n{what}: the measuring wrapper failed:\n{result.stderr}")
        run: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        run["log"] = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if run["status"] != 0:
            tail = "\n".join(run["log"].splitlines()[-30:])
            sys.exit(f"\n{what} failed (exit status {run['status']}):\n$ {shlex.join(command)}\n{tail}")
        return run

    def build(self, project: Path, names: list[str] | None, what: str) -> dict[str, Any]:
        command = [sys.executable, str(project / "build.py"), "--root", str(project)]
        command += ["--jobs", str(self.args.jobs), "--output", str(project / "output")]
        if names:
            command += ["-e", *names]
        run = self.wrapped(command, project, what)
        run["pages"] = count_pages(sorted((project / "output").glob("*.pdf")))
        run.pop("log")
        return run

    def baseline(self, project: Path, name: str, edition: dict[str, Any], shared: bool = True) -> dict[str, Any]:
        """Plain WeasyPrint on the edition's HTML, N times, each in a fresh process (``shared``: the
        edition's HTML is the shipped one, which another section may have measured already)."""
        if shared and name in self.plain:
            return self.plain[name]
        styles = project / "styles"
        screen = edition["profile"] != "print"
        options: dict[str, Any] = (
            {"pdf_variant": edition["pdf_variant"] or "pdf/ua-1", "pdf_tags": True}
            if screen
            else {"pdf_variant": edition["pdf_variant"] or "pdf/x-4"}
        )
        target = project / ".bench" / f"{name}.plain.pdf"
        spec = {
            "html": edition["html"],
            "root": f"{project}/",
            "styles": f"{styles}/",
            "target": str(target),
            "stylesheets": [str(styles / layer) for layer in (*LAYERS, f"{edition['profile']}.css")],
            "edition_css": edition["edition_css"],
            "options": options,
        }
        spec_file = project / ".bench" / f"{name}.plain.json"
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        runs = []
        for _ in range(self.reps):
            target.unlink(missing_ok=True)
            run = self.wrapped([sys.executable, "-c", BASELINE, str(spec_file)], project, f"plain WeasyPrint {name}")
            lines = run.pop("log").splitlines()
            run.update(json.loads(lines[-1]))
            run["messages"] = len(lines) - 1  # anything WeasyPrint logged (warnings, errors)
            run["pages"] = count_pages([target])
            runs.append(run)
        measured = row(runs) | {"options": options}
        if shared:
            self.plain[name] = measured
        return measured


def count_pages(paths: list[Path]) -> int:
    try:
        import pikepdf
    except ImportError:
        from pypdf import PdfReader

        return sum(len(PdfReader(path).pages) for path in paths)
    total = 0
    for path in paths:
        with pikepdf.open(path) as pdf:
            total += len(pdf.pages)
    return total


def row(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall and CPU time, the largest peaks, and every run."""
    wall = statistics.median(r["wall"] for r in runs)
    pages = max(r["pages"] for r in runs)
    children = [r["child_mb"] for r in runs if r["child_mb"] is not None]
    return {
        "runs": len(runs),
        "wall_s": wall,
        "wall_min_s": min(r["wall"] for r in runs),
        "wall_max_s": max(r["wall"] for r in runs),
        "cpu_s": statistics.median(r["cpu"] for r in runs),
        "pages": pages,
        "pages_per_s": pages / wall if wall else None,
        "peak_mb": max(r["peak_mb"] for r in runs),
        "child_mb": max(children) if children else None,
        "children": max(r["children"] for r in runs),
        "all": runs,
    }


def worker_peak(measured: dict[str, Any]) -> float:
    """Peak per worker: the largest child process, or the build itself when it ran none."""
    return measured["child_mb"] if measured["child_mb"] is not None else measured["peak_mb"]


# --------------------------------------------------------------------------- the project copy and its edits


def make_copy(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in COPIED_DIRS:
        shutil.copytree(ROOT / name, destination / name, ignore=IGNORED, symlinks=True)
    for name in COPIED_FILES:
        shutil.copy2(ROOT / name, destination / name)
    return destination


def clear(project: Path, keep_fonts: bool) -> list[str]:
    """Remove output/ and .cache/ (all of it, or all but .cache/fonts); what was removed."""
    removed = ["output/"] if (project / "output").exists() else []
    shutil.rmtree(project / "output", ignore_errors=True)
    cache = project / ".cache"
    if not cache.is_dir():
        return removed
    if not keep_fonts:
        shutil.rmtree(cache)
        return [*removed, ".cache/"]
    for entry in sorted(cache.iterdir()):
        if entry.name == "fonts":
            continue
        folder = entry.is_dir() and not entry.is_symlink()
        if folder:
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(f".cache/{entry.name}{'/' if folder else ''}")
    return removed


def cache_listing(project: Path) -> str:
    cache = project / ".cache"
    if not cache.is_dir():
        return "no .cache/"
    parts = []
    for entry in sorted(cache.iterdir()):
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        parts.append(f"{entry.name}{'/' if entry.is_dir() else ''} ({len(files)} files, {size / 1_048_576:.1f} MB)")
    return ".cache/: " + (", ".join(parts) or "empty")


def lengthen(project: Path, pages: int, base_pages: int) -> str:
    """Give the guide's practices again, under new ids, in every language, until the book should
    have about ``pages`` pages: each copy adds the practices' share of the ``base_pages`` of the
    shipped book (measured in the first section). What was done, for the report."""
    guide_yaml = project / "content" / "guide.yaml"
    text = guide_yaml.read_text(encoding="utf-8")
    block = re.search(r"^(  practices:\n)((?:    - [\w-]+\n)+)", text, re.M)
    if block is None:
        sys.exit("content/guide.yaml: no `practices:` list of ids to lengthen")
    ids = re.findall(r"- ([\w-]+)", block[2])
    files: dict[str, list[Path]] = {}  # practice id → its file in each language
    for path in sorted((project / "content").glob("*/practices/*.md")):
        found = front_matter_id(path)
        if found in ids:
            files.setdefault(found, []).append(path)
    share = base_pages * 0.6  # about the practices' share of a guide's pages (66 of the shipped guide's 108)
    copies = max(1, -(-max(0, pages - (base_pages - share)) // share) - 1)  # beyond the shipped ones
    added = []
    for copy in range(2, int(copies) + 2):
        for practice in ids:
            new = f"{practice}-{copy}"
            for path in files.get(practice, []):
                body = path.read_text(encoding="utf-8")
                body = re.sub(r"^id:.*$", f"id: {new}", body, count=1, flags=re.M)
                path.with_name(f"{path.stem}-{copy}.md").write_text(body, encoding="utf-8")
            added.append(new)
    listed = block[2] + "".join(f"    - {new}\n" for new in added)
    guide_yaml.write_text(text[: block.start(2)] + listed + text[block.end(2) :], encoding="utf-8")
    return f"the {len(ids)} practices given {int(copies) + 1} times ({len(ids) + len(added)} practices)"


def front_matter_id(path: Path) -> str | None:
    match = re.search(r"^id:\s*['\"]?([\w.-]+)", path.read_text(encoding="utf-8").split("\n---", 1)[0], re.M)
    return match.group(1) if match else None


def practice_file(project: Path, lang: str, practice_id: str) -> Path:
    """The file of the practice in ``lang`` (the same id as the Spanish one)."""
    if lang == "es":
        return project / PRACTICE
    for path in sorted((project / "content" / lang).rglob("*.md")):
        if front_matter_id(path) == practice_id:
            return path
    sys.exit(f"no file of practice {practice_id!r} in content/{lang}/")


SENTENCES = {
    "es": "Esta es la frase de prueba número {n} de la medición.",
    "en": "This is test sentence number {n} of the measurement.",
}
WORDS = {
    "es": ("Enseñanza", "Aprendizaje", "Conclusión", "Moraleja", "Idea"),
    "en": ("Main", "Core", "Central", "Chief", "Prime"),
}
COLOURS = ("#7a3e9d", "#2e7d32", "#b23a48", "#8a6d1f", "#3949ab", "#00897b")


def append_sentence(text: str, sentence: str) -> str:
    """Append ``sentence`` to the first paragraph of the body, after the YAML front matter."""
    if not text.startswith("---"):
        raise ValueError("no YAML front matter")
    closing = text.index("\n---", 3)
    body_at = text.index("\n", closing + 1) + 1
    lines = text[body_at:].split("\n")
    first = next(
        i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith(("#", ":::", "[^", "<!--"))
    )
    last = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines)) - 1
    lines[last] = f"{lines[last].rstrip()} {sentence}"
    return text[:body_at] + "\n".join(lines)


def change_msgstr(text: str, word: str) -> str:
    """Change the first word of the msgstr of MSGID (a one-line msgstr) to ``word``."""
    pattern = re.compile(rf'^(msgid "{re.escape(MSGID)}"\nmsgstr ")([^"\n]*)(")$', re.M)
    match = pattern.search(text)
    if not match or not match.group(2):
        raise ValueError(f'no one-line, translated msgstr for msgid "{MSGID}"')
    words = match.group(2).split(" ")
    words[0] = word
    return text[: match.start(2)] + " ".join(words) + text[match.end(2) :]


def change_secondary(text: str, colour: str) -> str:
    pattern = re.compile(r"(--secondary\s*:\s*)(#[0-9a-fA-F]{3,8})\b")
    if not pattern.search(text):
        raise ValueError("no hex value of --secondary")
    return pattern.sub(lambda m: m.group(1) + colour, text, count=1)


def variants(values: tuple[str, ...], current: str | None) -> list[str]:
    return [value for value in values if value.lower() != (current or "").lower()]


Edit = tuple[str, str, Path, Callable[[str, int], str]]


def edit_scenarios(project: Path, lang: str, practice_id: str) -> list[Edit]:
    """(key, label, file, edit(original text, repetition) → edited text) for each edit scenario."""
    practice = practice_file(project, lang, practice_id)
    catalog = project / "locales" / lang / "LC_MESSAGES" / "messages.po"
    sentence = SENTENCES.get(lang, SENTENCES["en"])
    current_word = re.search(rf'^msgid "{re.escape(MSGID)}"\nmsgstr "(\S*)', catalog.read_text(encoding="utf-8"), re.M)
    words = variants(WORDS.get(lang, WORDS["en"]), current_word.group(1) if current_word else None)
    current_colour = re.search(r"--secondary\s*:\s*(#[0-9a-fA-F]{3,8})", (project / TOKENS).read_text(encoding="utf-8"))
    colours = variants(COLOURS, current_colour.group(1) if current_colour else None)

    def one_sentence(text: str, n: int) -> str:
        return append_sentence(text, sentence.format(n=n + 1))

    def one_word(text: str, n: int) -> str:
        return change_msgstr(text, words[n % len(words)])

    def one_colour(text: str, n: int) -> str:
        return change_secondary(text, colours[n % len(colours)])

    return [
        ("sentence", "one sentence (practice 05)", practice, one_sentence),
        ("word", f'one word (msgid "{MSGID}")', catalog, one_word),
        ("colour", "one colour token (--secondary)", project / TOKENS, one_colour),
    ]


# --------------------------------------------------------------------------- the report

HEAD = (
    f"  {'scenario':32} {'runs':>4} {'wall s':>7} {'cpu s':>7} {'pages':>5} {'pages/s':>7} "
    f"{'peak MB':>7} {'child MB':>9} {'×plain':>7}  target"
)


def line(label: str, measured: dict[str, Any], plain_s: float | None, target: str = "") -> str:
    child = "–" if measured["child_mb"] is None else f"{measured['children']}×{measured['child_mb']:.0f}"
    ratio = f"{measured['wall_s'] / plain_s:.2f}" if plain_s else "–"
    rate = f"{measured['pages_per_s']:.1f}" if measured["pages_per_s"] else "–"
    text = (
        f"  {label:32} {measured['runs']:>4} {measured['wall_s']:>7.2f} {measured['cpu_s']:>7.1f} "
        f"{measured['pages']:>5} {rate:>7} {measured['peak_mb']:>7.0f} {child:>9} {ratio:>7}  {target}"
    )
    return text.rstrip()


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def target(name: str, value: float, limit: float, unit: str, below: bool = False) -> dict[str, Any]:
    """A target of the issue, measured: at most ``limit`` (less than ``limit`` when ``below``)."""
    digits = 0 if unit == " MB" else 2
    text = f"{value:.{digits}f}{unit}, {'<' if below else '≤'} {limit:g}{unit}"
    met = value < limit if below else value <= limit
    return {"name": name, "value": value, "limit": limit, "text": text, "met": met}


def section(
    bench: Bench,
    title: str,
    key: str,
    names: list[str] | None,
    report: dict[str, Any],
    reshape: Callable[[Path], str] | None = None,
) -> None:
    """Measure every scenario for the editions ``names`` (None: the whole matrix) in a fresh copy
    (``reshape``: changes the copy's content first, and says how)."""
    started = time.perf_counter()
    project = make_copy(bench.work / key / "project")
    reshaped = reshape(project) if reshape else ""
    command = [sys.executable, "-c", INFO, str(project), str(project / ".bench"), *(names or [])]
    made = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    if made.returncode != 0:
        sys.exit(f"could not make the HTML of {names or 'the editions'}:\n{made.stderr}")
    info = json.loads(made.stdout.strip().splitlines()[-1])
    editions: dict[str, dict[str, Any]] = info["editions"]
    practice_id = front_matter_id(project / PRACTICE) or "?"
    lang = editions[names[0]]["lang"] if names else "es"
    edits = edit_scenarios(project, lang, practice_id)
    with_practice = [name for name, e in editions.items() if practice_id in e["chapters"]]
    in_lang = [name for name, e in editions.items() if e["lang"] == lang]
    out: dict[str, Any] = {"editions": editions, "copy": str(project), "scenarios": {}}
    report[key] = out
    scenarios = out["scenarios"]

    print()
    described = ", ".join(f"{n} ({e['lang']}, {e['profile']}, {e['paper']})" for n, e in editions.items())
    print(f"{title}: {described}")
    print(f"  copy of the project in {project} (press imported from {Path(info['press']).parent})")
    if reshaped:
        print(f"  content: {reshaped}")
    print(f"  edits: sentence: {edits[0][2].relative_to(project)} (practice {practice_id}, "
          f"in {len(with_practice)} of {len(editions)} edition(s))")  # fmt: skip
    print(f"         word: {edits[1][2].relative_to(project)} ({len(in_lang)} of {len(editions)} "
          f"edition(s) in '{lang}')")  # fmt: skip
    print(f"         colour: {TOKENS} (--secondary)")
    print()
    print(HEAD)

    # 1. the baseline
    known = set(bench.plain)
    # A web edition is no WeasyPrint render: the baseline is the PDF editions' (its build, a fraction
    # of a second, stays in the press's times).
    plains = {name: bench.baseline(project, name, edition, shared=reshape is None) for name, edition in editions.items()
              if edition["profile"] != "web"}  # fmt: skip
    if len(plains) == 1:
        plain = next(iter(plains.values()))
        print(line("plain WeasyPrint (baseline)", plain, plain["wall_s"]), flush=True)
    else:
        for name, measured in plains.items():
            print(line(f"  plain {name}{' (as above)' if name in known else ''}", measured, None), flush=True)
        plain = {
            "runs": min(m["runs"] for m in plains.values()),
            "wall_s": sum(m["wall_s"] for m in plains.values()),
            "cpu_s": sum(m["cpu_s"] for m in plains.values()),
            "pages": sum(m["pages"] for m in plains.values()),
            "peak_mb": max(m["peak_mb"] for m in plains.values()),
            "child_mb": None,
            "children": 0,
        }
        plain["pages_per_s"] = plain["pages"] / plain["wall_s"]
        print(line(f"plain WeasyPrint, sum of {len(plains)}", plain, plain["wall_s"]), flush=True)
    scenarios["plain"] = plain | {"editions": plains}
    plain_s = plain["wall_s"]
    messages = sum(r["messages"] for m in plains.values() for r in m["all"])

    # 2. and 3. first and cold builds; the first build prepares the fonts, once per machine: a section
    # after the first takes the fonts the first one prepared, and measures cold builds only
    clear(project, keep_fonts=False)
    first_run = None
    if bench.fonts is None:
        first_run = bench.build(project, names, f"{title}: first build")
        if (project / ".cache" / "fonts").is_dir():
            bench.fonts = project / ".cache" / "fonts"
    else:
        shutil.copytree(bench.fonts, project / ".cache" / "fonts")
    fonts = (project / ".cache" / "fonts").is_dir()
    cache_after = cache_listing(project) if first_run else ""
    cold_target = TARGETS["cold_matrix_x_plain" if names is None else "cold_guide_x_plain"]

    def cold_text(measured: dict[str, Any]) -> str:
        return f"≤ {cold_target:.2f}× plain: {verdict(measured['wall_s'] / plain_s <= cold_target)}"

    removed: set[str] = set()  # what the cold runs removed
    if fonts:
        if first_run is not None:
            first = row([first_run])
            print(line("first build (.cache/ removed)", first, plain_s), flush=True)
            scenarios["first"] = first
        runs = []
        for n in range(bench.reps):
            removed.update(clear(project, keep_fonts=True))
            runs.append(bench.build(project, names, f"{title}: cold build {n + 1}"))
        cold = row(runs)
        print(line("cold (.cache/fonts kept)", cold, plain_s, cold_text(cold)), flush=True)
    else:
        assert first_run is not None  # fonts are carried over only when the first section made them
        runs = [first_run]
        for n in range(1, bench.reps):
            removed.update(clear(project, keep_fonts=False))
            runs.append(bench.build(project, names, f"{title}: cold build {n + 1}"))
        cold = row(runs)
        print(line("cold = first (no .cache/fonts)", cold, plain_s, cold_text(cold)), flush=True)
    scenarios["cold"] = cold | {"fonts_cache": fonts, "removed": sorted(removed), "cache_after_first": cache_after}

    # 4. no-op
    runs = [bench.build(project, names, f"{title}: no-op {n + 1}") for n in range(bench.noop_reps)]
    noop = row(runs)
    noop_met = noop["wall_s"] < TARGETS["noop_s"]
    print(line("no-op rebuild", noop, plain_s, f"< {TARGETS['noop_s']:.0f} s: {verdict(noop_met)}"), flush=True)
    scenarios["noop"] = noop

    # 5. to 7. edits, each from a settled build, restored and rebuilt afterwards (but the last)
    for number, (edit_key, label, path, edit) in enumerate(edits, 1):
        original = path.read_text(encoding="utf-8")
        runs = []
        try:
            for n in range(bench.reps):
                path.write_text(edit(original, n), encoding="utf-8")
                runs.append(bench.build(project, names, f"{title}: {label}, run {n + 1}"))
        finally:
            path.write_text(original, encoding="utf-8")
        settle = None
        if number < len(edits):
            settle = bench.build(project, names, f"{title}: rebuild after restoring {path.relative_to(project)}")
        measured = row(runs)
        shown = ""
        if edit_key == "sentence":
            ratio = measured["wall_s"] / cold["wall_s"]
            limit = TARGETS["sentence_x_cold"]
            shown = f"≤ {limit:.2f}× cold: {ratio:.2f}× cold, {verdict(ratio <= limit)}"
        print(line(label, measured, plain_s, shown), flush=True)
        scenarios[edit_key] = measured | {"file": str(path.relative_to(project)), "restore_rebuild": settle}

    builds = [scenarios[k] for k in ("first", "cold", "noop", "sentence", "word", "colour") if k in scenarios]
    worst = max(builds, key=worker_peak)
    peak = worker_peak(worst)
    whose = "its largest child process" if worst["child_mb"] is not None else "the build, which ran no child process"
    print()
    print(f"  peak per worker: {peak:.0f} MB, {whose} (< {TARGETS['worker_mb']:.0f} MB: "
          f"{verdict(peak < TARGETS['worker_mb'])})")  # fmt: skip
    if cache_after:
        print(f"  after the first build: {cache_after}")
    else:
        print("  fonts: .cache/fonts of the first section, copied (the first build prepares them once per machine)")
    if fonts:
        what = ", ".join(sorted(removed)) or "nothing (each started from .cache/fonts/ alone)"
        print(f"  cold runs removed {what} and kept .cache/fonts/")
    if messages:
        print(f"  note: plain WeasyPrint logged {messages} message(s) (see the JSON, or run it by hand)")
    elapsed = time.perf_counter() - started
    print(f"  {title}: {elapsed:.0f} s; load average now: {load()}")
    cold_x = cold["wall_s"] / plain_s
    sentence_x = scenarios["sentence"]["wall_s"] / cold["wall_s"]
    limit = TARGETS["sentence_x_cold"]
    which = "one edition" if names else "matrix"
    out["targets"] = [
        target(f"cold {which}", cold_x, cold_target, "× plain"),
        target("no-op", noop["wall_s"], TARGETS["noop_s"], " s", below=True),
        target("one sentence", sentence_x, limit, "× cold"),
        target("peak per worker", peak, TARGETS["worker_mb"], " MB", below=True),
    ]
    out["seconds"] = elapsed


def load() -> str:
    """The load averages (1, 5, 15 min): other work on the machine makes every number slower."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> dict[str, Any]:
    model = ""
    memory = None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
        model = found.group(1).strip() if found else ""
        total = re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M)
        memory = int(total.group(1)) / 1_048_576 if total else None
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        weasyprint = version("weasyprint")
    except PackageNotFoundError:
        weasyprint = "not installed"
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "cpu_model": model,
        "memory_gb": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "weasyprint": weasyprint,
        "harfbuzz_subset": ctypes.util.find_library("harfbuzz-subset"),
    }


def project_revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return "not a git checkout"
    if head.returncode != 0:
        return "not a git checkout"
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Benchmark report: cold, no-op and incremental builds against plain WeasyPrint, "
        "for one edition and for the whole matrix. Measures and prints; asserts nothing."
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="build workers (default: cpu count)")
    parser.add_argument("--quick", action="store_true", help="1 run per scenario (the no-op 3) instead of 3 (5)")
    parser.add_argument(
        "--matrix-runs",
        type=int,
        default=1,
        metavar="N",
        help="runs per scenario of the matrix section (default 1, the no-op 3: its builds are long)",
    )
    parser.add_argument("--edition", default="guide-es", metavar="NAME", help="the one-edition section (guide-es)")
    parser.add_argument("--skip-matrix", action="store_true", help="leave out the section of all editions")
    parser.add_argument(
        "--long-pages",
        type=int,
        default=350,
        metavar="N",
        help="pages of the long-book section, the edition with its practices given again (default 350; 0: skip)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers as JSON to FILE")
    args = parser.parse_args()

    started = time.perf_counter()
    about = machine()
    hb = about["harfbuzz_subset"] or "not found (WeasyPrint subsets fonts with fontTools)"
    print(f"$ python {shlex.join(sys.argv)}")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}; project {ROOT} at {project_revision()}")
    print(f"machine: {about['cpu_count']} CPUs ({about['usable_cpus']} usable) {about['cpu_model']}"
          + (f", {about['memory_gb']:.1f} GB" if about["memory_gb"] else "") + f"; {about['platform']}")  # fmt: skip
    print(f"Python {about['python']}, WeasyPrint {about['weasyprint']}, libharfbuzz-subset: {hb}")
    print(f"load average at the start: {load()} (with {about['usable_cpus']} CPUs, above that means waiting)")
    quick = "--quick: " if args.quick else ""
    (reps, noop), (matrix_reps, matrix_noop) = runs(args, matrix=False), runs(args, matrix=True)
    print(
        f"{quick}median of {reps} run(s) per scenario, {noop} for the no-op; the matrix {matrix_reps} "
        f"({matrix_noop}); builds with --jobs {args.jobs}"
    )
    print("columns: wall = median wall time of the whole `python build.py` process; cpu = user+sys of the build and")
    print("its descendants; peak = max RSS of its largest process; child = child processes × max RSS of the largest")
    print("(the workers); ×plain = wall / plain WeasyPrint wall")

    report: dict[str, Any] = {
        "command": ["python", *sys.argv],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "revision": project_revision(),
        "machine": about,
        "load_at_start": load(),
        "jobs": args.jobs,
        "quick": args.quick,
        "targets": TARGETS,
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
        bench = Bench(args, Path(temporary))
        section(bench, f"guide {args.edition}", "guide", [args.edition], report)
        if not args.skip_matrix:
            bench.reps, bench.noop_reps = runs(args, matrix=True)
            section(bench, "matrix", "matrix", None, report)
        if args.long_pages > 0:
            bench.reps, bench.noop_reps = runs(args, matrix=True)  # its builds are long too
            base = report["guide"]["scenarios"]["cold"]["pages"]
            section(bench, f"long {args.edition}", "long", [args.edition], report,
                    lambda project: lengthen(project, args.long_pages, base))  # fmt: skip
    total = time.perf_counter() - started
    report["seconds"] = total
    report["load_at_end"] = load()

    print()
    print("targets:")
    for key in ("guide", "matrix", "long"):
        for measured in report.get(key, {}).get("targets", []):
            print(f"  {key:6}  {measured['name']:18} {measured['text']:28} {verdict(measured['met'])}")
    print(f"total {total:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"numbers written to {args.json}")


if __name__ == "__main__":
    main()
