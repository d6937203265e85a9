"""The agreement pages as the parents and the mediator use them: the agreement by section with
what waits, the library, a clause proposed from a template and changed first, signing and
declining, the history, and the agreement printed — each page on a fixed query budget."""

from __future__ import annotations

import pytest

from coparent.agreements import services
from coparent.agreements.models import ClauseStatus, ClauseVersion
from tests.agreements.conftest import SOCIAL, propose, signed, url
from tests.families.helpers import call_view


def _grow(cast, n):
    """`n` clauses in force (every other one amended since) and one waiting, from the mediator."""
    for i in range(n):
        version = signed(cast, title=f"Clause {i}", terms=SOCIAL if i == 0 else None)
        if i % 2:
            change = services.clause_amend(
                access=cast.access(cast.sam), clause=version.clause, title=f"Clause {i}b", body="B"
            )
            services.clause_sign(access=cast.access(cast.alex), version=change)
    return propose(cast, cast.morgan, title="Holidays shared early", body="30 days ahead.")


@pytest.mark.parametrize("n", [1, 20])
def test_the_agreement_page_costs_the_same_for_one_clause_or_twenty(
    cast, django_assert_num_queries, n
):
    _grow(cast, n)
    # 1 membership with its family and user (the access path), 2 the parents, 3 every version
    # with its clause and people, 4 their signatures with who signed, 5 the header's unread
    # notifications.
    with django_assert_num_queries(5):
        response = call_view(cast.sam, url(cast, "agreement"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Clause 0" in page and "Holidays shared early" in page
    assert "Needs both parents: social media accounts, apps and phones." in page
    assert "Waiting for the signature of:" in page and ">Sign</button>" in page


def test_a_clause_page_costs_four_queries_with_its_whole_history(cast, django_assert_num_queries):
    version = signed(cast)
    for i in range(3):
        change = services.clause_amend(
            access=cast.access(cast.sam), clause=version.clause, title=f"v{i + 2}", body=f"{i}"
        )
        services.clause_sign(access=cast.access(cast.alex), version=change)
    # 1 the access path, 2 the clause, 3 the parents, 4 its versions, 5 their signatures,
    # 6 the header's unread notifications.
    with django_assert_num_queries(6):
        response = call_view(cast.alex, url(cast, "clause", clause_id=version.clause_id))
    page = response.content.decode()
    assert page.count('class="card version"') == 4
    assert "Replaced by a later version" in page and "signed by Sam" in page


def test_sam_proposes_the_curb_rule_from_the_library_after_changing_it(cast):
    client = cast.client_for(cast.sam)
    library = client.get(url(cast, "library")).content.decode()
    assert "Exchanges at the curb; homes by invitation only" in library
    form = client.get(url(cast, "propose") + "?template=curbside-exchanges").content.decode()
    assert "Neither parent enters the other" in form

    response = client.post(
        url(cast, "propose"),
        {
            "topic": "boundaries",
            "title": "Exchanges at the curb",
            "body": "Exchanges happen at the curb. Nobody enters the other's home uninvited.",
            "template": "curbside-exchanges",
            "reserved": ["travel"],
            "silence_swap_days": "7",
            "silence_swap_outcome": "approve",
        },
    )
    version = ClauseVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(cast, "clause", clause_id=version.clause_id)
    assert version.template == "curbside-exchanges" and version.proposed_by == cast.sam
    assert version.terms == {
        "reserved": ["travel"],
        "silence": [{"kind": "swap", "days": 7, "outcome": "approve"}],
    }


def test_a_clause_of_100000_characters_comes_back_with_the_error_beside_the_text(cast):
    response = cast.client_for(cast.alex).post(
        url(cast, "propose"), {"topic": "other", "title": "Everything", "body": "x" * 100_000}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert not ClauseVersion.objects.exists()


def test_a_split_that_does_not_add_up_is_shown_beside_the_shares(cast):
    response = cast.client_for(cast.alex).post(
        url(cast, "propose"),
        {"topic": "expenses", "title": "Costs", "body": "Shared.", "split_a": 70, "split_b": 20},
    )
    assert "add up to 100" in response.content.decode()
    assert not ClauseVersion.objects.exists()


def test_sam_signs_on_the_page_and_the_clause_is_in_force(cast):
    version = propose(cast)
    response = cast.client_for(cast.sam).post(url(cast, "sign", version_id=version.pk))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == ClauseStatus.IN_FORCE


def test_signing_twice_says_nothing_changed(cast):
    version = signed(cast)
    client = cast.client_for(cast.sam)
    response = client.post(url(cast, "sign", version_id=version.pk), follow=True)
    assert "already signed and in force: nothing changed" in response.content.decode()


def test_a_decline_without_a_reason_comes_back_with_the_field_error(cast):
    version = propose(cast)
    response = cast.client_for(cast.sam).post(url(cast, "decline", version_id=version.pk), {})
    assert response.status_code == 400
    version.refresh_from_db()
    assert version.status == ClauseStatus.PROPOSED
    response = cast.client_for(cast.sam).post(
        url(cast, "decline", version_id=version.pk), {"reason": "Say curb or gate"}
    )
    version.refresh_from_db()
    assert (version.status, version.reason) == (ClauseStatus.DECLINED, "Say curb or gate")


def test_the_mediator_reads_and_drafts_but_has_no_sign_button(cast):
    propose(cast)
    client = cast.client_for(cast.morgan)
    page = client.get(url(cast, "agreement")).content.decode()
    assert "Exchanges at the curb" in page and ">Sign</button>" not in page
    response = client.post(
        url(cast, "propose"), {"topic": "holidays", "title": "Holidays", "body": "Early."}
    )
    assert response.status_code == 302
    assert ClauseVersion.objects.filter(proposed_by=cast.morgan).exists()


def test_an_amendment_starts_from_the_words_in_force(cast):
    version = signed(cast, terms={"split": {"A": 60, "B": 40}})
    page = cast.client_for(cast.sam).get(url(cast, "amend", clause_id=version.clause_id))
    text = page.content.decode()
    assert "Neither parent enters" in text and 'value="60"' in text


def test_the_agreement_prints_and_downloads_as_a_pdf(cast):
    signed(cast, terms=SOCIAL)
    client = cast.client_for(cast.alex)
    printed = client.get(url(cast, "print")).content.decode()
    assert "Parenting agreement: Rivera family" in printed and "signed by Sam" in printed
    response = client.get(url(cast, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_family_navigation_offers_the_agreement_to_parents_not_to_a_viewer(cast):
    home = f"/families/{cast.family.pk}/"
    assert url(cast, "agreement") in cast.client_for(cast.alex).get(home).content.decode()
    assert url(cast, "agreement") not in cast.client_for(cast.vic).get(home).content.decode()
    assert cast.client_for(cast.vic).get(url(cast, "agreement")).status_code == 403


def test_sams_home_page_says_a_clause_waits_for_his_signature(cast):
    propose(cast)
    home = f"/families/{cast.family.pk}/"
    page = cast.client_for(cast.sam).get(home).content.decode()
    assert "“Exchanges at the curb” waits for your signature on the agreement." in page
    assert url(cast, "agreement") + "#pending" in page
    # Alex proposed it: nothing waits for Alex; the mediator signs nothing.
    assert "waits for your signature" not in cast.client_for(cast.alex).get(home).content.decode()
    assert "waits for your signature" not in cast.client_for(cast.morgan).get(home).content.decode()


def test_the_library_and_the_printed_agreement_are_on_a_budget(cast, django_assert_num_queries):
    _grow(cast, 3)
    # 1 the access path, 2 the header's unread notifications: the library is the code's own.
    with django_assert_num_queries(2):
        call_view(cast.alex, url(cast, "library"))
    # 1 the access path, 2 the parents, 3 the versions with their clauses and people, 4 their
    # signatures (a document: no site header, so no unread count).
    with django_assert_num_queries(4):
        response = call_view(cast.alex, url(cast, "print"))
    assert b"Clause 0" in response.content
