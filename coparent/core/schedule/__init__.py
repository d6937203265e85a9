"""The schedule engine: parenting plans, their expansion into custody segments and exchanges,
time-share counting and iCalendar writing. Pure Python (no Django): the schedule app stores
plans and calls these functions.

See docs/schedules.md for the plan format and its semantics.
"""

from coparent.core.schedule.expand import expand, expand_dates, local_midnight, parent_at
from coparent.core.schedule.ical import (
    EventVersion,
    Feed,
    build_calendar,
    event_uid,
    make_event,
    next_version,
    write_ics,
)
from coparent.core.schedule.model import (
    LETTERS,
    Birthday,
    DayOffset,
    Exchange,
    Expansion,
    HolidayRule,
    Letter,
    Override,
    Plan,
    SchoolBreak,
    Segment,
    Source,
    YearOwners,
)
from coparent.core.schedule.parse import (
    PlanError,
    load_plan,
    parse_plan,
    plan_from_dict,
    plan_to_dict,
    plan_to_toml,
)
from coparent.core.schedule.patterns import DESCRIPTIONS, PATTERNS
from coparent.core.schedule.timeshare import (
    METHODS,
    CountingMethod,
    Tally,
    TimeShare,
    Window,
    percentages,
    plan_timeshare,
    register,
    round_to_total,
    timeshare,
)

__all__ = [
    "DESCRIPTIONS",
    "LETTERS",
    "METHODS",
    "PATTERNS",
    "Birthday",
    "CountingMethod",
    "DayOffset",
    "EventVersion",
    "Exchange",
    "Expansion",
    "Feed",
    "HolidayRule",
    "Letter",
    "Override",
    "Plan",
    "PlanError",
    "SchoolBreak",
    "Segment",
    "Source",
    "Tally",
    "TimeShare",
    "Window",
    "YearOwners",
    "build_calendar",
    "event_uid",
    "expand",
    "expand_dates",
    "load_plan",
    "local_midnight",
    "make_event",
    "next_version",
    "parent_at",
    "parse_plan",
    "percentages",
    "plan_from_dict",
    "plan_timeshare",
    "plan_to_dict",
    "plan_to_toml",
    "register",
    "round_to_total",
    "timeshare",
    "write_ics",
]
