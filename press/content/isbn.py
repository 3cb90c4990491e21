"""ISBN-13 validation (the barcode is drawn by ``press/render/barcode.py``)."""

from __future__ import annotations


def digits(isbn: str) -> str:
    return "".join(ch for ch in isbn if ch.isdigit())


def check_digit(first12: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def isbn_problem(isbn: str) -> str | None:
    """Why ``isbn`` is not a valid ISBN-13, or None."""
    number = digits(isbn)
    if len(number) != 13 or not number.startswith(("978", "979")):
        return f"ISBN {isbn!r} must have 13 digits starting with 978 or 979"
    if check_digit(number[:12]) != int(number[12]):
        return f"ISBN {isbn!r} has a wrong check digit (expected {check_digit(number[:12])})"
    return None
