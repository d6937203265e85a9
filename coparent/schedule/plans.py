"""A plan as someone typed it, read by the engine: the plan, or a `PlanProblem` naming each bad
field. Shared by the writes (services) and the preview (selectors)."""

from __future__ import annotations

from typing import Any

from coparent.core.schedule import Plan, PlanError, plan_from_dict
from coparent.infra.errors import DomainError


class PlanProblem(DomainError):
    """A proposal or an answer that cannot be taken, with each problem as (field, message);
    fields are the engine's (``timezone``, ``holiday[0].date``) or ``effective_from``,
    ``reason``, ``__all__``."""


def check_plan(data: dict[str, Any]) -> Plan:
    """The engine's plan for `data`, or PlanProblem naming each bad field."""
    try:
        return plan_from_dict(data)
    except PlanError as exc:
        raise PlanProblem(exc.problems) from None
