"""`coparent plan show|timeshare|ics`: a parent checks a plan file from the command line, with
the JSON shapes of ARCHITECTURE.md and errors that name the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

from coparent.cli import main

PLAN = """
timezone = "America/Chicago"
parents = ["Alex", "Sam"]
start = 2027-01-04
exchange_time = "18:00"
pattern = "2-2-3"
exchange_place = "Lincoln Elementary"

[[holiday]]
name = "Thanksgiving"
date = "Thanksgiving"
country = "US"
start = "-1d 18:00"
end = "+3d 18:00"
odd_years = "B"
even_years = "A"

[[override]]
start = 2027-07-10T09:00:00
end = 2027-07-17T18:00:00
parent = "A"
note = "Trip"
"""


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN)
    return path


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_timeshare_json_has_exactly_the_architecture_shape(plan_file, capsys):
    code, out, _ = _run(
        capsys,
        "timeshare",
        str(plan_file),
        "--from",
        "2027-01-04",
        "--to",
        "2027-01-18",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {
        "from": "2027-01-04",
        "to": "2027-01-18",
        "timezone": "America/Chicago",
        "overnights": {"Alex": 7, "Sam": 7},
        "hours": {"Alex": 168.0, "Sam": 168.0},
        "percent_overnights": {"Alex": 50.0, "Sam": 50.0},
        "percent_hours": {"Alex": 50.0, "Sam": 50.0},
    }


def test_timeshare_over_a_year_with_holiday_and_trip(plan_file, capsys):
    code, out, _ = _run(
        capsys,
        "timeshare",
        str(plan_file),
        "--from",
        "2027-01-01",
        "--to",
        "2028-01-01",
        "--json",
    )
    share = json.loads(out)
    assert code == 0
    assert sum(share["overnights"].values()) == 365
    assert sum(share["hours"].values()) == 365 * 24  # one 23-hour and one 25-hour day
    assert round(sum(share["percent_hours"].values()), 2) == 100
    assert all(isinstance(n, int) for n in share["overnights"].values())


def test_timeshare_for_people_states_each_rule(plan_file, capsys):
    code, out, _ = _run(
        capsys, "timeshare", str(plan_file), "--from", "2027-01-04", "--to", "2027-01-18"
    )
    assert code == 0
    assert "Overnights: Each night of the period counts once" in out
    assert "Days with partial-day credit:" in out
    assert "Alex" in out and "50.00%" in out


def test_show_json_lists_segments_and_exchanges_in_local_time(plan_file, capsys):
    code, out, _ = _run(
        capsys, "show", str(plan_file), "--from", "2027-11-22", "--to", "2027-11-26", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "from": "2027-11-22",
        "to": "2027-11-26",
        "timezone": "America/Chicago",
        "segments": [
            {
                "start": "2027-11-22T00:00:00-06:00",
                "end": "2027-11-22T18:00:00-06:00",
                "parent": "Sam",
                "source": "rotation",
            },
            {
                "start": "2027-11-22T18:00:00-06:00",
                "end": "2027-11-24T18:00:00-06:00",
                "parent": "Alex",
                "source": "rotation",
            },
            {
                "start": "2027-11-24T18:00:00-06:00",
                "end": "2027-11-26T00:00:00-06:00",
                "parent": "Sam",
                "source": "Thanksgiving",
            },
        ],
        "exchanges": [
            {"at": "2027-11-22T18:00:00-06:00", "from": "Sam", "to": "Alex"},
            {"at": "2027-11-24T18:00:00-06:00", "from": "Alex", "to": "Sam"},
        ],
    }


def test_show_prints_an_agenda_with_the_trip(plan_file, capsys):
    code, out, _ = _run(
        capsys, "show", str(plan_file), "--from", "2027-07-09", "--to", "2027-07-19"
    )
    assert code == 0
    # Alex has the children from Friday's exchange anyway; the trip keeps them a week.
    assert out.splitlines()[3:8] == [
        "Fri 2027-07-09 00:00 CDT  with Sam until Fri 2027-07-09 18:00 CDT (rotation)",
        "Fri 2027-07-09 18:00 CDT  exchange: Sam → Alex at Lincoln Elementary",
        "Fri 2027-07-09 18:00 CDT  with Alex until Sat 2027-07-10 09:00 CDT (rotation)",
        "Sat 2027-07-10 09:00 CDT  with Alex until Sat 2027-07-17 18:00 CDT (Trip)",
        "Sat 2027-07-17 18:00 CDT  exchange: Alex → Sam at Lincoln Elementary",
    ]


def test_ics_prints_a_calendar_that_reads_back(plan_file, capsys):
    code, out, _ = _run(capsys, "ics", str(plan_file), "--from", "2027-11-01", "--to", "2027-12-01")
    assert code == 0
    calendar = icalendar.Calendar.from_ical(out)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert "With Sam (Thanksgiving)" in summaries
    assert "Exchange: Alex → Sam" in summaries
    assert out.endswith("END:VCALENDAR\r\n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PLAN.replace('"2-2-3"', '"2-2-4"'), 'pattern: "2-2-4" is not a named pattern'),
        (PLAN.replace('pattern = "2-2-3"', 'rotation = "AAXB"'), "rotation: only the letters"),
        (PLAN.replace("America/Chicago", "America/Gotham"), 'timezone: "America/Gotham"'),
        (PLAN.replace('end = "+3d 18:00"', 'end = "-3d 18:00"'), "holiday[0].end:"),
        (
            PLAN.replace("end = 2027-07-17T18:00:00", "end = 2027-07-01T18:00:00"),
            "override[0].end: 2027-07-01 18:00 is not after the start",
        ),
        ("parents = [", "file: not valid TOML"),
    ],
)
def test_a_bad_plan_exits_1_naming_the_field(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    code, out, err = _run(capsys, "show", str(path), "--from", "2027-01-01", "--to", "2027-02-01")
    assert (code, out) == (1, "")
    assert f"{path} is not a valid plan:" in err
    assert expected in err
    assert "Traceback" not in err


def test_a_missing_file_exits_1(tmp_path, capsys):
    code, _, err = _run(
        capsys,
        "timeshare",
        str(tmp_path / "nope.toml"),
        "--from",
        "2027-01-01",
        "--to",
        "2027-02-01",
    )
    assert code == 1
    assert "cannot read" in err and "No such file" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2027-02-01", "--to", "2027-01-01"], "--to must be a date after --from"),
        (["--from", "1800-01-01", "--to", "2027-01-01"], "--from must be between"),
    ],
)
def test_a_bad_range_exits_2(plan_file, capsys, args, expected):
    code, _, err = _run(capsys, "show", str(plan_file), *args)
    assert code == 2
    assert expected in err


def test_usage_problems_exit_2(plan_file, capsys):
    with pytest.raises(SystemExit) as missing:
        main(["plan", "show", str(plan_file), "--from", "2027-01-01"])
    assert missing.value.code == 2
    with pytest.raises(SystemExit) as not_a_date:
        main(["plan", "show", str(plan_file), "--from", "Jan 1", "--to", "2027-02-01"])
    assert not_a_date.value.code == 2
    assert "is not a date like" in capsys.readouterr().err
    assert main(["plan"]) == 2


@pytest.mark.slow
def test_plan_runs_without_django(plan_file):
    script = (
        "import sys\n"
        "from coparent.cli import main\n"
        f"code = main(['plan', 'timeshare', {str(plan_file)!r}, '--from', '2027-01-01',"
        " '--to', '2027-03-01', '--json'])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'Django imported'\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["timezone"] == "America/Chicago"


@pytest.mark.parametrize("command", ["show", "timeshare", "ics"])
@pytest.mark.parametrize(
    ("first", "stop"), [("1900-01-04", "1900-02-01"), ("2199-12-01", "2199-12-28")]
)
def test_the_earliest_and_latest_ranges_work_for_every_command(
    plan_file, capsys, command, first, stop
):
    code, out, _ = _run(capsys, command, str(plan_file), "--from", first, "--to", stop, "--json")
    assert code == 0
    assert json.loads(out)["from"] == first
