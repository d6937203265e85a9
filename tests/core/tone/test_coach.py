"""A parent writes; the coach says how it will land. Flags by kind, levels, spans, the JSON
shape and the rewrite, including the hard cases: everyday words in harmless use, emoji and
accents, and input nobody should send."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.core.tone import ANALYSIS_LIMIT, analyse

# Each kind of the issue: texts that must raise it, and texts that share its words but must not.
KINDS = {
    "insult": (
        [
            "You're a liar and everyone knows it.",
            "ur so dumb its unreal",
            "what an idiot",
            "You're a terrible father.",
            "Answer me, you coward.",
        ],
        [
            "I'm such an idiot, I forgot the bag!",
            "Mia said the math test was a total joke.",
            "Stupid printer jammed, I'll send the forms tonight.",
        ],
    ),
    "profanity": (
        ["fuck off and stop texting me", "This is bullshit.", "wtf is this", "Go to hell."],
        [
            "Hello! The shell collection is in her bag.",
            "She did a class assessment.",
            "Hell of a game yesterday, Leo scored twice!",
        ],
    ),
    "absolute": (
        [
            "You always do this at the last minute.",
            "You never answer my texts.",
            "Every single time it's the same thing with you.",
        ],
        [
            "I never got the form.",
            "You never know with this weather, pack a raincoat.",
            "We always do pancakes on Sunday.",
        ],
    ),
    "blame": (
        [
            "Because of you, Leo missed his game.",
            "You ruined her birthday.",
            "It's all your fault.",
        ],
        [
            "That was my fault, I'm sorry.",
            "It's not your fault, the school changed it.",
            "You made her day!",
        ],
    ),
    "threat": (
        [
            "see you in court",
            "My lawyer will be hearing about this.",
            "If you're late again I'm filing for full custody.",
            "You will regret this.",
        ],
        [
            "The court date is Monday.",
            "My lawyer sent the revised schedule to yours.",
            "According to the court order, Thanksgiving is with you this year.",
        ],
    ),
    "shouting": (
        ["YOU ARE NEVER ON TIME.", "You ALWAYS do this.", "Answer me!!!"],
        [
            "Leo's IEP meeting is at 3PM.",
            'The coach yelled "NEVER GIVE UP" and they loved it.',
            "She scored!",
        ],
    ),
    "sarcasm": (
        [
            "Per my last message, I need the insurance card.",
            "Nice of you to finally reply.",
            "Oh great, another schedule change.",
            "wow. parent of the year right here.",
        ],
        [
            "Great, see you at 6!",
            "Of course you can take them Friday.",
            "Wow, she did amazing at the recital!",
        ],
    ),
    "command": (
        [
            "Don't you dare take them to your mother's.",
            "Pay up or don't bother showing up.",
            "I'm not asking, I'm telling you.",
            "End of discussion.",
        ],
        [
            "Please don't forget her inhaler.",
            "You need to sign the form by Friday.",
            "Don't worry about being late.",
        ],
    ),
    "disparaging": (
        [
            "Your new girlfriend is a homewrecker.",
            "Your mother is a psycho.",
            "That woman you live with is not their mother.",
        ],
        [
            "Your mom is picking them up at 4, right?",
            "Your girlfriend is welcome at the party.",
            "Please thank your dad for the ride.",
        ],
    ),
    "children": (
        [
            "The kids know what you did.",
            "Tell your father he's a deadbeat.",
            "Mia told me she hates going to your house.",
            "The kids are scared of you.",
        ],
        [
            "The kids know the new schedule.",
            "Tell your mom thanks for the card.",
            "She killed it at the recital!",
            "Leo hates math homework lol.",
        ],
    ),
    "supportive": (
        [
            "Thanks for dropping off the inhaler.",
            "I appreciate you telling me first.",
            "She killed it at the recital!! So proud of her.",
        ],
        ["Thanks for nothing.", "Pick-up is at 5."],
    ),
}


def _kinds(text: str) -> set[str]:
    return {flag.kind for flag in analyse(text).flags}


@pytest.mark.parametrize(("kind", "text"), [(k, t) for k, (must, _) in KINDS.items() for t in must])
def test_the_coach_flags_each_kind(kind, text):
    assert kind in _kinds(text)


@pytest.mark.parametrize(
    ("kind", "text"), [(k, t) for k, (_, must_not) in KINDS.items() for t in must_not]
)
def test_everyday_words_in_harmless_use_do_not_fire(kind, text):
    assert kind not in _kinds(text)


@pytest.mark.parametrize(
    "text", ["I never got the form", "she killed it at the recital", "the court date is Monday"]
)
def test_the_issues_hard_negatives_are_ok(text):
    verdict = analyse(text)
    assert verdict.level == "ok" and verdict.rewrite is None


def test_a_parent_types_the_story_message_and_sees_why_and_a_calmer_version():
    verdict = analyse("You ALWAYS do this, you're a terrible father.")
    assert verdict.level == "hostile"
    by_kind = {flag.kind: flag for flag in verdict.flags}
    assert by_kind["insult"].text == "you're a terrible father"
    assert by_kind["absolute"].text == "You ALWAYS"
    assert by_kind["shouting"].suggestion == 'Write it in normal case: "always"'
    assert "Name-calling" in by_kind["insult"].why
    assert verdict.rewrite is not None
    assert analyse(verdict.rewrite).level == "ok"


def test_the_rewrite_keeps_the_information_and_drops_the_jab():
    verdict = analyse("Per my last message, I need the insurance card by Friday!!!")
    assert verdict.level == "caution"
    assert verdict.rewrite == "Hi,\n\nI need the insurance card by Friday.\n\nThanks."


def test_the_rewrite_keeps_the_writers_own_greeting_and_thanks():
    verdict = analyse("Hi Sam. Do NOT sign her up without asking me. Seriously?? Thanks.")
    assert verdict.rewrite == "Hi Sam. Please do not sign her up without asking me. Thanks."


def test_supportive_wording_is_recognised_but_never_raises_the_level():
    verdict = analyse("Thanks so much for covering today, you're a great dad.")
    assert verdict.level == "ok" and verdict.score == 0
    assert [f.kind for f in verdict.flags] == ["supportive", "supportive"]
    assert "Supportive wording" in verdict.flags[0].why


def test_thanks_inside_sarcasm_is_not_support():
    verdict = analyse("Thanks for nothing.")
    assert verdict.level == "caution"
    assert "supportive" not in {f.kind for f in verdict.flags}


def test_a_long_message_gets_a_brevity_nudge_on_the_part_past_the_length():
    opening = "Pickup is at 5 on Friday. "
    text = opening + "We can talk about the summer plans later this week if you like. " * 20
    verdict = analyse(text)
    (nudge,) = [f for f in verdict.flags if f.kind == "length"]
    assert verdict.level == "ok"
    assert "(266 words)" in nudge.why
    assert nudge.start > len(opening) and text[nudge.start : nudge.end] == nudge.text
    assert nudge.end == len(text.rstrip())


def test_score_and_level_agree():
    for text in ["See you at 6.", "You never answer.", "You're an idiot."]:
        verdict = analyse(text)
        expected = (
            "hostile" if verdict.score >= 0.65 else "caution" if verdict.score >= 0.3 else "ok"
        )
        assert verdict.level == expected


def test_the_json_is_exactly_the_fixed_interface():
    document = json.loads(json.dumps(analyse("You never listen!!!").as_dict()))
    assert list(document) == ["level", "score", "flags", "rewrite"]
    assert document["level"] == "caution" and 0 <= document["score"] <= 1
    assert isinstance(document["rewrite"], str)
    for flag in document["flags"]:
        assert list(flag) == ["start", "end", "text", "kind", "why", "suggestion"]
    assert analyse("See you at 6.").as_dict() == {
        "level": "ok",
        "score": 0.0,
        "flags": [],
        "rewrite": None,
    }


# --- Offsets -------------------------------------------------------------------------------------

COMBINING_E = "e\u0301"  # "é" written as e + combining acute accent: two code points


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("😊😊 You're an idiot 👍", "You're an idiot"),
        ("Zoë et Chloé: you're a liar.", "you're a liar"),
        (f"Ren{COMBINING_E}e says you're a liar.", "you're a liar"),
        ("👨‍👩‍👧 family emoji first, then: fuck off", "fuck off"),
        ("Ｆｕｌｌ-width first. You’re such a loser.", "You’re such a loser"),
        ("日本語のテキスト。You're pathetic.", "You're pathetic"),
    ],
)
def test_spans_point_at_the_right_characters_whatever_comes_before(text, word):
    flags = [f for f in analyse(text).flags if f.kind in {"insult", "profanity"}]
    assert flags, text
    flag = max(flags, key=lambda f: f.end - f.start)
    assert flag.text == word
    assert text[flag.start : flag.end] == word
    assert flag.start == text.index(word)


def test_a_curly_apostrophe_is_read_as_a_straight_one_and_shown_as_written():
    (flag,) = [f for f in analyse("You’re a liar").flags if f.kind == "insult"]
    assert flag.text == "You’re a liar"


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_an_empty_text_is_ok_with_nothing_to_say(text):
    assert analyse(text).as_dict() == {"level": "ok", "score": 0.0, "flags": [], "rewrite": None}


def test_binary_junk_nuls_and_lone_surrogates_get_a_verdict():
    junk = bytes(range(256)).decode("latin-1") + "\x00\x00\ud800 you idiot \udfff"
    verdict = analyse(junk)
    assert verdict.level == "hostile"
    json.dumps(verdict.as_dict(), ensure_ascii=False).encode("utf-8")  # encodable everywhere
    for flag in verdict.flags:
        assert len(flag.text) == flag.end - flag.start
        assert "\ud800" not in flag.text and "\udfff" not in flag.text


@pytest.mark.parametrize(
    "text",
    [
        "Ты всегда опаздываешь!",
        "لا تنسَ الدواء",
        "明日の迎えは5時です",
        "🙂" * 500,
        "\u202e reversed \u202c text",
        "a" * 5000,
    ],
)
def test_any_script_gets_a_verdict(text):
    verdict = analyse(text)
    assert verdict.level in {"ok", "caution", "hostile"}


def test_a_huge_text_is_cut_to_the_stated_limit_and_says_so_in_time():
    text = "You ALWAYS do this, you're a terrible father. " * 2200  # about 100,000 characters
    started = time.perf_counter()
    verdict = analyse(text)
    elapsed = time.perf_counter() - started
    assert verdict.truncated and verdict.level == "hostile"
    assert elapsed < 5, f"{elapsed:.1f} s"
    assert all(flag.end <= ANALYSIS_LIMIT for flag in verdict.flags)
    (nudge,) = [f for f in verdict.flags if f.kind == "length"]
    assert "Only the first 20,000 characters were checked" in nudge.why


def test_only_text_is_read():
    with pytest.raises(TypeError, match="reads text"):
        analyse(b"you idiot")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_a_consistent_verdict(text):
    verdict = analyse(text)
    assert 0 <= verdict.score <= 1
    assert (verdict.rewrite is None) == (verdict.level == "ok")
    for flag in verdict.flags:
        assert 0 <= flag.start < flag.end <= len(text)
        assert len(flag.text) == flag.end - flag.start
        if not any("\ud800" <= c <= "\udfff" for c in text):
            assert text[flag.start : flag.end] == flag.text
