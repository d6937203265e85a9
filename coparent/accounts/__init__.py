"""Accounts: people, their credentials, sessions, API tokens and the security audit log."""
