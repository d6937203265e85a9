"""Safe mode and the info bank (issue #17, point 3; docs/safety.md): Sam keeps his home address
private from Alex, so the info bank — read by Alex, the mediator and the nanny — must not carry
it either. Sam is stopped when he types it into an item; an item written before he turned
safe mode on shows the others "Sam's home (address private)", Alex can still change that
contact's phone without reading or erasing the address, and the record keeps it only as a
commitment."""

from __future__ import annotations

import json

import pytest

from coparent.core.infobank import commit
from coparent.families.services import home_set
from coparent.infobank.models import InfoItemVersion
from coparent.infobank.services import InfoBankProblem, item_add, item_change, item_remove
from coparent.records.models import Kind, RecordEntry
from tests.kit import API, client_for

ADDRESS = "742 Evergreen Terrace\nSpringfield, OR 97403"
STREET = "Evergreen Terrace"
PRIVATE = "Sam's home (address private)"


def _contact(cast, address: str = "742 Evergreen Terrace"):
    """Sam's doctor, whose practice is at Sam's house (the address as Sam typed it)."""
    return item_add(
        access=cast.access(cast.sam),
        child=cast.mia,
        kind="doctor",
        values={"name": "Dr Flanders", "role": "doctor", "phone": "555 0101", "address": address},
    )


@pytest.fixture
def written_before(cast):
    """Sam wrote his address into Mia's bank, then kept it as his home with safe mode on."""
    item = _contact(cast)
    home_set(access=cast.access(cast.sam), address=ADDRESS, safe_mode=True)
    return item


def _reads(cast, user, item) -> dict[str, str]:
    fam = f"/families/{cast.family.pk}"
    client = client_for(user)
    reads = {
        "bank": client.get(f"{fam}/info/{cast.mia.pk}/"),
        "card": client.get(f"{fam}/info/{cast.mia.pk}/card/"),
        "API list": client.get(f"{API}/families/{cast.family.pk}/children/{cast.mia.pk}/info"),
        "API card": client.get(
            f"{API}/families/{cast.family.pk}/children/{cast.mia.pk}/emergency-card"
        ),
    }
    if user != cast.vic:
        reads["item"] = client.get(f"{fam}/info/items/{item.pk}/")
        reads["API item"] = client.get(f"{API}/families/{cast.family.pk}/info/{item.pk}")
    if user in (cast.alex, cast.sam):
        reads["change form"] = client.get(f"{fam}/info/items/{item.pk}/change/")
    for name, response in reads.items():
        assert response.status_code == 200, (name, response.status_code)
    return {name: response.content.decode() for name, response in reads.items()}


def test_sam_in_safe_mode_cannot_write_his_address_into_the_bank(cast):
    home_set(access=cast.access(cast.sam), address=ADDRESS, safe_mode=True)

    with pytest.raises(InfoBankProblem) as refused:
        _contact(cast, address="742 evergreen terrace, Springfield")

    assert "your safe mode is on" in str(refused.value.problems)
    assert refused.value.problems[0][0] == "address"
    # Through the API, the same answer beside the field; nothing is written.
    answer = client_for(cast.sam).post(
        f"{API}/families/{cast.family.pk}/children/{cast.mia.pk}/info",
        json.dumps(
            {
                "kind": "emergency_contact",
                "values": {
                    "name": "Me",
                    "phone": "555 0102",
                    "notes": "Home: 742 Evergreen Terrace",
                },
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "notes" in answer.json()["errors"]
    assert not InfoItemVersion.objects.filter(family=cast.family).exists()


def test_without_safe_mode_sam_writes_what_he_likes(cast):
    home_set(access=cast.access(cast.sam), address=ADDRESS, safe_mode=False)

    item = _contact(cast)

    assert STREET in _reads(cast, cast.alex, item)["bank"]


def test_alex_is_never_told_whether_what_he_types_is_sams_hidden_address(cast):
    """A refusal would tell Alex where Sam lives: Alex's write is taken as any other."""
    home_set(access=cast.access(cast.sam), address=ADDRESS, safe_mode=True)

    item = item_add(
        access=cast.access(cast.alex),
        child=cast.mia,
        kind="activity",
        values={"name": "Piano", "place": "742 Evergreen Terrace"},
    )

    assert item.pk is not None


@pytest.mark.parametrize("reader", ["alex", "morgan", "vic"])
def test_an_item_written_before_safe_mode_shows_the_others_only_the_label(
    cast, written_before, reader
):
    user = getattr(cast, reader)
    if reader == "vic":  # the nanny sees items marked for care, a doctor is one
        assert InfoItemVersion.objects.get(item=written_before).for_care

    bodies = _reads(cast, user, written_before)

    leaks = {name for name, body in bodies.items() if STREET in body}
    assert not leaks
    assert PRIVATE in bodies["bank"] or PRIVATE.replace("'", "&#x27;") in bodies["bank"]


def test_sam_reads_his_own_address_in_the_bank(cast, written_before):
    bodies = _reads(cast, cast.sam, written_before)

    assert all(STREET in body for name, body in bodies.items())


def test_alex_changes_the_doctors_phone_without_reading_or_erasing_the_address(
    cast, written_before
):
    fam = f"/families/{cast.family.pk}"
    alex = client_for(cast.alex)
    form = alex.get(f"{fam}/info/items/{written_before.pk}/change/").content.decode()
    assert STREET not in form

    # The form posts back what it showed: the label stands for the address kept.
    changed = alex.post(
        f"{fam}/info/items/{written_before.pk}/change/",
        {"name": "Dr Flanders", "role": "doctor", "phone": "555 0199", "address": PRIVATE},
    )

    assert changed.status_code == 302
    latest = InfoItemVersion.objects.filter(item=written_before).order_by("-n").first()
    assert latest.values["address"] == "742 Evergreen Terrace"
    assert latest.values["phone"] == "555 0199"
    # The API answers the same way to a client that sends back what it read.
    read = alex.get(f"{API}/families/{cast.family.pk}/info/{written_before.pk}").json()
    sent = alex.put(
        f"{API}/families/{cast.family.pk}/info/{written_before.pk}",
        json.dumps(
            {
                "values": {
                    "name": "Dr Flanders",
                    "role": "doctor",
                    "phone": "555 0200",
                    "address": read["values"]["address"],
                }
            }
        ),
        content_type="application/json",
    )
    assert sent.status_code == 200, sent.content[:300]
    assert STREET not in sent.content.decode()
    latest = InfoItemVersion.objects.filter(item=written_before).order_by("-n").first()
    assert latest.values["address"] == "742 Evergreen Terrace"
    assert latest.values["phone"] == "555 0200"


def test_the_record_keeps_a_private_address_only_as_a_commitment(cast, written_before):
    item_change(
        access=cast.access(cast.alex),
        item=written_before,
        values={"name": "Dr Flanders", "role": "doctor", "phone": "555 0199", "address": PRIVATE},
    )
    version = item_remove(access=cast.access(cast.sam), item=written_before)

    entries = RecordEntry.objects.filter(
        family=cast.family, kind__in=[Kind.INFO_CHANGED, Kind.INFO_REMOVED]
    ).order_by("seq")
    assert [e.kind for e in entries] == [Kind.INFO_CHANGED, Kind.INFO_REMOVED]
    assert all(STREET not in json.dumps(e.data) for e in entries)
    assert entries.last().data["values"]["address"] == "sha256:" + commit(
        "742 Evergreen Terrace", f"{version.salt}:address"
    )
