"""Query budgets of the journal's reads (issue #17, point 8): one entry, the entries shared with
a professional and one shared entry cost the same for one version or entry as for several."""

from __future__ import annotations

import pytest

from coparent.journal import services
from coparent.messaging.attachments import IncomingFile
from tests.api.conftest import AUTH_QUERIES, family_path


def _entry_with_versions(cast, write, versions):
    """An entry of Alex's with `versions` versions, each with tags and a file, shared with
    Morgan."""
    entry = write("Sam was late at the gate.", tags="school, pickup", files=[_pdf()])
    for i in range(versions - 1):
        services.entry_correct(
            access=cast.access(cast.alex), entry=entry, text=f"Sam was late, correction {i}"
        )
    services.entry_share(
        access=cast.access(cast.alex), entry=entry, professional_id=cast.mediator.pk
    )
    return entry


def _pdf():
    return IncomingFile("letter.pdf", b"%PDF-1.4\n%%EOF\n")


@pytest.mark.parametrize("n", [1, 5])
def test_one_entry_costs_the_same_however_many_versions(
    cast, as_, write, django_assert_num_queries, n
):
    entry = _entry_with_versions(cast, write, n)
    alex = as_(cast.alex)
    path = family_path(cast, f"/journal/{entry.pk}")
    alex.get(path)  # the token's once-a-minute "last used" write happens here
    # auth; 1 membership (the access path); 2 the entry with its author; 3 its versions; 4 their
    # files; 5 its shares with the professionals; 6 the family's parents and 7 their consents
    # (which shares still hold).
    with django_assert_num_queries(AUTH_QUERIES + 7):
        answer = alex.get(path)
    assert len(answer.json()["versions"]) == n


@pytest.mark.parametrize("n", [1, 5])
def test_a_shared_entry_costs_the_same_however_many_versions(
    cast, as_, write, django_assert_num_queries, n
):
    entry = _entry_with_versions(cast, write, n)
    morgan = as_(cast.morgan)
    path = family_path(cast, f"/journal/shared/{entry.pk}")
    morgan.get(path)
    # auth; 1 membership (the access path), 2 the parents and 3 their consents (a professional's
    # access); 4 the entry with its author; 5 its versions; 6 their files.
    with django_assert_num_queries(AUTH_QUERIES + 6):
        answer = morgan.get(path)
    assert len(answer.json()["versions"]) == n

    browser = cast.client_for(cast.morgan)
    url = f"/families/{cast.family.pk}/journal/shared/{entry.pk}/"
    browser.get(url)  # the session's first visit notes the browser once
    # 1 the session, 2 its user, 3 the session list check, 4 membership, 5 the parents and 6
    # their consents (a professional's access), the API's 7 entry, 8 versions and 9 files, and
    # 10 the header's unread notifications.
    with django_assert_num_queries(10):
        page = browser.get(url)
    assert page.status_code == 200


@pytest.mark.parametrize("n", [1, 8])
def test_the_shared_list_costs_the_same_however_many_entries(
    cast, as_, write, django_assert_num_queries, n
):
    for _ in range(n):
        _entry_with_versions(cast, write, 2)
    morgan = as_(cast.morgan)
    path = family_path(cast, "/journal/shared")
    morgan.get(path)
    # auth; 1 membership (the access path), 2 the parents and 3 their consents (a professional's
    # access); 4 the latest version of each shared entry.
    with django_assert_num_queries(AUTH_QUERIES + 4):
        answer = morgan.get(path)
    assert len(answer.json()) == n
