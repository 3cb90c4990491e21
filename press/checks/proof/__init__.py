"""Proofing: takes an edition's laid-out pages (WeasyPrint boxes) or its PDF, gives the
typographic problems with their source lines (``proof.py``) and the pages changed since approved."""
