"""A parent creates a family space, adds the children, and finds everything on the dashboard,
alone at first; the viewer's dashboard shows the children and nothing else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coparent.families import services
from coparent.families.models import Child, Family, Membership
from coparent.families.selectors import age_on, get_family_access
from coparent.records.models import RecordEntry
from tests.events.conftest import add_party
from tests.factories import UserFactory
from tests.families.helpers import call_view, client_for, invite, join


def _dashboard(family) -> str:
    return reverse("families:dashboard", kwargs={"family_id": family.pk})


@pytest.fixture
def jo(db):
    """A parent who has just signed up and belongs to no family yet."""
    return UserFactory(email="jo@example.org", display_name="Jo")


def test_a_parent_creates_a_family_space_and_works_in_it_alone(cast, jo):
    client = client_for(jo)

    response = client.post(reverse("families:create"), {"name": "  Lee family  "})

    family = Family.objects.get(created_by=jo)
    assert response.status_code == 302
    assert response["Location"] == _dashboard(family)
    assert family.name == "Lee family"
    dashboard = client.get(_dashboard(family))
    assert dashboard.status_code == 200
    page = dashboard.content.decode()
    assert "Your family space is ready" in page
    # Alone, with no invitation out: the page nudges Jo to invite the co-parent.
    assert dashboard.context["overview"].invite_coparent
    assert "Invite your co-parent" in page
    # Today comes first: without a plan, the page says so and offers to propose one.
    assert page.index("No parenting plan is in force yet") < page.index("Invite your co-parent")
    # The record starts at once; its entries and hashes are on the record page, not here.
    record = reverse("records:timeline", kwargs={"family_id": family.pk})
    assert record in page
    assert "Hash" not in page
    assert [e.kind for e in RecordEntry.objects.filter(family=family).order_by("-seq")] == [
        "member.joined",
        "family.created",
    ]

    response = client.post(
        reverse("families:child_add", kwargs={"family_id": family.pk}),
        {"name": "Kim", "date_of_birth": "2018-06-30"},
    )
    assert response.status_code == 302
    kim = Child.objects.get(family=family)
    assert (kim.name, kim.date_of_birth) == ("Kim", date(2018, 6, 30))
    page = client.get(_dashboard(family)).content.decode()
    assert "Kim" in page
    record = client.get(reverse("records:timeline", kwargs={"family_id": family.pk}))
    assert "Kim added, born Jun 30, 2018" in record.content.decode()


def test_the_invitation_nudge_goes_once_a_parent_invitation_is_out(cast, jo):
    family = services.family_create(user=jo, name="Lee family")
    access = get_family_access(jo, family.pk)
    client = client_for(jo)
    invite(access, "pat@example.org", "viewer")
    assert client.get(_dashboard(family)).context["overview"].invite_coparent

    invite(access, "sam2@example.org", "parent")

    response = client.get(_dashboard(family))
    assert not response.context["overview"].invite_coparent
    assert "Invite your co-parent" not in response.content.decode()
    assert "sam2@example.org" in response.content.decode()


def test_an_expired_parent_invitation_brings_the_nudge_back(cast, jo):
    family = services.family_create(user=jo, name="Lee family")
    invite(
        get_family_access(jo, family.pk),
        "sam2@example.org",
        "parent",
        at=timezone.now() - timedelta(days=30),
    )
    response = client_for(jo).get(_dashboard(family))
    assert response.context["overview"].invite_coparent
    assert "expired" in response.content.decode()


def test_both_parents_see_the_children_and_members_and_a_link_to_the_record(cast):
    response = client_for(cast.sam).get(_dashboard(cast.family))

    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Mia", "Leo", "Alex", "Sam", "Morgan", "Vic"):
        assert name in page
    assert "Every parent consents: access is active." in page
    assert not response.context["overview"].invite_coparent
    assert reverse("records:timeline", kwargs={"family_id": cast.family.pk}) in page
    assert "entries" not in response.context


def test_the_mediator_sees_each_parents_consent_on_the_dashboard(cast):
    response = client_for(cast.morgan).get(_dashboard(cast.family))

    assert response.status_code == 200
    morgan = next(r for r in response.context["overview"].members if r.is_professional)
    assert [p.display_name for p in morgan.consented] == ["Alex", "Sam"]
    assert morgan.waiting_for == ()
    # A professional has nothing to manage: no quick actions for parents.
    assert "Add a child" not in response.content.decode()


def test_the_viewer_sees_only_the_childrens_first_names_and_ages(cast):
    response = client_for(cast.vic).get(_dashboard(cast.family))

    assert response.status_code == 200
    assert response.templates[0].name == "families/dashboard_viewer.html"
    page = response.content.decode()
    today = timezone.localdate()
    assert "Mia" in page and "Leo" in page
    assert f"{age_on(cast.mia.date_of_birth, today)} years old" in page
    assert "No parenting plan is in force yet" in page
    assert "No child event today." in page
    for hidden in ("Morgan", "Sam", "Mediator", "invited", "Family record", "Members", "Waiting"):
        assert hidden not in page
    assert "overview" not in response.context


def test_a_viewer_sees_a_childs_first_name_only(cast):
    services.child_update(
        access=cast.access(cast.alex),
        child=cast.mia,
        name="Mia Rivera Lopez",
        date_of_birth=cast.mia.date_of_birth,
    )
    page = client_for(cast.vic).get(_dashboard(cast.family)).content.decode()
    assert "Mia" in page
    assert "Rivera Lopez" not in page


def test_the_children_page_lists_children_with_ages_and_edit_links_for_parents(cast):
    url = reverse("families:children", kwargs={"family_id": cast.family.pk})
    edit = reverse(
        "families:child_edit", kwargs={"family_id": cast.family.pk, "child_id": cast.mia.pk}
    )

    as_parent = client_for(cast.alex).get(url)
    as_mediator = client_for(cast.morgan).get(url)

    assert as_parent.status_code == as_mediator.status_code == 200
    assert [r.name for r in as_parent.context["children"]] == ["Mia", "Leo"]
    assert edit in as_parent.content.decode()
    assert "Mia" in as_mediator.content.decode()
    assert edit not in as_mediator.content.decode()


def test_a_parent_corrects_a_childs_details_and_the_record_keeps_both(cast):
    url = reverse(
        "families:child_edit", kwargs={"family_id": cast.family.pk, "child_id": cast.leo.pk}
    )
    client = client_for(cast.sam)
    form = client.get(url)
    assert form.context["form"]["name"].value() == "Leo"

    response = client.post(url, {"name": "Leon", "date_of_birth": "2019-09-14"})

    assert response.status_code == 302
    cast.leo.refresh_from_db()
    assert cast.leo.name == "Leon"
    last = RecordEntry.objects.filter(family=cast.family).order_by("-seq").first()
    assert last.kind == "child.changed"
    assert last.data["changes"] == {"name": {"from": "Leo", "to": "Leon"}}


def test_another_familys_child_cannot_be_edited_through_ones_own_family(cast):
    url = reverse(
        "families:child_edit", kwargs={"family_id": cast.family.pk, "child_id": cast.other_child.pk}
    )
    client = client_for(cast.alex)

    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Taken", "date_of_birth": "2015-01-20"}).status_code == 404
    cast.other_child.refresh_from_db()
    assert cast.other_child.name == "Ada"


TEN_THOUSAND = "x" * 10_000


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": TEN_THOUSAND, "date_of_birth": "2018-01-01"}, "name", "at most 100"),
        ({"name": "   ", "date_of_birth": "2018-01-01"}, "name", "required"),
        ({"name": "Noa", "date_of_birth": "not a date"}, "date_of_birth", "valid date"),
        ({"name": "Noa", "date_of_birth": "1850-01-01"}, "date_of_birth", "after 1900"),
    ],
    ids=["10k-name", "blank-name", "garbled-date", "too-old"],
)
def test_bad_child_details_get_field_errors_and_change_nothing(cast, data, field, message):
    before = RecordEntry.objects.filter(family=cast.family).count()
    url = reverse("families:child_add", kwargs={"family_id": cast.family.pk})

    response = client_for(cast.alex).post(url, data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Child.objects.filter(family=cast.family).count() == 2
    assert RecordEntry.objects.filter(family=cast.family).count() == before


def test_a_date_of_birth_in_the_future_is_refused_by_the_service_on_its_field(cast):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    url = reverse(
        "families:child_edit", kwargs={"family_id": cast.family.pk, "child_id": cast.mia.pk}
    )

    response = client_for(cast.alex).post(url, {"name": "Mia", "date_of_birth": tomorrow})

    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"] == [
        "The date of birth cannot be in the future."
    ]
    cast.mia.refresh_from_db()
    assert cast.mia.date_of_birth == date(2016, 5, 2)


@pytest.mark.parametrize("name", [TEN_THOUSAND, ""], ids=["10k-name", "blank"])
def test_a_bad_family_name_gets_a_field_error(cast, jo, name):
    response = client_for(jo).post(reverse("families:create"), {"name": name})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Membership.objects.filter(user=jo).exists()


def test_creating_a_family_needs_an_account(cast):
    response = client_for(None).get(reverse("families:create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Query counts (STYLE.md 8) -------------------------------------------------------------------


def _party(cast, title: str = "Mia's party", days: int = 2) -> None:
    """An event in the coming week, so the home page's event queries all run."""
    add_party(cast, by=cast.sam, title=title, starts_at=timezone.now() + timedelta(days=days))


def _grow(cast, n: int) -> None:
    """n more record entries, members' changes, children and events: the pages must not query
    per row."""
    access = cast.access(cast.alex)
    for i in range(3):
        _party(cast, f"Game {i}", days=i + 1)
    for i in range(n):
        services.child_update(
            access=access, child=cast.leo, name=f"Leo {i}", date_of_birth=cast.leo.date_of_birth
        )
    for i in range(3):
        services.child_add(access=access, name=f"Twin {i}", date_of_birth=date(2020, 1, 1))
    join(access, UserFactory(display_name="Gran"))
    invite(access, "later@example.org", "viewer")


def test_the_parents_dashboard_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    url = _dashboard(cast.family)
    _party(cast)
    # 1 membership with its family and user (the access path); today: 2 the plan's versions,
    # 3 the week's events with their authors, 4 their children, 5 their answers, 6 the events
    # waiting for this parent's answer, 7 the unread messages, 8 the agreement's clauses
    # waiting for this parent's signature, 9 the requests waiting for this parent's answer,
    # 10 the reimbursement requests waiting for this parent's answer, 11 the payments waiting
    # for this parent's confirmation; then 12 children, 13 active members with their users,
    # 14 the professionals' active consents with the consenting parents, 15 pending
    # invitations with who sent them; 16 the header's unread notifications.
    with django_assert_num_queries(16):
        call_view(cast.alex, url)
    _grow(cast, 30)
    with django_assert_num_queries(16):
        response = call_view(cast.alex, url)
    assert b"Gran" in response.content


def test_the_mediators_dashboard_adds_only_the_consent_check(cast, django_assert_num_queries):
    _party(cast)
    # The sixteen of a parent's dashboard, less the events, the requests and the
    # reimbursements waiting for a parent's answer, the payments waiting for a parent's
    # confirmation and the clauses waiting for a parent's signature (a mediator gives none),
    # plus 2 for the access path's consent check: the family's active parents and the
    # mediator's active consents.
    with django_assert_num_queries(13):
        call_view(cast.morgan, _dashboard(cast.family))


def test_the_viewers_dashboard_runs_six_queries(cast, django_assert_num_queries):
    _party(cast)
    # 1 membership with its family and user (the access path); today: 2 the plan's versions,
    # 3 the week's events, 4 their children (a viewer sees no answers and no messages);
    # 5 children, 6 the header's unread notifications.
    with django_assert_num_queries(6):
        call_view(cast.vic, _dashboard(cast.family))


def test_the_children_page_runs_three_queries(cast, django_assert_num_queries):
    url = reverse("families:children", kwargs={"family_id": cast.family.pk})
    _grow(cast, 0)
    # 1 membership with its family and user (the access path), 2 children, 3 the header's
    # unread notifications.
    with django_assert_num_queries(3):
        response = call_view(cast.alex, url)
    assert b"Twin 2" in response.content


def test_the_whole_request_does_not_grow_with_the_family(cast):
    """Through every middleware as well, not only the view."""
    _party(cast)
    client = client_for(cast.alex)
    url = _dashboard(cast.family)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    _grow(cast, 30)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_an_empty_form_says_what_is_missing(cast):
    url = reverse("families:child_add", kwargs={"family_id": cast.family.pk})
    response = client_for(cast.alex).post(url, {})
    assert set(response.context["form"].errors) == {"name", "date_of_birth"}
