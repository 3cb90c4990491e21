"""The command line: a thin layer over the pipeline (``python build.py --help``).

Errors from the pipeline (``PressError``) are caught here, once, printed as
``file:line: message`` lines, and turned into a non-zero exit status;
tracebacks only with ``--debug``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .build.limits import MEMORY_VARIABLE, TIME_VARIABLE
from .build.outputs import Stopped, stopping_on_signals
from .errors import PressError, Problem

if TYPE_CHECKING:
    from .content.model import Edition, Guide

ROOT = Path(__file__).resolve().parent.parent


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the guide's PDF editions from content/ (all editions by default).",
    )
    main.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this one)")
    main.add_argument("--debug", action="store_true", help="show tracebacks")
    main.add_argument("--edition", "-e", nargs="+", metavar="NAME", help="build only these editions")
    main.add_argument("--list", action="store_true", help="list the editions and exit")
    main.add_argument("--strict", action="store_true", help="fail on any WeasyPrint warning (bad CSS, missing image)")
    main.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel worker processes")
    main.add_argument("--output", "-o", type=Path, help="output folder (default: output/)")
    main.add_argument("--force", action="store_true", help="rebuild every edition and lay out every part again")
    main.add_argument("--whole", action="store_true", help="lay out each edition as one document, not by chapters")
    verify = "build twice in temporary folders, the second from nothing; fail if any byte differs"
    main.add_argument("--verify", action="store_true", help=verify)
    limit = "memory cap of each worker process, MB (default 2048, or $PRESS_MEMORY_LIMIT_MB)"
    main.add_argument("--memory-limit", type=int, metavar="MB", help=limit)
    limit = "CPU and wall-clock cap of each layout task (default 300, or $PRESS_TIME_LIMIT_S)"
    main.add_argument("--time-limit", type=int, metavar="SECONDS", help=limit)
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("build", help="build editions (the default command)")
    check = commands.add_parser("check", help="validate content, editions, catalogs and translations; no PDF")
    check.add_argument("--no-parity", action="store_true", help="skip the translation parity checks")
    approved = "also fail when a built edition's pages differ from approved/ (release CI; see proof.yaml)"
    check.add_argument("--approved", action="store_true", help=approved)
    serve = commands.add_parser("serve", help="live preview: build, serve output/ on 127.0.0.1, rebuild on save")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0: any free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    remote = "allow a --host that is not loopback (others on that network can read the preview)"
    serve.add_argument("--allow-remote", action="store_true", help=remote)
    chosen = "preview these editions (default: the web editions; PDF editions only when named)"
    serve.add_argument("--edition", "-e", nargs="+", metavar="NAME", dest="serve_editions", help=chosen)
    i18n = commands.add_parser("i18n", help="message catalogs: extract | update | compile | init")
    i18n.add_argument("action", choices=("extract", "update", "compile", "init"))
    i18n.add_argument("--lang", help="language for init (e.g. pt)")
    translation = commands.add_parser("translation", help="mark a translated chapter as up to date with its source")
    translation.add_argument("action", choices=("mark-current",))
    translation.add_argument("chapters", nargs="+", metavar="CHAPTER", help="chapter ids, or 'all'")
    translation.add_argument("--lang", required=True, help="the translation's language, e.g. en")
    proof = commands.add_parser("proof", help="typographic report on the laid-out pages, with source lines")
    chosen = "proof these editions (default: every PDF edition)"
    proof.add_argument("--edition", "-e", nargs="+", metavar="NAME", dest="proof_editions", help=chosen)
    approve = commands.add_parser("approve", help="record an edition's current pages as approved (approved/)")
    approve.add_argument("editions", nargs="+", metavar="EDITION")
    diff = commands.add_parser("diff", help="compare an edition's pages with its approved ones")
    diff.add_argument("editions", nargs="+", metavar="EDITION")
    word_in = commands.add_parser("import", help="a Word .docx → a chapter file, checked (see README, Word)")
    word_in.add_argument("file", type=Path, metavar="FILE.docx")
    word_in.add_argument("--lang", required=True, help="the language of the Word file, e.g. es")
    word_in.add_argument("--id", dest="chapter_id", help="chapter id (default: the id an export wrote, or the title)")
    word_in.add_argument("--type", dest="chapter_type", choices=("chapter", "practice"), help="default: guessed")
    word_in.add_argument("--into", type=Path, help="folder of the new file (default: content/LANG/practices or front)")
    word_in.add_argument("--force", action="store_true", dest="word_force", help="overwrite an existing chapter")
    word_out = commands.add_parser("export", help="a chapter or an edition → a Word .docx for review")
    word_out.add_argument("chapter", nargs="?", metavar="CHAPTER", help="chapter id (or --edition NAME)")
    word_out.add_argument("--lang", help="the chapter's language, e.g. es")
    word_out.add_argument("--edition", dest="word_edition", metavar="NAME", help="export a whole edition")
    word_out.add_argument(
        "--output", dest="word_output", type=Path, metavar="PATH", help="default: output/ID-LANG.docx"
    )
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.edition = args.edition or getattr(args, "serve_editions", None)  # serve -e NAME, as -e NAME serve
    args.edition = args.edition or getattr(args, "proof_editions", None) or getattr(args, "editions", None)
    root: Path = args.root.resolve()
    limits = {name: os.environ.get(name) for name in (MEMORY_VARIABLE, TIME_VARIABLE)}  # set for this run only
    try:
        with stopping_on_signals():  # SIGTERM, SIGHUP: unwind, so that temporaries and workers go
            return _run(args, root)
    except PressError as error:
        if args.debug:
            raise
        for problem in error.problems:
            print(f"error: {problem.format(root)}", file=sys.stderr)
        count = len(error.problems)
        found = f"{count} problem{'s' if count != 1 else ''} found"
        built = getattr(error, "built", None)
        if built:
            print(f"{found}; built and written: {', '.join(built)}; the failed editions were not written.",
                  file=sys.stderr)  # fmt: skip
        else:
            print(f"{found}; nothing was written.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Stopped as stop:
        print(f"stopped by {stop}: no file half-written; output/ keeps its earlier files", file=sys.stderr)
        return 128 + stop.signum
    except Exception as error:  # a bug or a broken environment, not bad content
        if args.debug:
            raise
        print(
            f"error: unexpected {type(error).__name__}: {error} (run with --debug for the traceback)", file=sys.stderr
        )
        return 2
    finally:
        for name, value in limits.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(args: argparse.Namespace, root: Path) -> int:
    _export_limits(args)
    quick = args.command in (None, "build") and not (args.force or args.list or args.verify)
    if quick and _all_up_to_date(root, args):
        return 0
    from .content.editions import load_editions
    from .content.load import load_guide

    if args.command == "i18n":
        from .render import catalogs

        return catalogs.command(root, args.action, args.lang)
    guide = load_guide(root)
    editions = load_editions(guide)
    if args.command == "translation":
        from .checks import parity

        return parity.mark_current(guide, args.lang, args.chapters)
    if args.command in ("import", "export"):
        from .word import export, importer

        if args.command == "import":
            return importer.import_docx(guide, args.file.resolve(), args.lang, args.chapter_id, args.chapter_type,
                                        args.into, args.word_force)  # fmt: skip
        return export.export(guide, args.lang or guide.source_lang, args.chapter, args.word_edition, args.word_output)
    if args.command == "check":
        from .checks import contrast, languages, parity

        if not args.no_parity:
            parity.check(guide)
        contrast.check(root, editions)
        unmarked = languages.warnings(guide)
        for problem in unmarked:
            print(f"warning: {problem.format(root)}", file=sys.stderr)
        if unmarked and args.strict:
            message = f"{len(unmarked)} warning(s) with --strict: passages in another language are not marked"
            raise PressError([Problem(None, None, message, "mark them, see README 'Languages of parts'")])
        _check_approved(root, args, guide, list(editions))
        print(f"ok: {sum(len(c) for c in guide.chapters.values())} chapter files in "
              f"{len(guide.languages)} languages, {len(editions)} editions"
              f"{f', {len(unmarked)} warning(s)' if unmarked else ''}")  # fmt: skip
        return 0
    if args.list:
        for edition in editions.values():
            paper, target = ("-", f"{edition.output}/") if edition.is_web else (edition.paper, edition.output)
            print(f"{edition.name:28} {edition.lang}  {edition.profile:6} {paper:6} "
                  f"{len(edition.practices):2} practices  → {target}")  # fmt: skip
        return 0
    names = args.edition or list(editions)
    if args.command == "serve" and not args.edition:  # the web editions; PDF editions when named
        names = [name for name in editions if editions[name].is_web]
    unknown = [name for name in names if name not in editions]
    if unknown:
        raise PressError(f"unknown edition(s): {', '.join(unknown)} (known: {', '.join(editions)})")
    if args.command == "serve":
        return _serve(root, names, args, editions)
    if args.command in ("proof", "approve", "diff"):
        return _proofing(root, names, args, guide, editions)
    return (_verify if args.verify else _build)(root, names, args, guide)


def _serve(root: Path, names: list[str], args: argparse.Namespace, editions: dict[str, Edition]) -> int:
    """The live preview (``press/web/serve.py``): each rebuild is ``_build`` with the content read again."""
    from .content.load import load_guide
    from .web.serve import serve

    web = [name for name in names if editions[name].is_web]
    if not web:
        raise PressError(f"serve previews web editions, and none is chosen ({', '.join(names) or 'none defined'})",
                         )  # fmt: skip
    builds = 0

    def rebuild() -> None:
        nonlocal builds
        again = argparse.Namespace(**{**vars(args), "force": args.force and not builds})  # --force: the first only
        builds += 1
        _build(root, names, again, load_guide(root))

    site = f"{Path(editions[web[0]].output).as_posix()}/"  # web/<name>/, inside the output folder
    return serve(root, _output(root, args), site, rebuild, port=args.port, host=args.host,
                 allow_remote=args.allow_remote)  # fmt: skip


def _proofing(root: Path, names: list[str], args: argparse.Namespace, guide: Guide,
              editions: dict[str, Edition]) -> int:  # fmt: skip
    """``proof``, ``approve``, ``diff`` (``press/build/proofing.py``)."""
    from .build import proofing

    output = _output(root, args)
    if args.command == "proof":
        return proofing.proof_editions(guide, [n for n in names if args.edition or not editions[n].is_web], output)
    run = proofing.approve if args.command == "approve" else proofing.diff
    return max(run(guide, name, output, max(1, args.jobs)) for name in names)


def _check_approved(root: Path, args: argparse.Namespace, guide: Guide, names: list[str]) -> None:
    """``check --approved`` (or ``check_approved: true`` in content/proof.yaml): built pages as approved."""
    from .checks.proof import settings

    if args.approved or settings.load(root).check_approved:
        from .build.proofing import check_approved

        problems = check_approved(guide, args.edition or names, _output(root, args))
        if problems:
            raise PressError(problems)


def _export_limits(args: argparse.Namespace) -> None:
    """The caps on workers (``build/limits.py``), from the options, for the processes started next."""
    settings = (("--memory-limit", args.memory_limit, MEMORY_VARIABLE),
                ("--time-limit", args.time_limit, TIME_VARIABLE))  # fmt: skip
    for option, value, variable in settings:
        if value is not None:
            if value <= 0:
                raise PressError(f"{option} must be a positive number, not {value}")
            os.environ[variable] = str(value)


def _output(root: Path, args: argparse.Namespace) -> Path:
    return Path(args.output or root / "output").resolve()


def _all_up_to_date(root: Path, args: argparse.Namespace) -> bool:
    """The quick path: every edition's record still matches, by ``stat`` alone (no content
    loaded, WeasyPrint not imported). Anything else goes the full way, which decides by content."""
    from .build import fingerprint

    started = time.perf_counter()
    output = _output(root, args)
    names = args.edition or fingerprint.known_editions(root, output)
    if not names or not all(fingerprint.up_to_date(root, output, name) for name in names):
        return False
    for name in names:
        record = fingerprint.read_record(root, output, name) or {}
        target = _rel(Path(next(iter(record.get("outputs", {})), name)), root)
        site = record.get("values", {}).get("site")  # a web edition: its folder
        print(f"{name:28} up to date  {_rel(output / site, root) + '/' if site else target}")
    print(f"{len(names)} edition(s) up to date in {time.perf_counter() - started:.2f} s (--force rebuilds them)")
    return True


def _build(root: Path, names: list[str], args: argparse.Namespace, guide: Guide) -> int:
    from .build.publish import Result, build_many

    output = _output(root, args)
    started = time.perf_counter()
    jobs = max(1, args.jobs)
    print(f"building {len(names)} edition(s) with {jobs} worker(s)…", flush=True)

    finished = 0

    def done(result: Result) -> None:
        nonlocal finished
        finished += 1
        bar = "#" * (20 * finished // len(names))
        if result.status == "up to date":
            what = "up to date"
        else:
            what = f"{result.pages} pages, {result.laid_out} part(s) laid out, {result.reused} reused"
            if result.renumbered:
                what += f", {result.renumbered} renumbered"
            if result.output.is_dir():
                what = f"web site of {result.pages} pages"
        print(f"  [{bar:<20}] {finished}/{len(names)} {result.edition}: {what}, {result.seconds:.1f} s", flush=True)

    from .content.editions import load_editions
    from .web.publish import build_web

    editions = load_editions(guide)
    web = [name for name in names if editions[name].is_web]
    pdf = [name for name in names if name not in web]
    results = build_many(
        root, pdf, output, args.strict, jobs, on_done=done, force=args.force, whole=args.whole, guide=guide
    )
    results += build_web(guide, editions, web, output, force=args.force, on_done=done)
    print()
    print(f"{'edition':28} {'pages':>5} {'size':>9} {'seconds':>8}  file")
    for result in results:
        size = f"{result.size / 1_048_576:.2f} MB"
        folder = "/" if result.output.is_dir() else ""  # a web edition: its pages, and its folder
        seconds = "current" if result.status == "up to date" else f"{result.seconds:.1f}"
        print(f"{result.edition:28} {result.pages:>5} {size:>9} {seconds:>8}  {_rel(result.output, root)}{folder}")
        for warning in result.warnings:
            print(f"  warning: {warning}")
    current = sum(result.status == "up to date" for result in results)
    built = len(results) - current
    print(f"{built} edition(s) built, {current} up to date, in {time.perf_counter() - started:.1f} s")
    return 0


def _verify(root: Path, names: list[str], args: argparse.Namespace, guide: Guide) -> int:
    from .build.publish import verify_many
    from .content.editions import load_editions

    web = [name for name in names if load_editions(guide)[name].is_web]
    if web and args.edition:
        raise PressError(f"--verify compares PDF editions, not web editions: {', '.join(web)}")
    if web:  # all editions: the PDF ones
        print(f"not compared (web editions): {', '.join(web)}")
        names = [name for name in names if name not in web]
    started = time.perf_counter()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    dates = f"SOURCE_DATE_EPOCH={epoch}" if epoch else "dates from guide.yaml"
    print(f"verifying {len(names)} edition(s): two builds in temporary folders, the second from nothing "
          f"({dates})…", flush=True)  # fmt: skip
    compared = verify_many(root, names, args.strict, max(1, args.jobs), guide=guide, whole=args.whole)
    for name, files in compared.items():
        print(f"{name:28} identical  {', '.join(files)}")
    count = sum(len(files) for files in compared.values())
    print(f"{count} file(s) identical in both builds, in {time.perf_counter() - started:.1f} s")
    return 0


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
