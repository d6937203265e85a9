"""How a page turns input into one service call and the service's answer back into what the
person sees: the one service-error → form adapter and the one-button action (docs/new-app.md).

A service refuses with a ValidationError, usually a `coparent.infra.errors.DomainError`; here,
and only here, its messages go beside the fields they name, so nothing a service says is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict

T = TypeVar("T")
F = TypeVar("F", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """`form.fields[name]`, as the kind of field the form declares (`form.fields` holds plain
    `Field`s for the type checker), to set what only that kind has at run time: a choice
    field's choices, a model choice field's queryset."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not {kind}")
    return field


def add_service_error(
    form: forms.Form, error: ValidationError, *, where: Mapping[str, str] | None = None
) -> None:
    """Show a service's error on `form`: each message keyed by a field of the form goes on that
    field (through `where`, when the service's argument has another name than the form's field:
    `{"timezone_name": "timezone"}`), anything else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (where or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def posted(request: HttpRequest) -> QueryDict | None:
    """The data to bind a form to: the POST on every POST, even an empty one, so that the form
    shows "required" rather than nothing; None on a GET."""
    return request.POST if request.method == "POST" else None


def submit(form: forms.Form, action: Callable[[dict[str, Any]], T]) -> T | None:
    """Run one service call with the form's cleaned data; a refusal becomes errors on the form.
    Returns the service's result, or None when the form has errors or is not bound (a GET,
    with `posted`), so a page calls it on every request."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        add_service_error(form, error)
        return None


def say_errors(request: HttpRequest, error: ValidationError | forms.Form) -> None:
    """Show a refusal, or a form's errors, as page messages: for a button that has no form on
    the page to show them beside."""
    if isinstance(error, forms.Form):
        texts = [str(text) for errors in error.errors.values() for text in errors]
    else:
        texts = list(error.messages)
    for text in texts:
        messages.error(request, text)


def act(request: HttpRequest, action: Callable[[], object], done: str) -> bool:
    """Run a one-button action (cancel, consent, remove, accept); say what happened either
    way. Returns whether the service took it."""
    try:
        action()
    except ValidationError as error:
        say_errors(request, error)
        return False
    messages.success(request, done)
    return True
