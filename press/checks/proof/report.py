"""The proof as a table in the terminal and as an HTML page with the problems drawn on the pages."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PIL import Image

from . import pictures
from .findings import Finding
from .proof import Proof
from .settings import Acceptance

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2733; margin: 2rem auto; max-width: 74rem; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } .summary { color: #55606d; margin-top: 0; }
.ok { color: #1f7a3a; font-weight: 600; } .bad { color: #b42323; font-weight: 600; }
.page { display: grid; grid-template-columns: 260px 1fr; gap: 1.5rem; border-top: 1px solid #dde2e8;
        padding: 1.2rem 0; align-items: start; }
.page img { width: 260px; box-shadow: 0 1px 4px #0003; background: white; }
.page h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #eef1f4; vertical-align: top; }
th { color: #55606d; font-weight: 600; } code { font-size: .85rem; }
.rule { display: inline-block; background: #fbe3e3; color: #8f1c1c; border-radius: 3px; padding: 0 .35rem;
        font-size: .8rem; font-weight: 600; white-space: nowrap; }
tr.accepted .rule { background: #e4efe6; color: #2f5f3a; } tr.accepted { color: #55606d; }
.reason { font-style: italic; } .excerpt { font-family: Georgia, serif; }
"""


def table(proof: Proof) -> str:
    """The findings as lines of text, for the terminal."""
    rows = [("page", "rule", "where", "excerpt", "")]
    for finding in proof.findings:
        status = f"accepted: {finding.accepted}" if finding.accepted else finding.message
        rows.append((finding.page_label, finding.rule, finding.location, finding.excerpt, status))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3]))
        lines.append(f"  {head}  {row[3][:48]:48}  {row[4]}".rstrip())
    return "\n".join(lines)


def html(proof: Proof, title: str, pdf_page: Callable[[int], Image.Image], stale: list[Acceptance]) -> str:
    """The report: a summary, then each page with problems, drawn on its thumbnail, and its table."""
    open_count = len(proof.open)
    accepted = len(proof.findings) - open_count
    verdict = ('<span class="ok">clean</span>' if not open_count and not stale
               else f'<span class="bad">{open_count} problem(s) to fix</span>')  # fmt: skip
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Proof: {escape(title)}</title>",
        f"<style>{STYLE}</style></head><body><h1>Proof of {escape(title)}</h1>",
        f"<p class='summary'>{len(proof.pages)} pages · {verdict} · {accepted} accepted in content/proof.yaml</p>",
    ]
    if stale:
        items = "".join(f"<li><code>content/proof.yaml:{a.where}</code> {escape(a.rule)} {escape(a.file)}</li>"
                        for a in stale)  # fmt: skip
        parts.append(f"<p class='bad'>Acceptances that match nothing any more (remove them):</p><ul>{items}</ul>")
    by_page: dict[int, list[Finding]] = {}
    for finding in proof.findings:
        by_page.setdefault(finding.page, []).append(finding)
    for index, findings in by_page.items():
        page = proof.pages[index]
        image = pictures.marked(pdf_page(index), page, [r for f in findings if not f.accepted for r in f.rects])
        rows = "".join(_row(finding) for finding in findings)
        parts.append(
            f"<section class='page'><img src='{pictures.data_url(image, 'JPEG')}' alt='page {index + 1}'>"
            f"<div><h2>{escape(findings[0].page_label)}</h2><table><tr><th>rule</th><th>where</th>"
            f"<th>excerpt</th><th>what</th></tr>{rows}</table></div></section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


def _row(finding: Finding) -> str:
    what = escape(finding.message)
    if finding.accepted:
        what += f"<br><span class='reason'>accepted: {escape(finding.accepted)}</span>"
    elif finding.hint:
        what += f"<br><small>{escape(finding.hint)}</small>"
    css = " class='accepted'" if finding.accepted else ""
    return (f"<tr{css}><td><span class='rule'>{escape(finding.rule)}</span></td>"
            f"<td><code>{escape(finding.location)}</code></td><td class='excerpt'>{escape(finding.excerpt)}</td>"
            f"<td>{what}</td></tr>")  # fmt: skip
