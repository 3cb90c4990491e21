"""Stage 2, render: takes a Guide and one Edition and gives its HTML
(Markdown bodies, charts, catalogs and Babel formatting, Jinja templates)."""
