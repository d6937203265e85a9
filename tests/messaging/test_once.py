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
from coparent.messaging.idempotency import FIELD, IdempotencyConflict, once
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


def test_alexs_key_in_another_family_of_hers_is_refused_not_replayed(cast):
    """The key is one per person, whatever the family: reused in her second family it would
    replay a conversation of the first, so it is refused instead."""
    second = family_services.family_create(user=cast.alex, name="Alex's new family")
    start = Start(cast.access(cast.alex))
    _once(cast.access(cast.alex)).run(start, start.find)

    elsewhere = Start(cast.access(cast.alex, second))
    with pytest.raises(IdempotencyConflict) as refused:
        _once(cast.access(cast.alex, second)).run(elsewhere, elsewhere.find)

    assert _messages(refused.value) == [OTHER_REQUEST]
    assert elsewhere.made == 0


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
