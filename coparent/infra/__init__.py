"""The Django-aware foundation under every app: errors, email, rate limits, link tokens, keys,
settings helpers. Like `coparent.core` it imports no app; unlike it, it may import Django."""
