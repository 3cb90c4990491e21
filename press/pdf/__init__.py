"""Stage 3, pdf: takes an edition's HTML and gives PDF bytes (WeasyPrint in a
sandbox, prepared fonts and images, crop marks, cover spreads, assembly of parts)."""
