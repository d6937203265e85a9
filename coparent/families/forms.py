"""Forms for the family pages. They only shape input; the rules live in the services, whose
ValidationError is turned back into field errors by `add_service_error`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.families.models import ProfessionalKind, Role


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on `form`: errors keyed by a field of the form go on that
    field, anything else at the top of the form, so nothing a service says is lost."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        # The browser's date picker sends and expects ISO dates whatever the language.
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


class FamilyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the family space"),
        max_length=100,
        help_text=_("For example “Rivera family”. Everyone you invite will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ChildForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Invite them as"),
        choices=Role.choices,
        help_text=_(
            "A parent has the same rights as you. A professional (a mediator, a lawyer) sees the "
            "family's shared data only once both parents consent. A viewer (a new partner, a "
            "grandparent) sees the calendar and the children's events, nothing else."
        ),
    )
    professional_kind = forms.ChoiceField(
        label=_("Kind of professional"),
        choices=[("", _("Not a professional"))] + list(ProfessionalKind.choices),
        required=False,
    )
    relationship = forms.CharField(
        label=_("Relationship to the children"),
        max_length=60,
        required=False,
        help_text=_("For a viewer, for example “Alex's partner” or “grandmother”."),
    )
