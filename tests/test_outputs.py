"""Outputs a team can rely on: ordinary file modes, one build of a folder at a time, nothing of
a stopped build left behind, and ``--verify`` (two builds, the second from nothing, compared).

Builds that must be stopped, or run at once, run as ``python build.py`` in subprocesses; a
build stopped "while it writes" is held there by a slow ``fsync``, so the moment is certain.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pikepdf
import pytest

from press.build import fingerprint, outputs, workers
from press.build.cache import FOLDER
from press.build.publish import build_many, verify_many
from press.cli import main
from press.errors import PressError

REPO = Path(__file__).resolve().parent.parent
CHAPTER = Path("content/es/practices/01-alpha.md")
# A build whose first fsync (write_atomic, just before the move) takes a minute.
SLOW_WRITE = (
    "import os, sys, time\n"
    "real = os.fsync\n"
    "def slow(fd):\n"
    "    real(fd)\n"
    "    time.sleep(60)\n"
    "os.fsync = slow\n"
    "from press.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def start(root: Path, *options: str, script: str | None = None, **kw) -> subprocess.Popen[str]:
    command = ["-c", script, *options] if script else [str(REPO / "build.py"), *options]
    return subprocess.Popen([sys.executable, *command, "--root", str(root), "--output", str(root / "output")],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)  # fmt: skip


def finish(run: subprocess.Popen[str], seconds: float = 120) -> tuple[int, str, str]:
    out, err = run.communicate(timeout=seconds)
    return run.returncode, out, err


def until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def valid_pdf(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


@pytest.fixture
def built(project):
    """The bilingual project, built once (its output/ is what later builds must keep or replace)."""
    root = project("bilingual")
    build_many(root, ["guide-es", "guide-en"], root / "output", True, 1)
    return root


def edit_chapter(root: Path) -> None:
    """A change that makes the next build of guide-es write different bytes."""
    path = root / CHAPTER
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n:::", " Una frase más.\n\n:::", 1), encoding="utf-8")


# File modes.


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_published_files_get_the_ordinary_mode_under_the_umask(project, umask, mode):
    root = project("bilingual")
    code, _, err = finish(start(root, "-e", "guide-es", "--strict", umask=umask))
    assert code == 0, err
    assert (root / "output" / "guide-es.pdf").stat().st_mode & 0o777 == mode


def test_an_atomic_write_replaces_a_private_file_with_an_ordinary_one(tmp_path):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    target.chmod(0o600)
    old = os.umask(0o022)
    try:
        outputs.write_atomic(target, b"new")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


# One build of a folder at a time.


def test_a_second_build_waits_for_the_first_and_both_succeed(built):
    out = built / "output"
    with outputs.locked(out, wait=0):  # this test plays the first build
        second = start(built, "--force", "-j", "1", "--strict")
        assert second.stderr is not None
        said = second.stderr.readline()
        time.sleep(0.5)
        assert second.poll() is None  # still waiting
    code, _, err = finish(second)
    assert said == f"waiting for another build of {out} to finish (up to 600 s)…\n"
    assert code == 0, err
    assert valid_pdf(out / "guide-es.pdf") == valid_pdf(out / "guide-en.pdf") == 12
    assert temporaries(out) == []


def test_two_builds_at_once_both_succeed_with_whole_files(built):
    edit_chapter(built)
    runs = [start(built, "--force", "-j", "1", "--strict") for _ in range(2)]
    done = [finish(run, 180) for run in runs]
    assert [code for code, _, _ in done] == [0, 0], done
    out = built / "output"
    assert sorted(p.name for p in out.iterdir()) == ["guide-en.pdf", "guide-es.pdf"]
    assert valid_pdf(out / "guide-es.pdf") == 12


def test_a_build_that_waits_too_long_refuses_and_writes_nothing(built):
    out = built / "output"
    before = (out / "guide-es.pdf").read_bytes()
    edit_chapter(built)
    with outputs.locked(out, wait=0):
        code, _, error = finish(start(built, "--strict", env={**os.environ, outputs.WAIT_VARIABLE: "1"}))
    assert code == 1
    assert "error: output: another build of this folder still runs after 1 s (let it end or stop it; " in error
    assert (out / "guide-es.pdf").read_bytes() == before


def test_the_up_to_date_path_takes_no_lock(built):
    with outputs.locked(built / "output", wait=0):
        code, printed, _ = finish(start(built, "--strict", env={**os.environ, outputs.WAIT_VARIABLE: "0"}))
    assert code == 0
    assert "2 edition(s) up to date" in printed


# A stopped build.


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_leaves_nothing_in_the_temporary_folder(project, tmp_path, jobs):
    # WeasyPrint writes the fonts it loads to a temporary folder that a worker never removed.
    root, scratch = project("bilingual"), tmp_path / "tmp"
    scratch.mkdir()
    code, _, err = finish(start(root, "-j", jobs, "--force", env={**os.environ, "TMPDIR": str(scratch)}))
    assert code == 0, err
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_terminated_build_removes_its_temporary_and_stops_its_workers(built, tmp_path, signum):
    out, scratch = built / "output", tmp_path / "tmp"
    scratch.mkdir()
    before = (out / "guide-es.pdf").read_bytes()
    edit_chapter(built)
    run = start(built, "-j", "2", "--strict", script=SLOW_WRITE, env={**os.environ, "TMPDIR": str(scratch)})
    until(lambda: temporaries(out))  # writing guide-es.pdf, held before the move
    workers_ = children(run.pid)
    assert workers_
    run.send_signal(signum)
    code, _, err = finish(run, 30)
    assert code == 128 + signum
    assert f"stopped by {signal.Signals(signum).name}: no file half-written" in err
    assert (out / "guide-es.pdf").read_bytes() == before
    assert temporaries(out) == []
    until(lambda: not any(alive(pid) for pid in workers_), 10)
    assert list(scratch.iterdir()) == []


def test_a_killed_build_keeps_the_previous_pdf_and_the_next_build_cleans_up(built, tmp_path):
    out, scratch = built / "output", tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), outputs.WAIT_VARIABLE: "0"}  # the lock is free at once
    before = (out / "guide-es.pdf").read_bytes()
    edit_chapter(built)
    run = start(built, "-j", "2", "--strict", script=SLOW_WRITE, env=env)
    until(lambda: temporaries(out))
    workers_ = children(run.pid)
    run.kill()
    finish(run, 30)  # its pipes closed: no worker outlived it
    assert (out / "guide-es.pdf").read_bytes() == before
    assert temporaries(out)  # SIGKILL cannot clean up...
    (left,) = scratch.iterdir()  # ...its workers' temporary files either
    assert left.name.startswith(f"press-build-{run.pid}-")
    until(lambda: not any(alive(pid) for pid in workers_), 10)
    code, _, err = finish(start(built, "-j", "2", "--strict", env=env))
    assert code == 0, err
    assert temporaries(out) == []  # ...the next build does
    assert (out / "guide-es.pdf").read_bytes() != before
    assert valid_pdf(out / "guide-es.pdf") == 12
    assert list(scratch.iterdir()) == [left]  # changed a moment ago: it may be a build still running


def test_the_temporary_folders_of_builds_long_gone_are_removed(project, tmp_path):
    root, scratch = project("bilingual"), tmp_path / "tmp"
    scratch.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, living = int(gone.stdout), os.getpid()
    day = 24 * 3600 + 60
    folders = {
        f"press-build-{dead}-old": day,  # removed: its process is gone, and it has not changed for a day
        f"press-build-{dead}-new": 0,  # kept: changed a moment ago (a build in another process namespace?)
        f"press-build-{living}-old": day,  # kept: its process runs
        "press-build-old": day,  # kept: not a name the press gives
    }
    for name, age in folders.items():
        (scratch / name / "weasyprint-x").mkdir(parents=True)
        os.utime(scratch / name, (time.time() - age, time.time() - age))
    (scratch / f"press-build-{dead}-file").write_text("x")  # kept: not a folder
    os.utime(scratch / f"press-build-{dead}-file", (time.time() - day, time.time() - day))
    code, _, err = finish(start(root, "-j", "1", "--force", env={**os.environ, "TMPDIR": str(scratch)}))
    assert code == 0, err
    kept = [f"press-build-{dead}-new", f"press-build-{living}-old", "press-build-old", f"press-build-{dead}-file"]
    assert sorted(p.name for p in scratch.iterdir()) == sorted(kept)


def test_stale_temporaries_of_killed_builds_are_removed_under_the_lock(built):
    out = built / "output"
    records = fingerprint.matrix_path(built, out).parent
    stale = [out / ".guide-es.pdf.ab12cd34.tmp", out / ".guide-es.pdf.k3_xz9q0.tmp", records / ".record-q1w2e3r4"]
    kept = [out / "notes.txt", out / ".guide-es.pdf.tmp", records / "guide-es.json"]
    for path in stale + kept[:2]:
        path.write_bytes(b"x")
    build_many(built, ["guide-es"], out, True, 1)
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in kept)


# --verify.


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """verify_many's temporary folders go here, so a test sees what it leaves."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def snapshot(root: Path) -> dict[str, object]:
    out = root / "output"
    files = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    builds = root / ".cache" / "builds"
    records = {
        str(p.relative_to(builds)): (p.read_bytes(), p.stat().st_mtime_ns) for p in builds.rglob("*") if p.is_file()
    }
    return {"output": files, "records": records}


def test_verify_compares_every_file_and_touches_neither_output_nor_its_records(built, scratch):
    before = snapshot(built)
    compared = verify_many(built, ["guide-es", "guide-en"], True, 1)
    assert compared == {"guide-es": ["guide-es.pdf"], "guide-en": ["guide-en.pdf"]}
    assert snapshot(built) == before
    assert list(scratch.iterdir()) == []


def test_verify_from_the_command_line(built, scratch, capsys):
    assert main(["--root", str(built), "--verify", "--strict", "-j", "1"]) == 0
    printed = capsys.readouterr().out
    assert "(dates from guide.yaml)" in printed
    assert "guide-es                     identical  guide-es.pdf" in printed
    assert "2 file(s) identical in both builds" in printed


def test_verify_fails_naming_each_file_when_a_build_is_not_reproducible(built, scratch, monkeypatch, capsys):
    real = workers.to_bytes
    monkeypatch.setattr(workers, "to_bytes", lambda pdf: real(pdf) + b"%" + os.urandom(8).hex().encode() + b"\n")
    assert main(["--root", str(built), "--verify", "--strict", "-j", "1"]) == 1
    errors = capsys.readouterr().err.splitlines()
    for name in ("guide-es", "guide-en"):
        assert any(line.startswith(f"error: edition {name!r}: {name}.pdf differs between two builds from byte ")
                   for line in errors), errors  # fmt: skip
    assert errors[-1] == "2 problems found; nothing was written."
    kept = next(scratch.iterdir())
    assert sorted(p.name for p in (kept / "first").iterdir()) == ["guide-en.pdf", "guide-es.pdf"]


def test_verify_lays_out_the_second_build_without_the_project_cache(built, scratch):
    """A cached part whose layout record is stale (a key that missed an input) must be caught."""
    for entry in (built / FOLDER).glob("*/*.part"):
        header, _, pdf = entry.read_bytes().partition(b"\n")
        data = json.loads(header)
        for page in data["layout"]["bookmarks"]:
            for mark in page:
                mark[1] += " (stale)"
        entry.write_bytes(json.dumps(data).encode() + b"\n" + pdf)  # its checksum covers the PDF only
    with pytest.raises(PressError, match=r"edition 'guide-es': guide-es.pdf differs between two builds"):
        verify_many(built, ["guide-es"], True, 1)


def test_verify_honours_source_date_epoch(built, scratch, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert main(["--root", str(built), "--verify", "--strict", "-j", "1", "-e", "guide-es"]) == 0
    assert "(SOURCE_DATE_EPOCH=1700000000)" in capsys.readouterr().out


def test_verify_keeps_the_second_builds_parts_in_its_own_cache(project, scratch):
    """south-america's parts are stored again under a second key (links only): that second
    build must find what its workers wrote, in its own folder (this once looped for ever)."""
    root = project("regional")
    before = {p.name for p in (root / FOLDER).glob("*/*")} if (root / FOLDER).exists() else set()
    assert verify_many(root, ["south-america"], True, 2) == {
        "south-america": ["south-america.pdf", "south-america-cover.pdf"]
    }
    written = {p.name for p in (root / FOLDER).glob("*/*")} - before
    assert written, "the first build used the project's cache"
    assert list(scratch.glob("press-verify-*")) == []  # the second build's cache went with its folder


def test_a_cache_that_loses_what_workers_write_ends_the_build_with_an_error(project, monkeypatch):
    from press.build import cache

    def lost(self: cache.Store, path: Path, old: str, new: str) -> Path:
        raise cache.CorruptEntry(path)

    monkeypatch.setattr(cache.Store, "rekey_part", lost)
    root = project("regional")
    with pytest.raises(PressError) as caught:
        build_many(root, ["south-america"], root / "output", True, 1, force=True)
    assert "times, and the cache lost it (check that .cache/parts is writable" in str(caught.value)
