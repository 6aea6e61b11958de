"""Curation: the source texts, the curated tables and their checks, SSSOM mapping sets, coverage."""
