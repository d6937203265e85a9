from __future__ import annotations

from coparent.exchanges.forms import ActualPeriodForm


class PeriodForm(ActualPeriodForm):
    """The insights' period: local dates [start, end), a year at most (default: the last
    twelve months) - the planned-and-actual page's period, whose time-share the insights chart
    by month; the selector checks the same year (`selectors.MAX_DAYS`)."""
