"""Which language a paragraph is in, cheaply: the share of each language's commonest words.

Honest about what it is: function words (articles, prepositions, pronouns)
make up a third of running text in these languages and rarely coincide, so
a paragraph of a dozen words or more whose function words belong to another
language is almost surely in that language. Names of organisations and short
fragments have too few of them to count, and are left alone. A language
without a list here is not checked.
"""

from __future__ import annotations

import re


def _listed(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS: dict[str, frozenset[str]] = {
    "es": _listed(
        "el la los las un una unos unas de del al y e o u que en con por para como pero sus su se lo le les "
        "es son fue ha han este esta estos estas ese esa entre sobre sin desde hasta también más muy cuando "
        "donde porque ya no"
    ),
    "en": _listed(
        "the a an of and or that in on with by for as but their its is are was were has have this these "
        "those between about without from until also more very when where because which who not be it to"
    ),
    "pt": _listed(
        "o a os as um uma de do da dos das e ou que em no na nos nas com por para como mas seu sua se é são "
        "foi tem este esta entre sobre sem desde até também mais muito quando onde porque não"
    ),
    "fr": _listed(
        "le la les un une des de du et ou que en dans avec par pour comme mais leur leurs son sa ses se est "
        "sont été a ont ce cette ces entre sur sans depuis jusqu aussi plus très quand où parce ne pas"
    ),
}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def words(text: str) -> list[str]:
    return [word.casefold() for word in WORD.findall(text)]


def other_language(text: str, lang: str, min_words: int, min_share: float) -> tuple[str, float] | None:
    """(language, share of its function words) when ``text`` reads as another language than ``lang``."""
    if lang not in STOP_WORDS:
        return None
    found = words(text)
    if len(found) < min_words:
        return None
    shares = {code: sum(word in stop for word in found) / len(found) for code, stop in STOP_WORDS.items()}
    best = max(shares, key=lambda code: shares[code])
    if best == lang or shares[best] < min_share or shares[best] <= 1.5 * shares[lang]:
        return None
    return best, shares[best]
