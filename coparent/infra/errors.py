"""The one hierarchy of refusals a service raises (docs/new-app.md, "Errors").

A service that refuses what a person asked raises a `DomainError`: one or more problems, each a
field and a message a person can act on (the field is `__all__` when no single field is to
blame). It is a Django `ValidationError`, so it is shown the same way as every other input
error, and in exactly two places:

- pages: `coparent.web.forms.add_service_error` puts each message beside its field;
- the API: `coparent.api.errors` answers `{"detail": message, "errors": {field: [message]}}`
  with the error's `status` (400 by default).

Subclasses name a kind of refusal (`PlanProblem`, `InvitationProblem`, `NotFound`) and may carry
a `reason` code the caller branches on; they never add another way to be shown. Lookups of a
family's objects are not refusals: the selectors raise Http404 for "not there" and "not yours"
alike (coparent.families.selectors.get_owned).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import Http404

NON_FIELD = "__all__"

Problem = tuple[str, str]


class DomainError(ValidationError):
    """A rule refused the input: `problems` as (field, message), first the one to show first."""

    #: The HTTP status the API answers with (pages show the messages on the form).
    status = 400

    def __init__(
        self,
        message: str | Iterable[Problem],
        *,
        field: str = NON_FIELD,
        reason: str = "",
    ) -> None:
        problems = [(field, message)] if isinstance(message, str) else list(message)
        if not problems:
            problems = [(NON_FIELD, "Invalid input.")]
        self.problems: list[Problem] = problems
        self.reason = reason
        by_field: dict[str, list[str]] = {}
        for name, text in problems:
            by_field.setdefault(name, []).append(text)
        super().__init__(by_field)

    @property
    def field(self) -> str:
        return self.problems[0][0]

    @property
    def message(self) -> str:  # type: ignore[override]  # set per message on a ValidationError
        return self.problems[0][1]

    def __str__(self) -> str:
        return "; ".join(text for _field, text in self.problems)

    def __reduce__(self) -> tuple[object, ...]:
        # Copied or pickled (the test client copies contexts), it is rebuilt from its problems.
        return (_rebuild, (type(self), self.problems, self.reason))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.problems!r})"


class NotFound(DomainError, Http404):
    """A service was handed an object that is not the family's: the same 404 as a lookup."""

    status = 404


def _rebuild(cls: type[DomainError], problems: list[Problem], reason: str) -> DomainError:
    return cls(problems, reason=reason)
