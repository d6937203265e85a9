from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import template

from coparent.accounts.models import User
from coparent.agreements import words

register = template.Library()


@register.filter
def terms_words(terms: Mapping[str, Any] | None, parents: Sequence[User] = ()) -> list[str]:
    """`{{ version.terms|terms_words:page.parents }}`: the terms in plain sentences."""
    return words.terms_words(terms, parents)
