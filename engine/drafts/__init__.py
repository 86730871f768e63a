"""Draft versions edited in the browser: live checks, stable XML, revisions (README)."""
