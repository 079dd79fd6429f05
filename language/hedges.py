"""Hedges: is a span of a message said with certainty, or inside "not sure if ..."?

The phrases are data (language/hedges.yml), read at train time and kept in the model by
CanonicalValues; `governs` is the pure check it asks of a fact's span: the learned layer
guesses nothing under any hedge, and no fact of `facts` is taken under a doubt.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import yaml

HEDGES_FILE = Path(__file__).resolve().parent / "hedges.yml"
# Where a clause ends: a hedge before one of these does not reach past it.
CLAUSE_BREAKS = frozenset({".", ",", ";", ":", "!", "?", "-", "but", "although", "though", "however", "so"})


KINDS = ("doubt", "guess", "condition")
# Under a guess, a DPS or framework status is not taken as said (language/canonical_values.py).
GUESS = "guess"
# Said after a statement, these take it back ("the framework reopens in spring, I might be
# wrong"); the doubts count too, where they end a clause ("... was open again, not sure tho").
AFTERTHOUGHT = "afterthought"
# Words that may close an afterthought without changing it: "not sure tho", "no idea tbh".
_TAILS = frozenset({"tho", "though", "tbh", "tbf", "really", "either", "lol", "haha"})
_SENTENCE_ENDS = frozenset({".", "!", "?"})
# Words that open a question of their own after a statement: "the DPS is open how do we apply?".
_QUESTION_WORDS = frozenset({"how", "what", "when", "where", "why", "which", "who", "can", "could",
                             "should", "would", "will", "do", "does", "is", "are", "shall"})


def load_hedges(path: Path = HEDGES_FILE) -> Dict[str, List[str]]:
    """The hedge phrases of each kind and the facts a doubt leaves unknown, checked."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {*KINDS, AFTERTHOUGHT, "facts"}:
        raise ValueError(f"{path}: expected the sections {', '.join(KINDS)}, {AFTERTHOUGHT} and facts")
    for kind in (*KINDS, AFTERTHOUGHT, "facts"):
        phrases = data[kind]
        if not isinstance(phrases, list) or not phrases or not all(
            isinstance(p, str) and p.strip() and p == p.lower() for p in phrases
        ):
            raise ValueError(f"{path}: {kind}: expected a list of lower-case phrases")
    hedges = {kind: _with_spellings([" ".join(p.split()) for p in data[kind]]) for kind in (*KINDS, AFTERTHOUGHT)}
    return {**hedges, "facts": list(data["facts"])}


def _with_spellings(phrases: List[str]) -> List[str]:
    """Each phrase, and its "dont" spelling: spaCy splits "dont" as "do nt", "don't" as "do n't"."""
    spelt = []
    for phrase in phrases:
        spelt.append(phrase)
        words = phrase.split()
        if "n't" in words:
            spelt.append(" ".join("nt" if w == "n't" else w for w in words))
    return spelt


def governs(words_before: Sequence[str], hedges: Sequence[Tuple[str, ...]]) -> bool:
    """True if a hedge phrase occurs in the span's clause, among the words before it, or
    ends the clause before it with the break itself: "could be wrong but the DPS is open"
    (a phrase whose last word is a break reaches over it).

    `words_before` are the lower-cased words of the message before the span, in order."""
    clause: List[str] = []
    for end in range(len(words_before) - 1, -1, -1):
        word = words_before[end]
        if word in CLAUSE_BREAKS:
            reaching = [h for h in hedges if h and h[-1] == word]
            return anywhere(clause[::-1], hedges) or any(
                tuple(words_before[end + 1 - len(h):end + 1]) == h for h in reaching)
        clause.append(word)
    return anywhere(clause[::-1], hedges)


def anywhere(words: Sequence[str], hedges: Iterable[Tuple[str, ...]]) -> bool:
    """True if a hedge phrase occurs among `words` (lower-cased, in order): the message-level
    layer reads no fact from a message with a hedge in it."""
    by_first_word = _by_first_word(tuple(hedges))
    for i, word in enumerate(words):
        for hedge in by_first_word.get(word, ()):
            if tuple(words[i:i + len(hedge)]) == hedge:
                return True
    return False


@lru_cache(maxsize=16)
def _by_first_word(hedges: Tuple[Tuple[str, ...], ...]) -> Dict[str, List[Tuple[str, ...]]]:
    """The phrases by their first word: each word of a message is then checked only against
    the phrases it can start (a parse asks this several times, of 150 phrases)."""
    index: Dict[str, List[Tuple[str, ...]]] = {}
    for hedge in hedges:
        if hedge:
            index.setdefault(hedge[0], []).append(hedge)
    return index


def asked(words_after: Sequence[str]) -> bool:
    """True if the span's clause ends in a question mark: "Essex DPS still open I think?",
    "is the Camden DPS open at the moment?"; not where another question opens before it
    ("the DPS is open how do we apply?"). `words_after`: the lower-cased words after it."""
    for word in words_after:
        if word in CLAUSE_BREAKS:
            return word == "?"
        if word in _QUESTION_WORDS:
            return False
    return False


def taken_back(words_after: Sequence[str], afterthoughts: Iterable[Tuple[str, ...]]) -> bool:
    """True if an afterthought ends a clause later in the span's sentence: "the framework
    reopens in spring, I might be wrong". One followed by more words ("not sure about the
    framework") is about something else."""
    sentence: List[str] = []
    for word in words_after:
        if word in _SENTENCE_ENDS:
            break
        sentence.append(word)
    for phrase in afterthoughts:
        n = len(phrase)
        for i in range(len(sentence) - n + 1):
            if tuple(sentence[i:i + n]) == phrase:
                following = sentence[i + n] if i + n < len(sentence) else None
                if following is None or following in CLAUSE_BREAKS or following in _TAILS:
                    return True
    return False
