"""The query string of a page that shows no form for it (the calendar's `?month=`, the agenda's
`?from=`, a conversation's `?before=`).

Such a page reads its parameters through a form of bounded fields (coparent.web.fields) like
any other input. A value that does not fit is left out, so the page shows what it shows by
default, and the person is told which part of the address was not used and why: an odd or
edited link gives a page that explains itself, never an error page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _


def query_values(request: HttpRequest, form: forms.Form) -> dict[str, Any]:
    """The valid values of `form` (bound to request.GET); each invalid one is left out and
    reported as a page message naming the field."""
    if form.is_valid():
        return form.cleaned_data
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else name
        for error in errors:
            messages.warning(
                request,
                _("%(label)s in the address was not used: %(error)s")
                % {"label": label, "error": error},
            )
    return {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
