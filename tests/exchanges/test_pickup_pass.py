"""Story 7, "Who collects today": Alex hands the school office a pass that the plan, not his
word, stands behind. The office opens its link without an account and sees first names, a
first name and a window — nothing else — and "revoked" or "expired" when it is."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from coparent.exchanges.models import PickupPass
from coparent.exchanges.services import ExchangeProblem, pass_issue, pass_revoke
from coparent.records.models import Kind, RecordEntry
from coparent.schedule.selectors import schedule_of


@pytest.fixture
def stays(cast, first):
    """Alex's first stay and Sam's first stay under the plan: (start, end) each."""
    planned, _, _ = first
    segments, _ = schedule_of(cast.access(cast.alex)).expand(planned, planned + timedelta(days=14))
    mine = next(s for s in segments if s.parent == "A" and s.end - s.start >= timedelta(hours=8))
    theirs = next(s for s in segments if s.parent == "B" and s.end - s.start >= timedelta(hours=8))
    return (mine.start, mine.end), (theirs.start, theirs.end)


def _url(token: str) -> str:
    return f"/pass/{token}/"


def test_a_pass_for_my_own_time_checks_at_the_office(cast, stays, client, time_machine):
    (start, end), _ = stays
    cast.mia.name = "Mia Rivera-Castellano"
    cast.mia.save()
    issued = pass_issue(
        access=cast.access(cast.alex),
        children=[cast.mia.pk, cast.leo.pk],
        start=start + timedelta(hours=1),
        end=start + timedelta(hours=6),
    )
    assert RecordEntry.objects.filter(kind=Kind.PASS_ISSUED).get().data["pass"] == str(issued.pk)

    time_machine.move_to(start + timedelta(hours=2), tick=False)
    page = client.get(_url(issued.token))

    text = page.content.decode()
    assert page.status_code == 200 and "Valid now." in text
    assert "Mia" in text and "Leo" in text and "Alex" in text
    assert "Castellano" not in text and "Rivera" not in text
    assert page["Cache-Control"] == "no-store"


def test_outside_its_window_it_says_so(cast, stays, client, time_machine):
    (start, _end), _ = stays
    issued = pass_issue(
        access=cast.access(cast.alex),
        children=[cast.mia.pk],
        start=start,
        end=start + timedelta(hours=3),
    )
    time_machine.move_to(start - timedelta(minutes=5), tick=False)
    assert "Not valid yet." in client.get(_url(issued.token)).content.decode()
    time_machine.move_to(start + timedelta(hours=3), tick=False)
    assert "Expired." in client.get(_url(issued.token)).content.decode()


def test_a_revoked_pass_says_revoked_and_cannot_be_revoked_twice(cast, stays, client, time_machine):
    (start, _end), _ = stays
    issued = pass_issue(
        access=cast.access(cast.alex),
        children=[cast.mia.pk],
        start=start,
        end=start + timedelta(hours=3),
    )
    pass_revoke(access=cast.access(cast.sam), pickup=issued)

    time_machine.move_to(start + timedelta(hours=1), tick=False)
    assert "Revoked." in client.get(_url(issued.token)).content.decode()
    with pytest.raises(ExchangeProblem, match="already revoked"):
        pass_revoke(access=cast.access(cast.alex), pickup=issued)
    assert RecordEntry.objects.filter(kind=Kind.PASS_REVOKED).count() == 1


@pytest.mark.parametrize("change", ["one character", "garbage", "empty-ish"])
def test_an_altered_or_made_up_pass_is_not_valid(cast, stays, client, change):
    (start, _end), _ = stays
    token = pass_issue(
        access=cast.access(cast.alex),
        children=[cast.mia.pk],
        start=start,
        end=start + timedelta(hours=3),
    ).token
    if change == "one character":
        token = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    elif change == "garbage":
        token = "not-a-pass-at-all"
    else:
        token = "A"
    page = client.get(_url(token))
    assert page.status_code == 404
    assert "Not a valid pass." in page.content.decode()
    assert "Mia" not in page.content.decode()


def test_a_pass_for_the_other_parents_time_is_refused(cast, stays):
    _, (start, _end) = stays
    with pytest.raises(ExchangeProblem) as caught:
        pass_issue(
            access=cast.access(cast.alex),
            children=[cast.mia.pk],
            start=start + timedelta(hours=1),
            end=start + timedelta(hours=2),
        )
    assert "does not give you the children" in caught.value.message_dict["start"][0]
    assert not PickupPass.objects.exists()


def test_bad_windows_and_children_are_refused_with_each_problem_named(cast, stays):
    (start, _end), _ = stays
    with pytest.raises(ExchangeProblem) as caught:
        pass_issue(
            access=cast.access(cast.alex),
            children=[cast.other_child.pk],
            start=start,
            end=start + timedelta(days=15),
        )
    assert set(caught.value.message_dict) == {"children", "end"}
    with pytest.raises(ExchangeProblem, match="after it starts"):
        pass_issue(access=cast.access(cast.alex), children=[cast.mia.pk], start=start, end=start)
    assert not PickupPass.objects.exists()


def test_only_parents_issue_and_revoke(cast, stays):
    (start, _end), _ = stays
    for who in (cast.morgan, cast.vic):
        with pytest.raises(PermissionDenied):
            pass_issue(
                access=cast.access(who),
                children=[cast.mia.pk],
                start=start,
                end=start + timedelta(hours=1),
            )


def test_the_check_page_is_rate_limited_per_client(cast, stays, client, settings):
    settings.COPARENT_RATE_LIMITS = {**settings.COPARENT_RATE_LIMITS, "pass_check.ip": "3/h"}
    for _ in range(3):
        assert client.get(_url("anything")).status_code == 404
    refused = client.get(_url("anything"))
    assert refused.status_code == 429 and refused["Retry-After"]


def test_the_parent_shows_the_code_and_revokes_from_the_page(cast, stays, time_machine):
    (start, _end), _ = stays
    time_machine.move_to(start - timedelta(hours=2), tick=False)
    browser = cast.client_for(cast.alex)
    base = f"/families/{cast.family.pk}/exchanges/passes/"
    zone = ZoneInfo("America/Chicago")  # the family's, as the form reads the window
    begins, ends = (
        (start + timedelta(hours=1)).astimezone(zone),
        (start + timedelta(hours=3)).astimezone(zone),
    )
    answer = browser.post(
        base,
        {
            "children": [str(cast.mia.pk)],
            "start_date": begins.date().isoformat(),
            "start_time": begins.strftime("%H:%M"),
            "end_date": ends.date().isoformat(),
            "end_time": ends.strftime("%H:%M"),
        },
    )
    issued = PickupPass.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"{issued.pk}/")
    page = browser.get(answer["Location"]).content.decode()
    assert "<svg" in page and f"/pass/{issued.token}/" in page
    browser.post(f"{base}{issued.pk}/revoke/")
    assert "Revoked" in browser.get(answer["Location"]).content.decode()


def test_the_pass_check_is_the_only_page_for_someone_outside_the_family_without_an_account():
    """The school office has no account and needs none: of everything the site answers to an
    anonymous visitor (the permission matrix's `anonymous` column), the pass check is the only
    page that shows a family's facts to someone outside it. The others are the site's own
    files, the account pages, and two secrets a member holds for themselves (an invitation,
    a calendar feed). A new page open to anyone fails here until it is weighed."""
    from tests.test_permission_matrix import API, WEB

    open_to_anyone = {name for name, row in WEB.items() if row.expected["anonymous"] == 200}
    site_and_accounts = {
        "healthz",
        "record_verify",  # checks an export the visitor already holds; shows no family
        "web:home",
        "web:manifest",
        "web:offline",
        "web:service_worker",
        "account_login",
        "account_signup",
        "account_email_verification_sent",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
    }
    a_members_own_secret = {"invitation_accept", "schedule_feed"}
    assert open_to_anyone - site_and_accounts - a_members_own_secret == {"pass_check"}
    # Through the API, no exchange or pass operation answers without a token.
    assert not [
        key
        for key, row in API.items()
        if row.expected["anonymous"] != 401 and ("exchanges" in key[1] or "passes" in key[1])
    ]


def test_a_pass_requested_twice_with_one_key_is_issued_once(cast, stays, time_machine, as_):
    """Alex's app retries the "issue a pass" call after a timeout: one pass, one record entry,
    and the same link for the school office."""
    import json

    (start, _end), _ = stays
    time_machine.move_to(start - timedelta(hours=2), tick=False)
    api = as_(cast.alex)
    body = {
        "children": [str(cast.mia.pk)],
        "starts_at": (start + timedelta(hours=1)).isoformat(),
        "ends_at": (start + timedelta(hours=4)).isoformat(),
    }

    def issue(payload):
        return api.client.post(
            f"/api/v1/families/{cast.family.pk}/passes",
            json.dumps(payload),
            content_type="application/json",
            headers={**api.headers(), "Idempotency-Key": "pass-1"},
            secure=True,
        )

    made, again = issue(body), issue(body)
    assert made.status_code == again.status_code == 201
    assert again.json()["id"] == made.json()["id"]
    assert again.json()["link"] == made.json()["link"]
    assert issue({**body, "children": [str(cast.leo.pk)]}).status_code == 422
    assert PickupPass.objects.count() == 1
    assert RecordEntry.objects.filter(kind=Kind.PASS_ISSUED).count() == 1
