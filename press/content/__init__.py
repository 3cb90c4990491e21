"""Stage 1, content: takes ``content/`` (guide.yaml, chapter files, data, editions.yaml)
and gives the validated, typed Guide and its Editions (errors carry file:line)."""
