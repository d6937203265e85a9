"""Audit receivers (filled in by the accounts work)."""
