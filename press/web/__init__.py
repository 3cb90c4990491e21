"""The web edition: the typed Guide and a ``profile: web`` Edition in, a static site out
(``output/web/<edition>/``: one page per chapter, contents, sitemap, images and fonts, no JavaScript)."""
