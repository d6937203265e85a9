"""The tamper-evident family record: canonical JSON, hash chain, signed head, offline verifier.

Pure Python (no Django). ``chain`` builds entries and signs heads; ``verify`` checks an export
and is written to be read, copied and run on its own.
"""

from coparent.core.record.chain import (
    BODY_KEYS,
    GENESIS_PREV,
    STUB_KEYS,
    Entry,
    canonical_json,
    entry_hash,
    format_at,
    head_message,
    key_fingerprint,
    make_entry,
    public_key_text,
    sign_head,
    stub_of,
)
from coparent.core.record.verify import FORMAT, Verdict, verify_document, verify_file

__all__ = [
    "BODY_KEYS",
    "FORMAT",
    "GENESIS_PREV",
    "STUB_KEYS",
    "Entry",
    "Verdict",
    "canonical_json",
    "entry_hash",
    "format_at",
    "head_message",
    "key_fingerprint",
    "make_entry",
    "public_key_text",
    "sign_head",
    "stub_of",
    "verify_document",
    "verify_file",
]
