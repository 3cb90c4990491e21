"""Word in and out: a .docx → a chapter file of the content model (and its media), checked like ``check``;
a chapter or an edition → a .docx for review, styled like the guide, that imports back with a readable diff."""
