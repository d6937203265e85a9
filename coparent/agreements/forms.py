"""Forms for the agreement pages. They shape input (a table of silence rules, two shares of an
expense split) into the terms document the services check (`coparent.core.agreement`); the
rules live in the services, whose errors come back beside the fields that hold them
(`ClauseForm.where`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coparent.accounts.models import User
from coparent.agreements.library import Template
from coparent.agreements.models import (
    BODY_MAX_CHARS,
    DECISION_LABELS,
    REASON_MAX_CHARS,
    REQUEST_KIND_LABELS,
    TITLE_MAX_CHARS,
    TOPIC_CHOICES,
)
from coparent.core.agreement import MAX_RESPONSE_HOURS, MAX_SILENCE_DAYS, RequestKind
from coparent.web.tone import CoachedTextarea

OUTCOMES = [("", _("—")), ("approve", _("counts as yes")), ("decline", _("counts as no"))]


def _days(kind: RequestKind) -> str:
    return f"silence_{kind.value}_days"


def _outcome(kind: RequestKind) -> str:
    return f"silence_{kind.value}_outcome"


class ClauseForm(forms.Form):
    topic = forms.ChoiceField(label=_("Section"), choices=TOPIC_CHOICES)
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_CHARS,
        help_text=_("A few words that name the rule, like “Exchanges at the curb”."),
    )
    body = forms.CharField(
        label=_("What the clause says"),
        max_length=BODY_MAX_CHARS,
        # Both parents sign these words: the tone coach watches the box (web/_tone_coach.html).
        widget=CoachedTextarea(attrs={"rows": 8}),
        help_text=_("Plain words both parents can live by. At most 10,000 characters."),
    )
    reserved = forms.MultipleChoiceField(
        label=_("Decisions this clause reserves to both parents"),
        choices=[(d.value, label) for d, label in DECISION_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "A request about one of these names this clause, and Coparent warns when such a "
            "decision seems to be made some other way."
        ),
    )
    response_hours = forms.IntegerField(
        label=_("Expected answer within (hours)"),
        min_value=1,
        max_value=MAX_RESPONSE_HOURS,
        required=False,
    )
    split_a = forms.IntegerField(
        label=_("Share of costs (%)"), min_value=0, max_value=100, required=False
    )
    split_b = forms.IntegerField(
        label=_("Share of costs (%)"), min_value=0, max_value=100, required=False
    )
    template = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        parents: list[User],
        amending: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        # The split names the parents in the order they joined: A, then B (core.agreement).
        names = [p.display_name or p.email for p in parents] + ["A", "B"]
        for field, name in (("split_a", names[0]), ("split_b", names[1])):
            self.fields[field].label = gettext("Share of costs for %(name)s (%%)") % {"name": name}
        for kind in RequestKind:
            self.fields[_days(kind)] = forms.IntegerField(
                label=gettext("Days without an answer to a request for %(what)s")
                % {"what": REQUEST_KIND_LABELS[kind]},
                min_value=1,
                max_value=MAX_SILENCE_DAYS,
                required=False,
            )
            self.fields[_outcome(kind)] = forms.ChoiceField(
                label=_("Then silence"), choices=OUTCOMES, required=False
            )
        if amending:
            # An amendment stays in its clause's section.
            del self.fields["topic"]
            del self.fields["template"]

    def silence_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(REQUEST_KIND_LABELS[k]), self[_days(k)], self[_outcome(k)]) for k in RequestKind
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind in RequestKind:
            days, outcome = data.get(_days(kind)), data.get(_outcome(kind))
            if days and not outcome:
                self.add_error(_outcome(kind), _("Say what silence counts as."))
            elif outcome and not days:
                self.add_error(_days(kind), _("Say after how many days."))
        if (data.get("split_a") is None) != (data.get("split_b") is None):
            self.add_error("split_b", _("Give both shares, or neither."))
        return data

    def terms(self) -> dict[str, Any]:
        """The terms document the services take (ClauseTerms.as_data's shape)."""
        data = self.cleaned_data
        terms: dict[str, Any] = {}
        if data.get("reserved"):
            terms["reserved"] = list(data["reserved"])
        silence = [
            {"kind": k.value, "days": data[_days(k)], "outcome": data[_outcome(k)]}
            for k in RequestKind
            if data.get(_days(k)) and data.get(_outcome(k))
        ]
        if silence:
            terms["silence"] = silence
        if data.get("response_hours") is not None:
            terms["response_hours"] = data["response_hours"]
        if data.get("split_a") is not None and data.get("split_b") is not None:
            terms["split"] = {"A": data["split_a"], "B": data["split_b"]}
        return terms

    def where(self) -> dict[str, str]:
        """The service's field names (terms.reserved, terms.silence.0…) as this form's."""
        mapping = {
            "terms.reserved": "reserved",
            "terms.response_hours": "response_hours",
            "terms.split": "split_b",
        }
        rules = [k for k in RequestKind if self.cleaned_data.get(_days(k))]
        for index, kind in enumerate(rules):
            mapping[f"terms.silence.{index}"] = _days(kind)
        return mapping


def initial_of(title: str, body: str, terms: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The form's starting values from a clause's words and terms (a template's or a
    version's)."""
    initial: dict[str, Any] = {"title": title, "body": body, **extra}
    initial["reserved"] = list(terms.get("reserved", []))
    for rule in terms.get("silence", []):
        initial[f"silence_{rule['kind']}_days"] = rule["days"]
        initial[f"silence_{rule['kind']}_outcome"] = rule["outcome"]
    if terms.get("response_hours") is not None:
        initial["response_hours"] = terms["response_hours"]
    if terms.get("split"):
        initial["split_a"] = terms["split"]["A"]
        initial["split_b"] = terms["split"]["B"]
    return initial


def template_initial(template: Template) -> dict[str, Any]:
    return initial_of(
        template.title,
        template.body,
        template.terms,
        topic=template.topic.value,
        template=template.slug,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not?"),
        max_length=REASON_MAX_CHARS,
        widget=CoachedTextarea(attrs={"rows": 3}),
        help_text=_("The one who proposed it reads this, and it goes into the family record."),
    )
