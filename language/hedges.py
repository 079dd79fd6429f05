"""Hedges: is a span of a message said with certainty, or inside "not sure if ..."?

The phrases are data (language/hedges.yml), read at train time and kept in the model by
CanonicalValues; `governs` is the pure check the learned layer asks before guessing a value.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

import yaml

HEDGES_FILE = Path(__file__).resolve().parent / "hedges.yml"
# Where a clause ends: a hedge before one of these does not reach past it.
CLAUSE_BREAKS = frozenset({".", ",", ";", ":", "!", "?", "-", "but", "although", "though", "however", "so"})


def load_hedges(path: Path = HEDGES_FILE) -> List[str]:
    """The hedge phrases, checked: a non-empty list of lower-case strings."""
    phrases = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(phrases, list) or not phrases or not all(
        isinstance(p, str) and p.strip() and p == p.lower() for p in phrases
    ):
        raise ValueError(f"{path}: expected a list of lower-case phrases")
    return [" ".join(p.split()) for p in phrases]


def governs(words_before: Sequence[str], hedges: Iterable[Tuple[str, ...]]) -> bool:
    """True if a hedge phrase occurs in the span's clause, among the words before it.

    `words_before` are the lower-cased words of the message before the span, in order."""
    clause: List[str] = []
    for word in reversed(words_before):
        if word in CLAUSE_BREAKS:
            break
        clause.append(word)
    clause.reverse()
    for hedge in hedges:
        n = len(hedge)
        if any(tuple(clause[i:i + n]) == hedge for i in range(len(clause) - n + 1)):
            return True
    return False
