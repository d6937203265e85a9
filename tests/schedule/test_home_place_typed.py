"""A home's address typed as the exchange place (docs/safety.md): Alex writes "742 Evergreen
Terrace" instead of choosing "At Alex's home". The plan stores the home (`home:A`), never the
address, and Alex is told so; a plan in force that still says the address as free text is
offered as the home when a parent opens the editor. Nothing Alex could type tells him where Sam
lives when Sam's safe mode is on."""

from __future__ import annotations

from datetime import date

from coparent.families.services import home_set
from coparent.schedule.models import PlanVersion
from coparent.schedule.services import plan_accept, plan_propose
from tests.kit import client_for
from tests.schedule.conftest import plan_data
from tests.schedule.conftest import soon as soon  # the fixture: a date a little ahead
from tests.schedule.test_plan_editor import as_posted

ALEXS = "742 Evergreen Terrace\nSpringfield, OR 97403"
SAMS = "12 Quiet Lane\nShelbyville"


def test_alex_types_his_own_address_and_the_plan_names_his_home(cast, soon: date):
    home_set(access=cast.access(cast.alex), address=ALEXS, safe_mode=True)

    version = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(exchange_place="742 evergreen terrace."),
        effective_from=soon,
    )

    assert PlanVersion.objects.get(pk=version.pk).plan["exchange_place"] == "home:A"


def test_the_whole_address_on_one_line_is_the_home_too_and_other_places_stay(cast, soon):
    home_set(access=cast.access(cast.alex), address=ALEXS, safe_mode=False)
    alex = cast.access(cast.alex)

    first = plan_propose(
        access=alex,
        plan=plan_data(exchange_place="742 Evergreen Terrace, Springfield, OR 97403"),
        effective_from=soon,
    )
    assert first.plan["exchange_place"] == "home:A"
    plan_accept(access=cast.access(cast.sam), version=first)
    # A place that only mentions the street is somewhere else (the corner shop, say).
    second = plan_propose(
        access=alex,
        plan=plan_data(exchange_place="Corner shop by 742 Evergreen Terrace"),
        effective_from=soon,
    )
    assert second.plan["exchange_place"] == "Corner shop by 742 Evergreen Terrace"


def test_sams_hidden_address_typed_by_alex_stays_as_alex_typed_it(cast, soon):
    """Turning it into "Sam's home" would tell Alex that he guessed where Sam lives."""
    home_set(access=cast.access(cast.sam), address=SAMS, safe_mode=True)

    version = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(exchange_place="12 Quiet Lane"),
        effective_from=soon,
    )

    assert PlanVersion.objects.get(pk=version.pk).plan["exchange_place"] == "12 Quiet Lane"


def test_sam_is_told_on_the_page_that_the_plan_names_his_home(cast, soon):
    home_set(access=cast.access(cast.sam), address=SAMS, safe_mode=True)
    sam = client_for(cast.sam)
    url = f"/families/{cast.family.pk}/schedule/plan/"
    data = as_posted(sam.get(url).context["edit"])
    data.update(
        {
            "pattern": "alternating-weeks",
            "start": "2027-01-04",
            "exchange_time": "18:00",
            "timezone": "America/Chicago",
            "exchange_home": "",
            "exchange_place": "12 quiet lane",
            "effective_from": soon.isoformat(),
            "action": "propose",
        }
    )

    answer = sam.post(url, data, follow=True)

    assert answer.status_code == 200
    assert PlanVersion.objects.get(family=cast.family).plan["exchange_place"] == "home:B"
    page = answer.content.decode()
    assert "the plan names the home instead (Sam&#x27;s home, 12 Quiet Lane, Shelbyville)" in page


def test_a_plan_in_force_with_the_address_typed_is_offered_as_the_home(cast, soon):
    """Written before homes could be chosen: the editor offers "At Alex's home" in its place,
    and the plan's own version keeps the words the parents agreed."""
    first = plan_propose(
        access=cast.access(cast.alex),
        plan=plan_data(exchange_place="742 Evergreen Terrace"),
        effective_from=soon,
    )
    plan_accept(access=cast.access(cast.sam), version=first)
    home_set(access=cast.access(cast.alex), address=ALEXS, safe_mode=True)

    editor = client_for(cast.alex).get(f"/families/{cast.family.pk}/schedule/plan/")

    form = editor.context["edit"].form
    assert form.initial["exchange_home"] == "home:A"
    assert form.initial["exchange_place"] == ""
    assert PlanVersion.objects.get(pk=first.pk).plan["exchange_place"] == "742 Evergreen Terrace"
    # Sam opening the editor is not offered Alex's hidden home from the words.
    sams = client_for(cast.sam).get(f"/families/{cast.family.pk}/schedule/plan/")
    assert sams.context["edit"].form.initial.get("exchange_home", "") == ""
