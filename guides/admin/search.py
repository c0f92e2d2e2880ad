"""Admin for search (issue 8)."""
