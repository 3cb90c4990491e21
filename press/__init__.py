"""The guide press: bilingual content → Jinja2 HTML → WeasyPrint → checked PDFs."""

__version__ = "0.1.0"
