"""The receiver's shield: which spans of a received message fold behind "show original
wording". A view only: the pieces always join back into the message exactly as sent."""

from __future__ import annotations

from coparent.core.tone import analyse, fold_spans, shield_segments, shield_spans


def test_an_insult_folds_with_its_whole_sentence_and_the_information_stays():
    text = "Pickup is at 5 on Friday. You're a pathetic excuse for a father. Bring her coat."
    (span,) = shield_spans(text)
    assert span.text == "You're a pathetic excuse for a father."
    assert text[span.start : span.end] == span.text
    assert span.kinds == ("insult",)


def test_a_passive_aggressive_opener_folds_alone():
    text = "Per my last message, I need the insurance card by Friday."
    (span,) = shield_spans(text)
    assert span.text == "Per my last message,"


def test_neighbouring_attacks_fold_as_one_span():
    text = "See you in court. You're a liar. Mia's recital is at 7."
    (span,) = shield_spans(text)
    assert span.text == "See you in court. You're a liar."
    assert set(span.kinds) == {"threat", "insult"}


def test_kind_neutral_and_merely_firm_messages_fold_nothing():
    for text in [
        "Thanks for taking them, they had a great time!",
        "I never got the form, can you send it?",
        "You need to sign the form by Friday.",
        "Do NOT forget her inhaler.",
        "Damn, I left her charger at my place.",
        "",
    ]:
        assert shield_spans(text) == [], text


def test_the_segments_give_back_the_message_byte_for_byte():
    text = "Hi 👋 Zoë. The kids know what you did. Pickup at 5!!! Fuck off.\nThanks."
    segments = shield_segments(text)
    assert "".join(piece for piece, _ in segments) == text
    assert [piece for piece, folded in segments if folded] == [
        "The kids know what you did.",
        "Fuck off.",
    ]


def test_fold_spans_works_from_flags_already_computed():
    text = "You're an idiot."
    assert fold_spans(text, analyse(text).flags) == shield_spans(text)
