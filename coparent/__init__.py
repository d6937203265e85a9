"""Coparent: a calm, verifiable place for separated parents to raise their children together."""

__version__ = "0.1.0"
