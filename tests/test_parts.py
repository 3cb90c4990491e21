"""Cutting an edition's HTML into parts, and the documents that lay a part out alone."""

from __future__ import annotations

import pytest

from press.pdf import parts

HTML = """<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>Libro</title></head>
<body class="b">
<section class="cover" id="cover"><h1>Título</h1></section>
<nav class="toc" id="toc"><ol><li><a href="#one">Uno</a><li><a href="#two">Dos</a></ol></nav>
<section class="chapter" id="one"><p>Texto<br>con <img src="a.png" alt="a"> imagen.<p>Ver \
<a href="#fig">figura</a>.</section>
<section class="chapter" id="two"><figure id="fig"><svg><rect/></svg></figure></section>
</body></html>"""


def test_split_finds_the_top_level_elements_and_keeps_their_text_exactly():
    book = parts.split(HTML)
    assert [unit.start_tag for unit in book.units] == [
        '<section class="cover" id="cover">',
        '<nav class="toc" id="toc">',
        '<section class="chapter" id="one">',
        '<section class="chapter" id="two">',
    ]
    assert book.head.endswith('<body class="b">')
    assert book.tail.startswith("</body>")
    # A unit is its span of the document, unparsed: implicit ends (<li>, <p>) and void tags included.
    one = HTML[book.units[2].start : book.units[2].end]
    assert one.startswith('<section class="chapter" id="one"><p>Texto<br>') and one.endswith("figura</a>.</section>")
    assert "\\" not in one
    assert HTML[book.units[1].start : book.units[1].end].endswith("Dos</a></ol></nav>")


def test_group_collects_ids_and_the_anchors_a_part_points_at_elsewhere():
    book = parts.split(HTML)
    cut = parts.group(book, {2, 3})
    assert [(p.first, p.last) for p in cut] == [(0, 1), (2, 2), (3, 3)]
    assert cut[0].ids == frozenset({"cover", "toc"})
    assert cut[0].refs == ("one", "two")
    assert cut[1].refs == ("fig",)
    assert cut[2].refs == ()


def test_a_part_document_has_its_stub_its_anchor_pages_and_its_first_page_number():
    book = parts.split(HTML)
    cut = parts.group(book, {2, 3})
    html, css, lead = parts.document(book, cut[1], cut, 41, {"fig": 44})
    assert not lead  # it opens on a right-hand page: it can be its document's first page
    assert "@page :first { counter-set: page 41; }" in css
    assert '<section id="press-stub" class="chapter"></section>' in html  # the next part's opening element
    assert '<div id="fig"></div>' in html and "counter-set: page 44;" in css
    assert "<title>" not in html  # metadata comes from the first part only
    html, css, lead = parts.document(book, cut[1], cut, 42, {"fig": 44})
    assert lead and "counter-set: page 41;" in css  # a left-hand start: lead page 41, its own first page 42
    assert parts.expected_first_index(42, lead=True) == 1
    assert parts.expected_first_index(41, lead=True) == 2
    assert parts.expected_first_index(41, lead=False) == 0


def test_anchors_share_a_page_by_number_and_the_css_says_which():
    """One anchor page per page number (a Notes chapter links back to every call: one page each was
    a document of 174 pages); the CSS, which the cache key is made from, names each page's elements."""
    book = parts.split(HTML)
    cut = parts.group(book, {2, 3})
    html, css, _ = parts.document(book, cut[0], cut, 1, {"one": 5, "two": 5})
    other_html, other_css, _ = parts.document(book, cut[0], cut, 1, {"one": 5, "two": 9})
    assert css.count("@page press-anchor-") == 1 and css.count("counter-set: page 5;") == 1
    assert '<div class="press-anchor press-anchor-0"><div id="one"></div><div id="two"></div></div>' in html
    assert other_css.count("counter-set: page 5;") == 1 and other_css.count("counter-set: page 9;") == 1
    swapped_html, swapped_css, _ = parts.document(book, cut[0], cut, 1, {"one": 9, "two": 5})
    assert swapped_html == other_html and swapped_css != other_css  # the same pages, other numbers
    same_html, same_css, _ = parts.document(book, cut[0], cut, 3, {"one": 3, "two": 3})  # a part printing none
    assert same_html == html and same_css == css.replace("page 5;", "page 3;")


def test_first_page_rules_are_detected_but_not_first_child():
    assert parts.uses_first_page(["@page :first { margin: 0 }"])
    assert not parts.uses_first_page(["p:first-child { margin: 0 } li:first-of-type {}"])


def test_a_document_without_body_elements_is_refused():
    with pytest.raises(ValueError, match="no <body>"):
        parts.split("<html><body></body></html>")
