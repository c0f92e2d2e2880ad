"""Admin for feedback (issue 8)."""
