"""The one `Idempotency-Key` helper every creating service uses (coparent.messaging.idempotency).

A parent's phone posts, the answer is lost on a bad connection, and the phone posts again with
the same key: the second post gets the first result and nothing is made twice. The same key
with other content is refused, never replayed as something it was not. Each person's keys are
their own. The services' own tests (messages, clauses, expenses, journal, requests, notes,
passes, documents, the info bank) check the same through the API; here the helper alone, with a
conversation as the thing made.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from coparent.families import services as family_services
from coparent.messaging.idempotency import (
    FIELD,
    IdempotencyConflict,
    KeyTaken,
    StillProcessing,
    once,
)
from coparent.messaging.models import IdempotencyKey, Thread

KEY = "3f9a-phone-retry"
OTHER_CONTENT = (
    "This key was already used with different content. Send exactly the same fields and files "
    "to get the first result, or use a new key for a new message."
)
OTHER_REQUEST = "This key was already used for a different request."


class Start:
    """Starts a conversation for one person, counting how often it really did."""

    def __init__(self, access, subject="Dentist on Tuesday"):
        self.access, self.subject, self.made = access, subject, 0

    def __call__(self) -> Thread:
        self.made += 1
        return Thread.objects.create(
            family=self.access.family,
            subject=self.subject,
            created_by=self.access.membership.user,
        )

    def find(self, pk: str) -> Thread:
        return Thread.objects.get(family=self.access.family, pk=pk)


def _once(access, key=KEY, operation="thread_create", subject="Dentist on Tuesday"):
    return once(access=access, key=key, operation=operation, fields={"subject": subject})


def _messages(error: ValidationError) -> list[str]:
    return error.message_dict[FIELD]


def test_alexs_retry_gets_the_first_conversation_and_makes_none(cast):
    alex = cast.access(cast.alex)
    start = Start(alex)

    first = _once(alex).run(start, start.find)
    retry = _once(alex).run(start, start.find)

    assert not first.replayed and retry.replayed
    assert retry.made.pk == first.made.pk
    assert start.made == 1
    kept = IdempotencyKey.objects.get()
    assert (kept.operation, kept.resource_id) == ("thread_create", str(first.made.pk))
    assert kept.key_hash == hashlib.sha256(KEY.encode()).hexdigest()  # never the key itself


def test_a_replay_costs_one_lookup_before_finding_the_first_result(cast, django_assert_num_queries):
    alex = cast.access(cast.alex)
    start = Start(alex)
    _once(alex).run(start, start.find)

    with django_assert_num_queries(1):  # the key (the first result is `find`'s to read)
        first = _once(alex).first()
    assert first is not None


def test_the_same_key_with_other_content_is_refused_and_makes_nothing(cast):
    alex = cast.access(cast.alex)
    start = Start(alex)
    _once(alex).run(start, start.find)

    other = Start(alex, subject="Dentist on Wednesday")
    with pytest.raises(IdempotencyConflict) as refused:
        _once(alex, subject="Dentist on Wednesday").run(other, other.find)

    assert _messages(refused.value) == [OTHER_CONTENT]
    assert other.made == 0
    assert Thread.objects.filter(family=cast.family).count() == 1


def test_the_same_key_for_another_operation_is_refused(cast):
    alex = cast.access(cast.alex)
    start = Start(alex)
    _once(alex).run(start, start.find)

    with pytest.raises(IdempotencyConflict) as refused:
        _once(alex, operation="message_create:another-thread").first()

    assert _messages(refused.value) == [OTHER_REQUEST]


def test_sam_and_olivia_may_send_the_key_alex_used(cast):
    """A key is the sender's own: two people's apps that happen to pick the same one each get
    their own result, and nobody ever gets someone else's."""
    made = {}
    for user, family in ((cast.alex, None), (cast.sam, None), (cast.olivia, cast.other_family)):
        access = cast.access(user, family)
        start = Start(access)
        done = _once(access).run(start, start.find)
        assert not done.replayed and start.made == 1
        made[user.pk] = done.made

    assert len({thread.pk for thread in made.values()}) == 3
    assert made[cast.olivia.pk].family == cast.other_family
    assert IdempotencyKey.objects.count() == 3


def test_alexs_key_in_her_other_family_is_another_key(cast):
    """A key is one person's in one family: the same key in her second family (a new partner,
    another app on the same phone) makes its own conversation there, and each family's retry
    replays its own, never the other family's."""
    second = family_services.family_create(user=cast.alex, name="Alex's new family")
    here, there = cast.access(cast.alex), cast.access(cast.alex, second)
    start, elsewhere = Start(here), Start(there)

    first_here = _once(here).run(start, start.find)
    first_there = _once(there).run(elsewhere, elsewhere.find)
    retry_here = _once(here).run(start, start.find)
    retry_there = _once(there).run(elsewhere, elsewhere.find)

    assert not first_there.replayed and elsewhere.made == 1
    assert first_there.made.family == second and first_there.made.pk != first_here.made.pk
    assert (retry_here.made.pk, retry_there.made.pk) == (first_here.made.pk, first_there.made.pk)
    assert retry_here.replayed and retry_there.replayed
    assert IdempotencyKey.objects.filter(user=cast.alex).count() == 2


def test_in_her_other_family_the_key_for_another_operation_is_still_refused_only_there(cast):
    second = family_services.family_create(user=cast.alex, name="Alex's new family")
    there = cast.access(cast.alex, second)
    elsewhere = Start(there)
    _once(there).run(elsewhere, elsewhere.find)

    with pytest.raises(IdempotencyConflict) as refused:
        _once(there, operation="message_create:another-thread").first()
    assert _messages(refused.value) == [OTHER_REQUEST]
    assert _once(cast.access(cast.alex), operation="message_create:another-thread").first() is None


def test_without_a_key_every_post_makes_its_own(cast):
    alex = cast.access(cast.alex)
    start = Start(alex)

    for key in (None, "", "   "):
        done = _once(alex, key=key).run(start, start.find)
        assert not done.replayed

    assert start.made == 3
    assert not IdempotencyKey.objects.exists()


def test_a_key_over_200_characters_is_refused_before_anything(cast):
    with pytest.raises(ValidationError) as refused:
        _once(cast.access(cast.alex), key="k" * 201)

    assert _messages(refused.value) == ["At most 200 characters."]


def test_twin_posts_with_one_key_make_one_conversation(cast):
    """Both twins look before either has written (the race the unique constraint settles):
    the one that commits second rolls back its conversation and answers with the first's."""
    alex = cast.access(cast.alex)
    slow, fast = _once(alex), _once(alex)
    assert slow.first() is None and fast.first() is None
    winner = Start(alex)
    won = fast.write(winner, winner.find)

    loser = Start(alex)
    lost = slow.write(loser, loser.find)

    assert lost.replayed and lost.made.pk == won.made.pk
    assert loser.made == 1  # it did write, and its transaction rolled back
    assert list(Thread.objects.filter(family=cast.family)) == [won.made]
    assert IdempotencyKey.objects.count() == 1


def test_a_refusal_of_another_constraint_is_not_taken_for_a_twin(cast):
    alex = cast.access(cast.alex)

    def broken() -> Thread:
        raise IntegrityError("another unique constraint")

    with pytest.raises(IntegrityError):
        _once(alex).run(broken, Start(alex).find)
    assert not IdempotencyKey.objects.exists()


def test_a_step_by_step_service_keeps_the_key_in_its_own_transaction(cast):
    """The services that validate between the replay and the write (requests, notes, passes,
    documents, the info bank) call `first` and then `remember` inside their transaction."""
    alex = cast.access(cast.alex)
    step = _once(alex)
    assert step.first() is None
    thread = Start(alex)()
    step.remember(thread.pk)

    assert _once(alex).first() == str(thread.pk)
    _once(alex, key=None).remember(thread.pk)  # no key: nothing to keep
    assert IdempotencyKey.objects.count() == 1


def test_a_twin_whose_own_check_fails_because_the_first_won_gets_the_first_result(cast):
    """A counter-proposal's twin finds the request already countered (by its twin) and is
    refused; the key its twin kept says that was this very request, so it is replayed."""
    alex = cast.access(cast.alex)
    winner = Start(alex)
    won = []

    def refused_now() -> Thread:
        # Between this request's look for its key and its own checks, its twin committed.
        won.append(_once(alex).write(winner, winner.find).made)
        raise ValidationError({"request": ["This request is no longer waiting for an answer."]})

    lost = _once(alex).attempt(refused_now, winner.find)

    assert lost.replayed and [lost.made] == won
    assert Thread.objects.filter(family=cast.family).count() == 1


def test_bad_input_is_refused_field_by_field_whatever_the_key(cast):
    """A refusal of the request's own is raised as it is, with or without a key, whether or
    not the key was used before for something else: never taken for a twin's result."""
    alex = cast.access(cast.alex)
    start = Start(alex)
    _once(alex, subject="Dentist on Tuesday").run(start, start.find)

    def blank() -> Thread:
        raise ValidationError({"subject": ["Give it a subject."]})

    for key, subject in ((None, ""), ("fresh-key", ""), (KEY, "")):
        step = _once(alex, key=key, subject=subject)
        with pytest.raises(ValidationError) as refused:
            # The step-by-step path, as a twin of the first post takes it: looked already.
            step.write(blank, start.find)
        assert refused.value.message_dict == {"subject": ["Give it a subject."]}
    assert start.made == 1


def test_a_twin_with_the_key_but_other_content_is_refused_as_a_retry_would_be(cast):
    alex = cast.access(cast.alex)
    slow = _once(alex, subject="Dentist on Wednesday")
    assert slow.first() is None
    start = Start(alex)
    _once(alex).run(start, start.find)

    other = Start(alex, subject="Dentist on Wednesday")
    with pytest.raises(IdempotencyConflict) as refused:
        slow.write(other, other.find)

    assert _messages(refused.value) == [OTHER_CONTENT]
    assert Thread.objects.filter(family=cast.family).count() == 1


def test_a_twin_refused_by_a_key_it_cannot_read_yet_is_told_to_retry(cast, monkeypatch):
    """The key's row refused the write, but no committed key can be read (the first request
    rolled back since, or is not visible yet): a 409 that says to retry, never a 500."""
    alex = cast.access(cast.alex)
    twin = _once(alex)
    start = Start(alex)

    def taken(made_id: object) -> None:
        raise KeyTaken("UNIQUE constraint failed")

    monkeypatch.setattr(type(twin), "remember", lambda self, made_id: taken(made_id))
    with pytest.raises(StillProcessing) as told:
        twin.run(start, start.find)

    assert told.value.status == 409
    assert told.value.message.startswith("The same request (this Idempotency-Key) is still")
    assert not Thread.objects.filter(family=cast.family).exists()  # rolled back
