"""Admin for glossary (issue 8)."""
