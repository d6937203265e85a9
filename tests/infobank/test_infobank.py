"""The children's info bank (issue 13): both parents keep one dated source of facts about each
child; every field shows who set it and when, with its earlier values; a nanny sees only what
is marked for care; a passport number shows only on reveal, and each reveal is logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.http import Http404

from coparent.core.notify import Kind as NotifyKind
from coparent.infobank import selectors
from coparent.infobank.models import InfoItem, InfoItemVersion, RevealLog
from coparent.infobank.services import (
    InfoBankProblem,
    item_add,
    item_change,
    item_remove,
    reveal,
)
from coparent.notifications.models import Notification
from coparent.records.export import build_export, export_html
from coparent.records.models import Kind, RecordEntry

PASSPORT = "NXC4PR7Q2"
JAN = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _passport(cast):
    return item_add(
        access=cast.access(cast.alex),
        child=cast.mia,
        kind="identity",
        values={"document": "passport", "number": PASSPORT, "country": "NL"},
        at=JAN,
    )


def test_a_sequence_of_changes_by_both_parents_shows_every_earlier_value_with_who_and_when(
    cast,
):
    # Alex adds Mia's shoe size; Sam updates it in spring; Alex adds the clothes size in autumn.
    item = item_add(
        access=cast.access(cast.alex),
        child=cast.mia,
        kind="sizes",
        values={"shoes": "EU 29"},
        at=JAN,
    )
    item_change(
        access=cast.access(cast.sam),
        item=item,
        values={"shoes": "EU 30"},
        at=JAN + timedelta(days=90),
    )
    item_change(
        access=cast.access(cast.alex),
        item=item,
        values={"shoes": "EU 30", "clothes": "128"},
        at=JAN + timedelta(days=250),
    )

    history = selectors.item_history(
        cast.access(cast.sam), selectors.get_item(cast.access(cast.sam), item.pk)
    )
    said = [
        (line.version.set_by.display_name, line.version.set_at, dict(line.values))
        for line in history.versions
    ]
    assert said == [
        ("Alex", JAN + timedelta(days=250), {"Clothes": "128", "Shoes": "EU 30"}),
        ("Sam", JAN + timedelta(days=90), {"Shoes": "EU 30"}),
        ("Alex", JAN, {"Shoes": "EU 29"}),
    ]
    assert history.versions[0].changed == ["Clothes"]
    # Each field as it stands names the one who set it to that, and when.
    fields = {f.name: (f.value, f.set_by, f.set_at) for f in history.current.fields}
    assert fields == {
        "clothes": ("128", "Alex", JAN + timedelta(days=250)),
        "shoes": ("EU 30", "Sam", JAN + timedelta(days=90)),
    }
    # The record holds each step, in order.
    kinds = list(
        RecordEntry.objects.filter(family=cast.family, kind__startswith="infobank.")
        .order_by("seq")
        .values_list("kind", "data__fields")
    )
    assert kinds == [
        (Kind.INFO_ADDED, ["shoes"]),
        (Kind.INFO_CHANGED, ["shoes"]),
        (Kind.INFO_CHANGED, ["clothes"]),
    ]


def test_a_removed_item_leaves_the_bank_but_keeps_its_history(cast):
    item = item_add(
        access=cast.access(cast.alex),
        child=cast.mia,
        kind="medicine",
        values={"name": "Amoxicillin", "dose_amount": "5", "dose_unit": "ml"},
    )
    item_remove(access=cast.access(cast.sam), item=item)
    bank = selectors.child_bank(cast.access(cast.alex), cast.mia)
    assert bank.empty
    history = selectors.item_history(
        cast.access(cast.alex), selectors.get_item(cast.access(cast.alex), item.pk)
    )
    assert [line.version.removed for line in history.versions] == [True, False]
    with pytest.raises(InfoBankProblem):
        item_change(access=cast.access(cast.alex), item=item, values={"name": "X"})


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"dose_amount": "5", "dose_unit": "ml"}, "name"),
        ({"name": "Ibuprofen", "dose_amount": "5"}, "dose_unit"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(cast, values, field):
    before = RecordEntry.objects.filter(family=cast.family).count()
    with pytest.raises(InfoBankProblem) as error:
        item_add(access=cast.access(cast.alex), child=cast.mia, kind="medicine", values=values)
    assert error.value.field == field
    assert not InfoItem.objects.filter(family=cast.family).exists()
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_only_parents_write(cast):
    for user in (cast.morgan, cast.vic):
        with pytest.raises(PermissionDenied):
            item_add(
                access=cast.access(user),
                child=cast.mia,
                kind="allergy",
                values={"allergen": "Peanuts"},
            )


def test_a_viewer_sees_only_what_is_marked_for_care(cast):
    alex = cast.access(cast.alex)
    item_add(access=alex, child=cast.mia, kind="allergy", values={"allergen": "Peanuts"})
    item_add(access=alex, child=cast.mia, kind="school", values={"school": "Oak Primary"})
    unmarked = item_add(
        access=alex,
        child=cast.mia,
        kind="medicine",
        for_care=False,
        values={"name": "Melatonin", "dose_amount": "1", "dose_unit": "mg"},
    )
    vic = cast.access(cast.vic)
    bank = selectors.child_bank(vic, cast.mia)
    shown = [view.title for part in bank.sections for view in part.items]
    assert shown == ["Peanuts"]
    assert [part.section.key for part in bank.sections] == ["allergies"]
    # The parents mark it for care: now the nanny sees it too.
    item_change(
        access=alex,
        item=unmarked,
        for_care=True,
        values={"name": "Melatonin", "dose_amount": "1", "dose_unit": "mg"},
    )
    card = selectors.emergency_card(vic, cast.mia)
    assert [v.title for p in card.sections for v in p.items] == ["Peanuts", "Melatonin 1 mg"]
    # The parents and the mediator see the school.
    for user in (cast.sam, cast.morgan):
        titles = [
            v.title
            for p in selectors.child_bank(cast.access(user), cast.mia).sections
            for v in p.items
        ]
        assert "Oak Primary" in titles


def test_a_passport_number_shows_only_on_reveal_and_each_reveal_is_logged(cast):
    item = _passport(cast)
    for user in (cast.alex, cast.sam, cast.morgan):
        bank = selectors.child_bank(cast.access(user), cast.mia)
        (view,) = [v for p in bank.sections for v in p.items]
        assert PASSPORT not in json.dumps([f.value for f in view.fields])
        assert "••••••7Q2" in [f.value for f in view.fields]
    first = reveal(access=cast.access(cast.sam), item=item)
    reveal(access=cast.access(cast.alex), item=item)
    assert first.value == PASSPORT
    assert list(
        RevealLog.objects.filter(item=item).values_list("user__display_name", flat=True)
    ) == ["Alex", "Sam"]
    revealed = RecordEntry.objects.filter(family=cast.family, kind=Kind.INFO_REVEALED)
    assert revealed.count() == 2
    with pytest.raises(PermissionDenied):
        reveal(access=cast.access(cast.morgan), item=item)
    # Nothing in the record holds the number in clear; the export neither.
    record = json.dumps(list(RecordEntry.objects.filter(family=cast.family).values("data")))
    assert PASSPORT not in record
    added = RecordEntry.objects.get(family=cast.family, kind=Kind.INFO_ADDED)
    assert added.data["values"]["number"].startswith("sha256:")


def test_the_family_export_holds_the_info_bank_history_without_the_number(cast):
    item = _passport(cast)
    item_change(
        access=cast.access(cast.sam),
        item=item,
        values={"document": "passport", "number": "NXD9ZZ001", "country": "NL"},
    )
    document = build_export(family=cast.family, reader=cast.alex)
    kinds = [e["kind"] for e in document["entries"]]
    assert kinds.count(Kind.INFO_ADDED) == 1 and kinds.count(Kind.INFO_CHANGED) == 1
    text = json.dumps(document)
    assert PASSPORT not in text and "NXD9ZZ001" not in text
    changed = next(e for e in document["entries"] if e["kind"] == Kind.INFO_CHANGED)
    assert changed["data"]["fields"] == ["number"]
    reveal(access=cast.access(cast.alex), item=item)
    # The PDF's words: each change in plain language, never the number.
    html = unescape(
        export_html(build_export(family=cast.family, reader=cast.sam), family=cast.family)
    )
    assert "Alex added to Mia's info bank: passport or ID “Passport (NL)”" in html
    assert "Sam changed Mia's passport or ID “Passport (NL)” (number)" in html
    assert "Alex revealed the number of Mia's passport or ID" in html
    assert PASSPORT not in html and "NXD9ZZ001" not in html


def test_the_other_parent_is_told_without_the_content(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item_add(
            access=cast.access(cast.alex),
            child=cast.mia,
            kind="allergy",
            values={"allergen": "Peanuts", "severity": "severe"},
        )
    (news,) = Notification.objects.filter(recipient=cast.sam)
    assert news.kind == NotifyKind.INFOBANK
    assert news.title == "Alex added to Mia's info bank"
    assert news.body == "Allergies"
    assert "Peanuts" not in f"{news.title} {news.body}"
    assert not Notification.objects.filter(recipient__in=[cast.alex, cast.morgan, cast.vic])


def test_versions_are_append_only(cast):
    item = _passport(cast)
    with pytest.raises(DatabaseError), transaction.atomic():
        InfoItemVersion.objects.filter(item=item).update(values={})
    with pytest.raises(DatabaseError), transaction.atomic():
        InfoItem.objects.filter(pk=item.pk).update(kind="allergy")


def test_another_familys_item_is_not_there(cast):
    item = _passport(cast)
    with pytest.raises(Http404):
        selectors.get_item(cast.access(cast.olivia, cast.other_family), item.pk)
