"""Forms for the family pages. They only shape input; the rules live in the services, whose
refusals are turned back into field errors by coparent.web.forms.add_service_error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.zones import all_zone_choices
from coparent.families.models import ADDRESS_MAX_CHARS, ProfessionalKind, Role
from coparent.web.widgets import DateInput

ZONE_HELP = _(
    "Every time in the family space is shown in this zone, for everyone in it. A member who "
    "lives elsewhere can add their own zone on their account page."
)


class ZoneField(forms.ChoiceField):
    """An IANA zone from the whole list; the page preselects the browser's own zone (site.js)
    until the person chooses."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time zone"))
        super().__init__(choices=all_zone_choices, **kwargs)


class FamilyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the family space"),
        max_length=100,
        help_text=_("For example “Rivera family”. Everyone you invite will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Always sent by the page's list; a post without one (a script) makes a family on UTC.
    timezone = ZoneField(initial="UTC", required=False, help_text=ZONE_HELP)

    def clean_timezone(self) -> str:
        return str(self.cleaned_data.get("timezone") or "UTC")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Filled in by the browser's own zone (Intl), in site.js, when it is in the list.
            self.fields["timezone"].widget.attrs["data-guess-zone"] = "1"


class FamilyZoneForm(forms.Form):
    timezone = ZoneField(help_text=ZONE_HELP)


class HomeForm(forms.Form):
    address = forms.CharField(
        label=_("Your home address"),
        required=False,
        max_length=ADDRESS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("Kept in this family only. Leave it empty to keep none."),
    )
    safe_mode = forms.BooleanField(
        label=_("Safe mode: keep my address from everyone else in this family"),
        required=False,
        help_text=_(
            "Your co-parent, the family's viewers and professionals then never see it: "
            "exchanges at your home show them your name's home, address private. You always "
            "see it."
        ),
    )


class ChildForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
