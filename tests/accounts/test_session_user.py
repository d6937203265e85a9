"""The session's user is read by SQL written once (accounts.backends, issue #17): the same
person the ORM gives, with Django's rules still applied — an inactive person and a session
whose password hash no longer matches are signed out."""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.forms.models import model_to_dict
from django.urls import reverse

from coparent.accounts.backends import DJANGO_MODEL_BACKEND, MODEL_BACKEND, ModelBackend
from coparent.accounts.models import User
from coparent.accounts.selectors import user_by_id
from tests.kit import client_for

SESSIONS = reverse("accounts:sessions")


def _fields(user: User) -> dict[str, object]:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_user_read_by_hand_is_the_orms_row_field_for_field(cast):
    for person in (cast.alex, cast.sam):
        orm = User.objects.get(pk=person.pk)
        mine = user_by_id(str(person.pk))
        assert mine is not None
        assert _fields(mine) == _fields(orm)
        assert {k: type(v) for k, v in _fields(mine).items()} == {
            k: type(v) for k, v in _fields(orm).items()
        }
        assert mine._state.adding is False and mine._state.db == "default"
        assert model_to_dict(mine) == model_to_dict(orm)


def test_an_unknown_or_malformed_id_is_nobody(cast):
    assert user_by_id("999999") is None
    assert user_by_id("not a number") is None
    assert user_by_id(None) is None


def test_a_signed_in_page_has_the_sessions_user(cast):
    browser = client_for(cast.alex)
    page = browser.get(SESSIONS)
    assert page.status_code == 200
    assert page.wsgi_request.user == cast.alex
    assert _fields(page.wsgi_request.user) == _fields(User.objects.get(pk=cast.alex.pk))


def test_an_inactive_person_is_signed_out(cast):
    browser = client_for(cast.alex)
    assert browser.get(SESSIONS).status_code == 200
    User.objects.filter(pk=cast.alex.pk).update(is_active=False)
    assert ModelBackend().get_user(cast.alex.pk) is None
    page = browser.get(SESSIONS)
    assert page.status_code == 302
    assert not page.wsgi_request.user.is_authenticated


def test_a_password_changed_elsewhere_signs_the_other_sessions_out(cast):
    # Straight on the row, past the services that end sessions themselves: Django's check of
    # the session's hash against the password is what must still catch it.
    other = client_for(cast.alex)
    assert other.get(SESSIONS).status_code == 200
    alex = User.objects.get(pk=cast.alex.pk)
    alex.set_password("a wholly new passphrase 42")
    alex.save()
    page = other.get(SESSIONS)
    assert page.status_code == 302
    assert not page.wsgi_request.user.is_authenticated


def test_a_session_signed_in_under_djangos_backend_stays_signed_in(cast):
    browser = client_for(cast.alex)
    session = browser.session
    assert session[BACKEND_SESSION_KEY] == MODEL_BACKEND
    session[BACKEND_SESSION_KEY] = DJANGO_MODEL_BACKEND
    session.save()
    page = browser.get(SESSIONS)
    assert page.status_code == 200
    assert page.wsgi_request.user == cast.alex
