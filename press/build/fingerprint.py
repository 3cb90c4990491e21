"""What an edition read, recorded with its output, so that the next build can skip it.

An edition's *fingerprint* is a hash of everything that went into it: the
chapter files it uses, guide.yaml and its own (resolved) entry of
editions.yaml, the templates, the styles (fonts and the ICC profile
included), its language's catalog, chart data, the media it embeds, the
press's own source files, the versions of the libraries that lay out and
write PDFs, and ``SOURCE_DATE_EPOCH``.

After a build, ``.cache/builds/<output folder>/<edition>.json`` records the
fingerprint, every input file with its size, modification time and SHA-256,
the listing of the folders inputs come from, and the same for every file
written. The next ``python build.py`` first checks those records with
``stat`` alone (``up_to_date``): when nothing moved, it stops there, without
loading content or importing WeasyPrint. When something moved, the build
loads the content and compares fingerprints made from file contents, so a
file that was only touched, or an edit to another edition's entry, still
rebuilds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "press-build-1"
RECORDS = Path(".cache") / "builds"
# Libraries whose version changes what a build writes.
LIBRARIES = (
    "weasyprint", "pydyf", "pikepdf", "fonttools", "pillow", "jinja2", "babel", "markdown_it_py",
    "mdit_py_plugins", "pyyaml", "tinycss2", "cssselect2", "tinyhtml5",
)  # fmt: skip
SHARED_FOLDERS = ("templates", "styles")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hashed(path: Path, hashes: dict[Path, str]) -> str:
    """The file's SHA-256, read once per build: ``hashes`` holds what was read already."""
    if path not in hashes:
        hashes[path] = sha256(path)
    return hashes[path]


def stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def libraries() -> dict[str, str]:
    """Installed versions of LIBRARIES, read from the dist-info folder names (no imports)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, rest = name[: -len(".dist-info")].partition("-")
                key = project.lower().replace("-", "_").replace(".", "_")
                if key in LIBRARIES:
                    found.setdefault(key, rest)
    return dict(sorted(found.items()))


def environment() -> dict[str, str]:
    return {
        "python": ".".join(map(str, sys.version_info[:2])),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
        **libraries(),
    }


def press_sources() -> list[Path]:
    package = Path(__file__).resolve().parent.parent
    return sorted(package.rglob("*.py"))


def listing(folder: Path) -> list[str]:
    """Every file below ``folder``, relative, sorted (hidden files and caches left out)."""
    if not folder.is_dir():
        return []
    found = []
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in files:
            if not name.startswith(".") and not name.endswith((".pyc", ".mo")):
                found.append(os.path.relpath(os.path.join(base, name), folder))
    return sorted(found)


@dataclass
class Inputs:
    """What one edition read: files (by path) and values that are not files."""

    files: set[Path] = field(default_factory=set)
    watched: set[Path] = field(default_factory=set)  # stamped for the quick check, not fingerprinted
    folders: set[Path] = field(default_factory=set)  # whose listing is recorded
    values: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self, root: Path, hashes: dict[Path, str]) -> str:
        digest = hashlib.sha256(FORMAT.encode())
        for path in sorted(self.files):
            digest.update(f"{_rel(path, root)}\0{hashed(path, hashes)}\n".encode())
        for folder in sorted(self.folders):
            digest.update(f"{_rel(folder, root)}/\0{listing(folder)}\n".encode())
        digest.update(json.dumps(self.values, sort_keys=True, default=str).encode())
        return digest.hexdigest()


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def record_path(root: Path, output: Path, name: str) -> Path:
    folder = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return root / RECORDS / folder / f"{name}.json"


def write_record(
    root: Path, output: Path, name: str, fingerprint: str, inputs: Inputs, outputs: list[Path], hashes: dict[Path, str]
) -> None:
    read = sorted(inputs.files | inputs.watched)
    data = {
        "format": FORMAT,
        "edition": name,
        "fingerprint": fingerprint,
        "values": inputs.values,
        "inputs": {_rel(p, root): [*stamp(p), hashed(p, hashes)] for p in read},
        "folders": {_rel(f, root): listing(f) for f in sorted(inputs.folders)},
        "outputs": {str(p.resolve()): [*stamp(p), sha256(p)] for p in outputs},
    }
    path = record_path(root, output, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".record-", dir=path.parent)  # private: only builds read it
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(temporary, path)
    except BaseException:  # a killed build's are removed by the next (outputs.remove_stale)
        Path(temporary).unlink(missing_ok=True)
        raise


def read_record(root: Path, output: Path, name: str) -> dict[str, Any] | None:
    try:
        data = json.loads(record_path(root, output, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def outputs_intact(record: dict[str, Any]) -> bool:
    """Whether every file the record says was written is still the one written."""
    for name, (size, mtime, digest) in record.get("outputs", {}).items():
        path = Path(name)
        try:
            if stamp(path) != [size, mtime] and sha256(path) != digest:
                return False
        except OSError:
            return False
    return True


def up_to_date(root: Path, output: Path, name: str) -> bool:
    """Fast check, by ``stat`` alone: nothing the edition read or wrote moved since its record."""
    record = read_record(root, output, name)
    if record is None or record.get("values", {}).get("environment") != environment():
        return False
    try:
        for rel, (size, mtime, _) in record["inputs"].items():
            if stamp(root / rel) != [size, mtime]:
                return False
        for rel, files in record["folders"].items():
            if listing(root / rel) != files:
                return False
        for name_, (size, mtime, _) in record["outputs"].items():
            if stamp(Path(name_)) != [size, mtime]:
                return False
    except (OSError, KeyError, TypeError, ValueError):
        return False
    return True


def matrix_path(root: Path, output: Path) -> Path:
    return record_path(root, output, "_editions")


def write_matrix(root: Path, output: Path, names: list[str]) -> None:
    """The edition names of editions.yaml, valid as long as the file does not move."""
    source = root / "content" / "editions.yaml"
    path = matrix_path(root, output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": FORMAT, "names": names, "stamp": stamp(source)}), encoding="utf-8")


def known_editions(root: Path, output: Path) -> list[str] | None:
    try:
        data = json.loads(matrix_path(root, output).read_text(encoding="utf-8"))
        if data.get("format") == FORMAT and data["stamp"] == stamp(root / "content" / "editions.yaml"):
            return [str(n) for n in data["names"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None
