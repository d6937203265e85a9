"""Story 11 with a mediator: Alex shares two entries of his private journal with Morgan. Morgan
downloads what Alex shared with its proof: exactly those entries, every version, each at its
place in Alex's signed chain — and nothing of the entries Alex kept to himself, not one word.
The file verifies offline; edited, it does not. Sam never reaches it; Morgan loses it with
consent."""

from __future__ import annotations

import json

import pytest

from coparent.core.record.verify_journal import verify_journal
from coparent.families.services import consent_withdraw
from coparent.journal import services
from coparent.journal.export import build_shared_journal

PRIVATE = "I am thinking of moving to Leeds."


@pytest.fixture
def shared(cast, write):
    late = write("Sam was 40 minutes late at the gate.")
    write(PRIVATE)
    services.entry_correct(
        access=cast.access(cast.alex), entry=late, text="Sam was 45 minutes late at the gate."
    )
    bag = write("Mia came back without her school bag.")
    for entry in (late, bag):
        services.entry_share(
            access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
        )
    return late, bag


def _url(cast) -> str:
    return f"/families/{cast.family.pk}/journal/shared/export/{cast.alex.pk}.json"


def test_morgan_downloads_what_alex_shared_and_it_verifies(cast, shared):
    late, bag = shared
    morgan = cast.client_for(cast.morgan)
    listing = morgan.get(f"/families/{cast.family.pk}/journal/shared/").content.decode()
    assert _url(cast) in listing

    response = morgan.get(_url(cast))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    document = json.loads(response.content)

    assert verify_journal(document).ok
    assert {e["id"] for e in document["entries"]} == {str(late.pk), str(bag.pk)}
    (late_out,) = [e for e in document["entries"] if e["id"] == str(late.pk)]
    assert [v["text"] for v in late_out["versions"]] == [
        "Sam was 40 minutes late at the gate.",
        "Sam was 45 minutes late at the gate.",
    ]
    # The private entry's place in the chain is there, its content is not.
    assert len(document["chain"]) == 4 and document["withheld"] == [2]
    assert PRIVATE not in response.content.decode() and document["anchors"] == []


def test_a_shared_version_edited_in_the_file_fails_verification(cast, shared):
    document = build_shared_journal(cast.access(cast.morgan), cast.alex.pk)
    document["entries"][0]["versions"][0]["text"] = "Sam was on time."
    verdict = verify_journal(document)
    assert not verdict.ok and "hash does not match" in verdict.reason


def test_a_withheld_link_cannot_carry_a_version(cast, shared):
    document = build_shared_journal(cast.access(cast.morgan), cast.alex.pk)
    document["withheld"] = [1, 2]  # claims the first link, whose version is in the file
    assert "a withheld link has its version here" in verify_journal(document).reason


def test_only_morgan_reaches_it_and_only_while_the_parents_consent(cast, shared):
    assert cast.client_for(cast.sam).get(_url(cast)).status_code == 403
    assert cast.client_for(cast.alex).get(_url(cast)).status_code == 403
    assert cast.client_for(cast.vic).get(_url(cast)).status_code == 403
    assert cast.client_for(cast.olivia).get(_url(cast)).status_code == 404
    # Nothing of Sam's is shared with Morgan: the same 404 as an unknown author.
    morgan = cast.client_for(cast.morgan)
    sams = f"/families/{cast.family.pk}/journal/shared/export/{cast.sam.pk}.json"
    assert morgan.get(sams).status_code == 404

    consent_withdraw(access=cast.access(cast.sam), professional=cast.mediator)
    assert morgan.get(_url(cast)).status_code in (403, 404)
