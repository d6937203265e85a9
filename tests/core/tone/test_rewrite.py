"""The suggested version keeps the content: every request, fact, date, time and amount of the
original, and none of the words the coach flagged as an attack. A parent who clicks "Use this
version" sends the same information, calmly."""

from __future__ import annotations

import pytest

from coparent.core.tone import analyse
from coparent.core.tone.rules import load_rules

# Hostile or tense texts written for this test, each with the facts its rewrite must keep.
CASES = [
    (
        "You never read the school emails, so here is the permission slip… sign it by Friday.",
        ["permission slip", "sign it by Friday"],
    ),
    (
        "Bring her back by 6 on Sunday or I'm calling my lawyer, you useless idiot.",
        ["Bring her back by 6 on Sunday"],
    ),
    (
        "The dentist is at 3:15 on Tuesday, not that you'd remember, genius.",
        ["The dentist is at 3:15 on Tuesday"],
    ),
    ("You're a deadbeat. The £240 for the uniform was due on the 1st.", ["£240", "uniform", "1st"]),
    (
        "Send the passport back by Monday or you can forget the summer fortnight.",
        ["Send the passport back by Monday"],
    ),
    (
        "Seriously?? The parents' evening is Thursday at 6:10. Try to keep up.",
        ["parents' evening is Thursday at 6:10"],
    ),
    ("Tell your father he owes me £80 for the school trip.", ["£80 for the school trip"]),
    ("I SAID THE GREEN BAG. Her PE is on Wednesday.", ["green bag", "PE is on Wednesday"]),
    (
        "Nobody wants your input. Swimming is on Saturdays at 9 and she's going.",
        ["Swimming is on Saturdays at 9"],
    ),
    (
        "See you in court. The hearing is on 12 March at 10am.",
        ["The hearing is on 12 March at 10am"],
    ),
    (
        "Per my last message, which you clearly didn't read, I need the insurance card by "
        "Friday!!!",
        ["I need the insurance card by Friday"],
    ),
    (
        "Where's the damn money, you useless prick? It's £60 and it was due on the 1st.",
        ["£60", "due on the 1st"],
    ),
    (
        "Pick them up at 4:30 on Saturday, and tell your new girlfriend to stay in the car, "
        "she's a homewrecker.",
        ["Pick them up at 4:30 on Saturday", "stay in the car"],
    ),
    (
        "What sort of fool leaves a kid waiting at practice? Pickup is 5:30 on Tuesdays, not 6.",
        ["Pickup is 5:30 on Tuesdays, not 6"],
    ),
    (
        "As I have now said three times, which you clearly didn't read, the trip money (£25) is "
        "due Friday.",
        ["trip money (£25) is due Friday"],
    ),
    ("Have them at the gate at 5 sharp. Got it?", ["have them at the gate at 5"]),
    # Round 2: a threat of exposure at an order's tail goes, the order and its amount stay
    # (asked politely only after the check, so "please" never lets a threat through).
    ("Pay the £120 you owe by Friday or your boss hears about it.", ["pay the £120", "by Friday"]),
    (
        "Typical you, unreliable as always. The dentist moved to Thursday at 4:40.",
        ["The dentist moved to Thursday at 4:40"],
    ),
]


def _must_go(flag) -> bool:
    """Flagged words the rewrite must not keep: every attack. An order is kept as a polite
    request ("Please have them at the gate at 5"), and the model's flag covers a sentence
    whose facts may stay, so neither is checked word for word."""
    if flag.kind in ("supportive", "length") or flag.rule.startswith("model."):
        return False
    return not (flag.kind == "command" and flag.weight < load_rules().scoring.hostile)


@pytest.mark.parametrize(("text", "facts"), CASES)
def test_the_rewrite_keeps_every_fact_and_no_flagged_word(text, facts):
    verdict = analyse(text)
    assert verdict.level != "ok" and verdict.rewrite is not None
    for fact in facts:
        assert fact.lower() in verdict.rewrite.lower(), (fact, verdict.rewrite)
    for flag in verdict.flags:
        if _must_go(flag):
            # Shouting stays as words in normal case; everything else goes altogether.
            kept = (
                flag.text in verdict.rewrite
                if flag.kind == "shouting"
                else (flag.text.lower() in verdict.rewrite.lower())
            )
            assert not kept, (flag.kind, flag.text, verdict.rewrite)


@pytest.mark.parametrize(("text", "facts"), CASES)
def test_the_rewrite_is_brief_friendly_and_never_hostile(text, facts):
    rewrite = analyse(text).rewrite
    assert rewrite is not None
    assert rewrite.startswith("Hi") and rewrite.rstrip().endswith("Thanks.")
    assert len(rewrite) <= len(text) + len("Hi,\n\n\n\nThanks.") + len("Please ")
    assert analyse(rewrite).level != "hostile"


def test_an_order_stays_as_a_polite_request():
    assert analyse("Have them at the gate at 5 sharp. Got it?").rewrite == (
        "Hi,\n\nPlease have them at the gate at 5.\n\nThanks."
    )


def test_the_issues_permission_slip_keeps_its_request():
    verdict = analyse(
        "You never read the school emails, so here is the permission slip… sign it by Friday."
    )
    assert verdict.rewrite == (
        "Hi,\n\nHere is the permission slip. Please sign it by Friday.\n\nThanks."
    )


def test_a_threat_is_never_kept_behind_a_please():
    verdict = analyse("Pay the £120 you owe by Friday or your boss hears about it.")
    assert verdict.rewrite == "Hi,\n\nPlease pay the £120 you owe by Friday.\n\nThanks."


def test_a_kept_bare_order_is_asked_politely():
    verdict = analyse("You ALWAYS forget. Send me the flight numbers before you go.")
    assert verdict.rewrite is not None
    assert "Please send me the flight numbers before you go." in verdict.rewrite
