"""What runs the stages: takes edition names and gives written, checked files in
output/ (fingerprints and caches, parts laid out in parallel workers, atomic writes)."""
