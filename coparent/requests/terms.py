"""The one seam between requests and the parenting agreement.

Everything in this app that needs the agreement (the clause a request relies on, what silence
means at expiry, the form's warnings) asks `terms_in_force` and nothing else, so the agreement
app plugs in here and only here.
"""

from __future__ import annotations

from datetime import datetime

from coparent.core.agreement import AgreementTerms
from coparent.families.models import Family


def terms_in_force(family: Family, at: datetime) -> AgreementTerms:
    """What the family's signed clauses say at `at`.

    wired to coparent.agreements.selectors.terms_in_force at merge: until the agreement app is
    in the tree, no clause is signed, so the terms are empty (no reserved decision, no silence
    rule) and requests simply expire unanswered."""
    del family, at  # read by the agreement's selector once wired
    return AgreementTerms()
