"""Stage 4, checks: take the content or a produced PDF and give the problems
a person must fix (preflight rules per profile, translation parity)."""
