"""Stage 5: HTML + styles → PDF bytes with WeasyPrint, sandboxed and strict.

* The URL fetcher serves only regular files inside the project folder, read
  through ``sandbox.py`` (real path resolved, symlinks followed, no device or
  FIFO, size capped), and images only once ``content/media.py`` passed them;
  anything else — the network, ``data:``, a file elsewhere on the disk —
  stops the render with an error naming it.
* WeasyPrint reports bad CSS and missing resources only through its logger;
  a handler collects those messages during the render, and ``strict`` turns
  any of them into a RenderError.
* Fonts come from ``styles/fonts`` through ``@font-face``, served from their
  trimmed copies and embedded whole (``fonts.py``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .. import sandbox
from ..content import media
from ..content.model import Edition
from ..errors import Problem, RenderError
from . import leaders, renumber  # noqa: F401  (leaders: installed on import)
from .colours import Masked, unmasked
from .fonts import FontSet
from .pagesetup import PRINT_PROFILE, edition_css, sheets
from .shared import writing
from .tagging import semantic_tags

# Notices about the machine, not the content (fonts are embedded as prepared,
# so WeasyPrint's subsetting, with or without HarfBuzz-Subset, is not used).
ENVIRONMENT_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


class RefusedURL(FatalURLFetchingError):
    """A reference the sandbox refused; stops the render at once."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


class ProjectFetcher(URLFetcher):
    """Serve ``file://`` URLs of regular files under ``root``; refuse the rest.

    A shipped font with a trimmed copy (``fonts.FontSet``) is served from that
    copy, after checking that it is still a regular file in the project with
    the SHA-256 recorded when it was made.
    """

    def __init__(self, root: Path, fonts: FontSet | None = None) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.root = root.resolve()
        self.substitutes = fonts.substitutes() if fonts else {}

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise RefusedURL(url, "is not a file of the project (the network and data: URLs are not used)")
        path = Path(unquote(parts.path))
        try:
            real = sandbox.inside(self.root, path)
            trimmed = self.substitutes.get(real)
            if trimmed is not None:
                data = sandbox.read_bytes(self.root, trimmed.path)
                if hashlib.sha256(data).hexdigest() != trimmed.sha256:
                    raise RefusedURL(
                        url, f"has a prepared copy ({trimmed.path.name}) that changed; run the build again"
                    )
            elif media.is_media(real):  # CSS url(), an image inside an SVG: checked like chapter images
                data = media.read_checked(self.root, real)
            else:
                data = sandbox.read_bytes(self.root, real)
        except sandbox.Refused as refused:
            raise RefusedURL(url, refused.reason) from None
        return URLFetcherResponse(real.as_uri(), data)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(ENVIRONMENT_NOTICES):
            self.messages.append(message)


@contextmanager
def weasyprint_messages() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors while the block runs."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@dataclass
class Rendered:
    document: Document
    warnings: list[str]
    context: Any = None  # WeasyPrint's layout context, which renumbering needs (``renumber.py``)


class Renderer:
    """Lays out the documents of one edition, reusing its parsed stylesheets and fonts.

    Parsing the layers and loading the fonts takes about a second; a worker
    that lays out many chapters of an edition does it once.
    """

    def __init__(
        self, root: Path, edition: Edition, fonts: FontSet | None, extra_css: str = "", masked: Masked | None = None
    ) -> None:
        """``masked``: the stylesheets with stand-in colours, as parts are laid out (``colours.py``);
        without, the files as written."""
        self.root, self.edition = root, edition
        self.fetcher = ProjectFetcher(root, fonts)
        self.font_config = FontConfiguration()
        self.profiles: dict[str, object] = {}  # filled by @color-profile rules, read by the renderer
        styles = root / "styles"
        self.sheets, self.sheet_warnings = [], []
        try:
            for name in sheets(edition):
                laid = None if masked is None else dict(masked.sheets)[name]
                with weasyprint_messages() as messages:  # a stylesheet reports its errors while parsed
                    if laid is None:
                        self.sheets.append(CSS(filename=str(styles / name), **self._common()))
                    else:
                        self.sheets.append(self.css(laid))
                real = () if masked is None else masked.real
                self.sheet_warnings += [located(f"styles/{name}", message, laid, real) for message in messages]
            with weasyprint_messages() as messages:
                rules = edition_css(edition) if masked is None else masked.edition_rules
                self.sheets.append(self.css(rules + extra_css))
            self.sheet_warnings += [_setup_message(message) for message in messages]
        except RefusedURL as refused:
            raise _refused(edition, refused, root) from None

    def _common(self) -> dict[str, object]:
        return {"url_fetcher": self.fetcher, "font_config": self.font_config, "color_profiles": self.profiles}

    def css(self, text: str) -> CSS:
        return CSS(string=text, base_url=str(self.root / "styles") + "/", **self._common())

    def layout(self, html: str, strict: bool, extra_css: str = "", colours: tuple[str, ...] = ()) -> Rendered:
        """Lay out ``html`` (before writing), with the sandbox on; an error names the real ``colours``
        of stand-ins (``colours.py``)."""
        with weasyprint_messages() as messages:
            try:
                sheets = [*self.sheets, self.css(extra_css)] if extra_css else self.sheets
                document = HTML(string=html, base_url=str(self.root) + "/", url_fetcher=self.fetcher).render(
                    stylesheets=sheets,
                    font_config=self.font_config,
                    color_profiles=self.profiles,
                    **_variant_options(self.edition),
                )
            except RefusedURL as refused:
                raise _refused(self.edition, refused, self.root) from None
            finally:
                context = renumber.take_context()
        warnings = self.sheet_warnings + list(messages)  # stand-ins kept: a cached part's are named at the finish
        _raise_if_strict(self.edition, [unmasked(message, colours) for message in warnings], strict)
        return Rendered(document, warnings, context)


def _refused(edition: Edition, refused: RefusedURL, root: Path) -> RenderError:
    """The refusal, naming the file as the person knows it (relative to the project)."""
    parts = urlsplit(refused.url)
    name = refused.url
    if parts.scheme == "file" and Path(unquote(parts.path)).is_relative_to(root.resolve()):
        name = Path(unquote(parts.path)).relative_to(root.resolve()).as_posix()
    return RenderError(
        [Problem(None, None, f"edition {edition.name!r}: refused to load {name!r}: it {refused.reason}")]
    )


def render_document(
    html: str, root: Path, edition: Edition, strict: bool, extra_css: str = "", fonts: FontSet | None = None
) -> Rendered:
    """Lay out a whole document of the edition (before writing), with the sandbox on."""
    return Renderer(root, edition, fonts, extra_css).layout(html, strict)


def _variant_options(edition: Edition) -> dict[str, object]:
    if edition.profile == "print":
        return {"pdf_variant": edition.pdf_variant or "pdf/x-4"}
    return {"pdf_variant": edition.pdf_variant or "pdf/ua-1", "pdf_tags": True}


def write_pdf(
    rendered: Rendered,
    edition: Edition,
    strict: bool,
    pages: list[Any] | None = None,
    fonts: FontSet | None = None,
    placeholders: bool = False,
    compressed: bool = True,
) -> bytes:
    """PDF bytes of the laid-out pages (all, or ``pages``), fonts embedded as prepared.

    With ``placeholders`` (a part, for assembly): fonts and profiles only named
    (``shared.py``) and nothing compressed, since assembly compresses the whole
    book once, at a faster level than WeasyPrint's zlib level 9. Not ``compressed``: for a PDF
    that pikepdf saves next, and compresses so (the cover spread: its fonts took 0.6 s at level 9)."""
    document = rendered.document if pages is None else rendered.document.copy(pages)
    with weasyprint_messages() as messages, writing(fonts, placeholders), semantic_tags():
        pdf = document.write_pdf(**_variant_options(edition), uncompressed_pdf=placeholders or not compressed)  # type: ignore[arg-type]
    _raise_if_strict(edition, messages, strict)
    rendered.warnings.extend(messages)
    assert pdf is not None
    return stable_document_id(pdf, edition.name)


DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FILE_ID = re.compile(rb"/ID ?\[ ?[<(]([0-9a-fA-F]+)[>)] ?[<(]([0-9a-fA-F]+)[>)] ?\]")


def stable_document_id(pdf: bytes, name: str) -> bytes:
    """Replace the random XMP DocumentID WeasyPrint writes for PDF/X (and the file
    /ID derived from it) by ids derived from the content, so the same inputs give
    the same bytes. The new ids have the same length: cross-reference offsets stay right."""
    if not DOCUMENT_ID.search(pdf):
        return pdf
    blank = FILE_ID.sub(b"/ID []", DOCUMENT_ID.sub(b"xmp.did:", pdf))
    digest = hashlib.sha256(blank + name.encode()).hexdigest()
    pdf = DOCUMENT_ID.sub(f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, digest)}".encode(), pdf)

    def file_id(match: re.Match[bytes]) -> bytes:
        first, second = match.group(1), match.group(2)
        return (
            match.group(0)
            .replace(first, digest[: len(first)].encode())
            .replace(second, digest[::-1][: len(second)].encode())
        )

    return FILE_ID.sub(file_id, pdf)


CSS_POSITION = re.compile(r" at (\d+):(\d+)")


def located(name: str, message: str, laid: str | None = None, real: tuple[str, ...] = ()) -> str:
    """A stylesheet's message as ``styles/page.css:3:5: Ignored `colr: red`, unknown property.``

    ``laid``: the stylesheet as parsed, with stand-in colours (``colours.py``), which are longer
    than the values written: the column is counted in the line as written."""
    found = CSS_POSITION.search(message)
    if found is None:
        return f"{name}: {message}"
    line, column = int(found[1]), int(found[2])
    lines = laid.splitlines() if laid is not None else []
    if real and 0 < line <= len(lines):
        column = len(unmasked(lines[line - 1][: column - 1], real)) + 1
    return f"{name}:{line}:{column}: {message[: found.start()]}{message[found.end() :]}"


def _setup_message(message: str) -> str:
    """A message about the rules the press adds: a refused output profile is the profile file's fault."""
    if "profile" in message:
        return f"styles/{PRINT_PROFILE}: {CSS_POSITION.sub('', message)}"
    return located("the page setup of the edition", message)


def _raise_if_strict(edition: Edition, messages: list[str], strict: bool) -> None:
    if strict and messages:
        hint = "--strict fails on every WeasyPrint message; fix what it names"
        raise RenderError([Problem(None, None, _attributed(edition, m), hint) for m in messages])


def _attributed(edition: Edition, message: str) -> str:
    """A stylesheet's message already names its file; one from layout names the edition."""
    if message.startswith(("styles/", "the page setup")):
        return message
    return f"edition {edition.name!r}: WeasyPrint: {message}"
