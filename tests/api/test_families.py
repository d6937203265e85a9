"""A parent creates a family space over the API and keeps its children's details right; the
other members read what their role allows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coparent.families import services
from coparent.families.models import Child
from coparent.families.selectors import age_on
from coparent.records.models import RecordEntry
from tests.api.conftest import AUTH_QUERIES, family_path


def test_alex_sees_his_family_and_his_role(cast, as_, django_assert_num_queries):
    alex = as_(cast.alex)
    alex.get("/me")  # the token's first use, so the counted call below is a typical one
    # The token and its user, then: Alex's active memberships with their families (1).
    with django_assert_num_queries(AUTH_QUERIES + 1):
        response = alex.get("/families")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(cast.family.pk),
            "name": "Rivera family",
            "created_at": response.json()[0]["created_at"],
            "timezone": cast.family.timezone,
            "role": "parent",
        }
    ]


def test_the_mediator_lists_the_family_once_both_parents_consent(cast, as_):
    families = as_(cast.morgan).get("/families").json()
    assert [(f["name"], f["role"]) for f in families] == [("Rivera family", "professional")]


def test_olivia_creates_a_second_family_and_becomes_its_parent(cast, as_):
    olivia = as_(cast.olivia)
    response = olivia.post("/families", {"name": "  Okafor holidays  "})
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "Okafor holidays"
    assert created["role"] == "parent"
    kinds = RecordEntry.objects.filter(family_id=created["id"]).values_list("kind", flat=True)
    assert list(kinds) == ["family.created", "member.joined"]
    assert {f["name"] for f in olivia.get("/families").json()} == {
        "Okafor family",
        "Okafor holidays",
    }


def test_olivia_creates_a_family_that_lives_in_auckland(cast, as_):
    response = as_(cast.olivia).post(
        "/families", {"name": "Okafor Auckland", "timezone": "Pacific/Auckland"}
    )
    assert response.status_code == 201
    assert response.json()["timezone"] == "Pacific/Auckland"
    created = RecordEntry.objects.get(family_id=response.json()["id"], kind="family.created")
    assert created.data["timezone"] == "Pacific/Auckland"


def test_a_family_created_without_a_zone_reads_its_times_in_utc_until_a_parent_sets_one(cast, as_):
    assert as_(cast.olivia).post("/families", {"name": "Okafor"}).json()["timezone"] == "UTC"


def test_an_unknown_zone_is_refused_with_a_field_message_and_no_family_is_made(cast, as_):
    before = RecordEntry.objects.count()
    response = as_(cast.olivia).post("/families", {"name": "Okafor", "timezone": "Mars/Olympus"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["timezone"]
    assert RecordEntry.objects.count() == before


def test_sam_moves_the_family_to_chicago_and_the_record_keeps_both_zones(cast, as_):
    before = cast.family.timezone
    response = as_(cast.sam).patch(family_path(cast), {"timezone": "America/Chicago"})
    assert response.status_code == 200
    assert response.json()["timezone"] == "America/Chicago"
    cast.family.refresh_from_db()
    assert cast.family.timezone == "America/Chicago"
    last = RecordEntry.objects.filter(family=cast.family).order_by("-seq").first()
    assert (last.kind, last.data) == (
        "family.zone_changed",
        {"from": before, "to": "America/Chicago"},
    )
    assert last.actor_id == cast.sam.pk


def test_the_mediator_may_not_move_the_family_and_a_bad_zone_is_a_field_error(cast, as_):
    before = cast.family.timezone
    assert (
        as_(cast.morgan).patch(family_path(cast), {"timezone": "Europe/Paris"}).status_code == 403
    )
    refused = as_(cast.sam).patch(family_path(cast), {"timezone": "Europe/Nowhere"})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["timezone"]
    cast.family.refresh_from_db()
    assert cast.family.timezone == before


def test_a_blank_family_name_is_refused_with_a_field_message(cast, as_):
    response = as_(cast.olivia).post("/families", {"name": "   "})
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Give the family space a name."]}


def test_sam_reads_the_family_with_its_children_and_member_count(cast, as_):
    response = as_(cast.sam).get(family_path(cast))
    assert response.status_code == 200
    family = response.json()
    assert family["role"] == "parent"
    assert [c["name"] for c in family["children"]] == ["Mia", "Leo"]
    assert family["members_count"] == 4  # Alex, Sam, Morgan, Vic


def test_vic_the_viewer_sees_the_children_but_not_how_many_members(cast, as_):
    family = as_(cast.vic).get(family_path(cast)).json()
    assert family["role"] == "viewer"
    assert [c["name"] for c in family["children"]] == ["Mia", "Leo"]
    assert family["members_count"] is None


def test_every_member_lists_the_children(cast, as_, django_assert_num_queries):
    vic = as_(cast.vic)
    vic.get("/me")
    # The token and its user, then: Vic's membership with the family (1), the children (1).
    with django_assert_num_queries(AUTH_QUERIES + 2):
        response = vic.get(family_path(cast, "/children"))
    assert response.status_code == 200
    today = timezone.localdate()
    # A viewer sees first names and ages (docs/permissions.md), never the dates of birth.
    assert [(c["name"], c["age"], c["date_of_birth"]) for c in response.json()] == [
        ("Mia", age_on(cast.mia.date_of_birth, today), None),
        ("Leo", age_on(cast.leo.date_of_birth, today), None),
    ]
    as_parent = as_(cast.sam).get(family_path(cast, "/children")).json()
    assert [(c["name"], c["date_of_birth"]) for c in as_parent] == [
        ("Mia", "2016-05-02"),
        ("Leo", "2019-09-14"),
    ]


def test_a_viewer_never_gets_a_childs_full_name_or_birth_date_from_the_api(cast, as_):
    # The probe: Vic, a viewer, reads the family, the children and one child through the API.
    services.child_update(
        access=cast.access(cast.alex),
        child=cast.mia,
        name="Mia Castellano Ruiz",
        date_of_birth=cast.mia.date_of_birth,
    )
    vic = as_(cast.vic)
    family = vic.get(family_path(cast)).json()
    listed = vic.get(family_path(cast, "/children")).json()
    one = vic.get(family_path(cast, f"/children/{cast.mia.pk}")).json()
    for child in (*family["children"], *listed, one):
        assert "Castellano" not in child["name"]
        assert child["date_of_birth"] is None
    assert one["name"] == "Mia"
    assert one["age"] == age_on(cast.mia.date_of_birth, timezone.localdate())
    # The professional sees the child's details, like a parent.
    as_mediator = as_(cast.morgan).get(family_path(cast, f"/children/{cast.mia.pk}")).json()
    assert (as_mediator["name"], as_mediator["date_of_birth"]) == (
        "Mia Castellano Ruiz",
        "2016-05-02",
    )


def test_alex_adds_a_child_and_the_record_shows_it(cast, as_):
    response = as_(cast.alex).post(
        family_path(cast, "/children"), {"name": "Noa", "date_of_birth": "2024-02-29"}
    )
    assert response.status_code == 201
    child = response.json()
    assert (child["name"], child["date_of_birth"]) == ("Noa", "2024-02-29")
    assert Child.objects.filter(pk=child["id"], family=cast.family).exists()
    last = RecordEntry.objects.filter(family=cast.family).order_by("-seq").first()
    assert (last.kind, last.data["name"]) == ("child.added", "Noa")


def test_a_child_born_in_the_future_gets_a_field_error(cast, as_):
    response = as_(cast.alex).post(
        family_path(cast, "/children"), {"name": "Zoe", "date_of_birth": "2999-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "date_of_birth": ["The date of birth cannot be in the future."]
    }


def test_the_mediator_and_the_viewer_may_not_add_a_child(cast, as_):
    body = {"name": "Noa", "date_of_birth": "2024-02-29"}
    for user in (cast.morgan, cast.vic):
        response = as_(user).post(family_path(cast, "/children"), body)
        assert response.status_code == 403, user
        assert response.json() == {"detail": "Only a parent may do this."}
    assert not Child.objects.filter(name="Noa").exists()


def test_sam_reads_one_child(cast, as_):
    response = as_(cast.sam).get(family_path(cast, f"/children/{cast.leo.pk}"))
    assert response.status_code == 200
    assert response.json()["name"] == "Leo"


def test_another_familys_child_is_not_found_even_inside_my_family_path(cast, as_):
    response = as_(cast.alex).get(family_path(cast, f"/children/{cast.other_child.pk}"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_sam_corrects_mias_name_and_only_the_change_is_recorded(cast, as_):
    response = as_(cast.sam).patch(
        family_path(cast, f"/children/{cast.mia.pk}"), {"name": "Mia Rose"}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Mia Rose"
    assert response.json()["date_of_birth"] == "2016-05-02"
    last = RecordEntry.objects.filter(family=cast.family).order_by("-seq").first()
    assert last.kind == "child.changed"
    assert last.data["changes"] == {"name": {"from": "Mia", "to": "Mia Rose"}}
    assert last.actor_id == cast.sam.pk


def test_an_explicit_null_is_not_a_way_to_erase_a_name(cast, as_):
    response = as_(cast.sam).patch(family_path(cast, f"/children/{cast.mia.pk}"), {"name": None})
    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["Enter text."]}
    cast.mia.refresh_from_db()
    assert cast.mia.name == "Mia"


def test_the_viewer_may_not_change_a_child(cast, as_):
    response = as_(cast.vic).patch(family_path(cast, f"/children/{cast.mia.pk}"), {"name": "M"})
    assert response.status_code == 403
    cast.mia.refresh_from_db()
    assert cast.mia.name == "Mia"


@pytest.mark.parametrize("extra", [0, 6])
def test_the_family_and_a_child_cost_the_same_however_many_children(
    cast, as_, django_assert_num_queries, extra
):
    for i in range(extra):
        services.child_add(
            access=cast.access(cast.alex), name=f"Child {i}", date_of_birth=cast.mia.date_of_birth
        )
    sam = as_(cast.sam)
    sam.get("/me")  # the token's first use, so the counted calls below are typical ones
    # auth; 1 membership with the family (the access path); 2 the children; 3 the members and
    # 4 the professionals' consents (how many members).
    with django_assert_num_queries(AUTH_QUERIES + 4):
        family = sam.get(family_path(cast)).json()
    assert len(family["children"]) == 2 + extra
    # auth; 1 membership with the family (the access path); 2 the child.
    with django_assert_num_queries(AUTH_QUERIES + 2):
        assert sam.get(family_path(cast, f"/children/{cast.leo.pk}")).json()["name"] == "Leo"
