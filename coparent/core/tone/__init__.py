"""The tone coach: offline, fast, explainable advice on how a message will land.

Pure Python (no Django). Rules, word lists and the learned model (``model.json.gz``, scored
by ``model.py`` with the standard library) live in ``data/``; docs/tone.md explains them.
Offsets are Python ``str`` indices (Unicode code points) into the text as sent.

    >>> from coparent.core.tone import analyse
    >>> analyse("You ALWAYS do this, you're a terrible father.").level
    'hostile'
"""

from coparent.core.tone.coach import ANALYSIS_LIMIT, Flag, Level, Verdict, analyse
from coparent.core.tone.shield import Span, fold_spans, fold_text, shield_segments, shield_spans

__all__ = [
    "ANALYSIS_LIMIT",
    "Flag",
    "Level",
    "Span",
    "Verdict",
    "analyse",
    "fold_spans",
    "fold_text",
    "shield_segments",
    "shield_spans",
]
