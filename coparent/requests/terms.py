"""The one seam between requests and the parenting agreement.

Everything in this app that needs the agreement (the clause a request relies on, what silence
means at expiry, the form's warnings) asks `terms_in_force` and nothing else, so tests can stand
an agreement in here and the app reads the agreement in one place.
"""

from __future__ import annotations

from datetime import datetime

from coparent.agreements.selectors import terms_in_force as agreement_terms
from coparent.core.agreement import AgreementTerms
from coparent.families.models import Family


def terms_in_force(family: Family, at: datetime) -> AgreementTerms:
    """What the family's signed clauses say at `at` (coparent.agreements, one query)."""
    return agreement_terms(family, at)
