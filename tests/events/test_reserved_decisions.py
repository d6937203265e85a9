"""Story 2, "Not without my approval": once both parents signed that social media accounts
need both of them, an event that would make that decision one-sided ("Opening Mia's Instagram
account") warns the parent and waits for their word that the other parent agreed."""

from __future__ import annotations

from coparent.agreements.services import clause_propose, clause_sign
from coparent.events.models import ChildEvent
from tests.events.conftest import form_data, url
from tests.families.helpers import client_for


def _social_media_needs_both(cast) -> None:
    clause = clause_propose(
        access=cast.access(cast.sam),
        topic="joint_decisions",
        title="Social media accounts",
        body="Neither parent opens a social media account for the children without the other.",
        terms={"reserved": ["social_media"]},
    )
    clause_sign(access=cast.access(cast.alex), version=clause)


def test_an_event_that_makes_a_reserved_decision_waits_for_the_parents_word(cast):
    _social_media_needs_both(cast)
    alex = client_for(cast.alex)
    data = form_data(cast, title="Opening Mia's Instagram account")

    warned = alex.post(url(cast, "add"), data)

    page = warned.content.decode()
    assert warned.status_code == 200 and not ChildEvent.objects.exists()
    assert "Your agreement says this needs both parents." in page
    assert "Social media accounts" in page and "Opening Mia&#x27;s Instagram account" in page
    assert "requests/new/?kind=social_media" in page

    added = alex.post(url(cast, "add"), {**data, "despite_agreement": "1"})
    assert added.status_code == 302 and ChildEvent.objects.count() == 1


def test_no_warning_without_such_a_clause_or_for_other_words(cast):
    alex = client_for(cast.alex)
    assert alex.post(url(cast, "add"), form_data(cast, title="Her first phone")).status_code == 302
    _social_media_needs_both(cast)
    assert (
        alex.post(url(cast, "add"), form_data(cast, title="Football practice")).status_code == 302
    )
    assert ChildEvent.objects.count() == 2
