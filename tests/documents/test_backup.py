"""Backups keep the documents' files (they live with the attachments, uploads/attachments) and
a restore checks each against the SHA-256 the database holds, as it does a note's photo."""

from __future__ import annotations

from coparent.backup.backups import check_attachments
from coparent.messaging import attachments
from tests.documents.conftest import court_order


def test_the_restore_check_names_a_missing_or_altered_document_file(cast):
    order = court_order(cast)
    version = order.versions.get()
    path = attachments.path_of(version.stored_name)
    assert version.stored_name not in " ".join(check_attachments())

    path.write_bytes(b"%PDF-1.4 altered after the upload")
    assert f"{version.stored_name}: differs from the SHA-256 the record holds" in (
        check_attachments()
    )
    path.unlink()
    assert f"{version.stored_name}: missing" in check_attachments()
