"""The quick `<select>` (coparent.web.widgets) writes what Django's own templates would: a
filter on a page looks and submits the same, only with less work behind it."""

from __future__ import annotations

from django import forms
from django.utils.safestring import mark_safe

from coparent.messaging.forms import InboxFilterForm
from coparent.web.widgets import QuickSelect

CHOICES = [
    ("", "All topics"),
    ("school", "School & <homework>"),
    ('a"b', mark_safe("<b>safe</b>")),  # noqa: S308 - a label already marked safe stays as is
    (3, "Three"),
]


def _both(value: object, attrs: dict[str, object] | None = None) -> tuple[str, str]:
    django_select = forms.Select(attrs=attrs, choices=CHOICES)
    quick = QuickSelect(attrs=attrs, choices=CHOICES)
    return (
        str(django_select.render("topic", value, attrs={"id": "id_topic"})),
        str(quick.render("topic", value, attrs={"id": "id_topic"})),
    )


def test_a_quick_select_writes_what_djangos_would() -> None:
    for value in ("", "school", 3, 'a"b', None):
        expected, written = _both(value)
        assert written == expected


def test_its_attributes_are_written_and_escaped_the_same() -> None:
    expected, written = _both("school", {"required": True, "disabled": False, "data-x": '"<'})
    assert written == expected


def test_option_groups_are_left_to_djangos_templates() -> None:
    grouped = [("Family", [("a", "A"), ("b", "B")]), ("", "None")]
    assert str(QuickSelect(choices=grouped).render("g", "a")) == str(
        forms.Select(choices=grouped).render("g", "a")
    )


def test_the_inbox_filter_uses_it() -> None:
    form = InboxFilterForm({"topic": "school"})
    assert isinstance(form.fields["topic"].widget, QuickSelect)
    assert 'value="school" selected' in str(form["topic"])
