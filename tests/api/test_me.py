"""Who am I: a script's first call."""

from __future__ import annotations

from tests.api.conftest import AUTH_QUERIES


def test_morgan_sees_himself_and_the_family_he_mediates(cast, as_, django_assert_num_queries):
    morgan = as_(cast.morgan)
    morgan.get("/me")
    # The token and its user, then: Morgan's memberships with their families (1), and for his
    # professional seat the active parents (1) and their active consents (1).
    with django_assert_num_queries(AUTH_QUERIES + 3):
        response = morgan.get("/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": cast.morgan.pk,
        "email": "morgan@example.org",
        "display_name": "Morgan",
        "email_confirmed": True,
        "families": [{"id": str(cast.family.pk), "name": "Rivera family", "role": "professional"}],
    }


def test_olivia_sees_only_her_own_family(cast, as_):
    families = as_(cast.olivia).get("/me").json()["families"]
    assert [f["name"] for f in families] == ["Okafor family"]
