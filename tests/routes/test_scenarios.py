"""The route advisor against a bid consultant's scenario table (tests/routes/scenarios.yml).

Each row is a situation a care provider might describe, the route a consultant would
recommend, the other routes worth pursuing alongside it, and words the advice must (and must
not) contain. The table is written from the guide and the domain facts, not from the tree, so
a failure here means the tree and the consultant disagree: read the message, then decide which
is right. Pure Python: no Rasa, no trained model.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from routes.reply import recommendation_message, word_count
from routes.tree import load_tree
from routes.walker import Question, Recommendation, advise

TABLE = Path(__file__).with_name("scenarios.yml")
ROW_KEYS = {"situation", "facts", "route", "also", "says", "never"}
FREE_TEXT = {"council"}
MIN_ROWS = 45
MAX_CHAT_WORDS = 120

TREE = load_tree()
ROWS: List[Dict] = yaml.safe_load(TABLE.read_text(encoding="utf-8")) or []


def _no_nation_from_place(text: str):
    """The nation is given explicitly in every row, so never look it up from the council."""
    return None


def _advice(row: Dict):
    return advise(TREE, row["facts"], nation_of_place=_no_nation_from_place)


def _whole_advice(rec: Recommendation) -> str:
    """Everything the visitor can read: title, reasons, steps, caveats and the chat message."""
    parts = [rec.title, *rec.why, *rec.next_steps, *rec.caveats, recommendation_message(TREE, rec)]
    return "\n".join(parts)


def _describe(row: Dict, rec: Recommendation) -> str:
    def bullets(lines):
        return "".join(f"\n      - {line}" for line in lines) or "\n      (none)"

    return (
        f"\n  Situation: {row['situation']}"
        f"\n  Facts:     {row['facts']}"
        f"\n  Advisor recommended: {rec.route} ({rec.route_name}), also {sorted(rec.also) or 'nothing'}"
        f"\n  Title:     {rec.title}"
        f"\n  Leaf:      {rec.leaf}"
        f"\n  Why:{bullets(rec.why)}"
        f"\n  Steps:{bullets(rec.next_steps)}"
        f"\n  Caveats:{bullets(rec.caveats)}"
    )


# ------------------------------------------------------------------------------ the table itself

def test_table_has_enough_situations_and_every_route():
    assert len(ROWS) >= MIN_ROWS, f"the scenario table has {len(ROWS)} situations; it needs at least {MIN_ROWS}"
    used = {row["route"] for row in ROWS} | {route for row in ROWS for route in row.get("also", [])}
    missing = sorted(set(TREE.routes) - used)
    assert not missing, f"no situation in the table recommends these routes: {missing}"


def test_table_is_well_formed():
    """Typos in a fact name or value would silently drop the fact, so refuse them here."""
    problems = []
    seen = set()
    for number, row in enumerate(ROWS, start=1):
        label = f"row {number} ({row.get('situation', '?')!r})"
        if set(row) != ROW_KEYS:
            problems.append(f"{label}: keys should be {sorted(ROW_KEYS)}, got {sorted(row)}")
            continue
        if row["situation"] in seen:
            problems.append(f"{label}: the same situation appears twice")
        seen.add(row["situation"])
        for name, value in row["facts"].items():
            if name in FREE_TEXT:
                continue
            if name not in TREE.facts or TREE.facts[name].derived:
                problems.append(f"{label}: unknown fact {name!r}")
            elif value not in TREE.facts[name].answers:
                problems.append(f"{label}: {name} can't be {value!r}; "
                                f"choose from {sorted(TREE.facts[name].answers)}")
        for route in [row["route"], *row["also"]]:
            if route not in TREE.routes:
                problems.append(f"{label}: unknown route {route!r}; choose from {sorted(TREE.routes)}")
        for key in ("also", "says", "never"):
            if not isinstance(row[key], list):
                problems.append(f"{label}: {key} should be a list")
    assert not problems, "The scenario table has mistakes:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------------------ each situation

@pytest.mark.parametrize("row", ROWS, ids=[row["situation"] for row in ROWS])
def test_situation(row):
    rec = _advice(row)
    if isinstance(rec, Question):
        pytest.fail(
            f"\n  Situation: {row['situation']}"
            f"\n  The advisor still needs the fact {rec.fact!r} (it would ask: {rec.text!r})."
            f"\n  Add {rec.fact} to this row's facts: one of {[value for value, _ in rec.answers]}.",
            pytrace=False,
        )
    assert isinstance(rec, Recommendation)

    problems = []
    if rec.route != row["route"]:
        problems.append(f"expected the route {row['route']!r}, the advisor gave {rec.route!r}")
    expected_also, given_also = set(row["also"]), set(rec.also)
    if given_also != expected_also:
        missing, extra = sorted(expected_also - given_also), sorted(given_also - expected_also)
        problems.append(
            f"expected also {sorted(expected_also) or 'nothing'}, the advisor gave {sorted(given_also) or 'nothing'}"
            + (f" (missing {missing})" if missing else "") + (f" (not expected {extra})" if extra else ""))

    text = _whole_advice(rec).lower()
    for phrase in row["says"]:
        if phrase.lower() not in text:
            problems.append(f"the advice never mentions {phrase!r}")
    for phrase in row["never"]:
        if phrase.lower() in text:
            line = next((part for part in _whole_advice(rec).splitlines() if phrase.lower() in part.lower()), "")
            problems.append(f"the advice should not say {phrase!r}, but does: {line.strip()!r}")

    message = recommendation_message(TREE, rec)
    words = word_count(message)
    if words > MAX_CHAT_WORDS:
        problems.append(f"the chat message is {words} words; the limit is {MAX_CHAT_WORDS}")

    if problems:
        pytest.fail("".join(f"\n  PROBLEM: {p}" for p in problems) + _describe(row, rec)
                    + f"\n  Chat message ({words} words):\n    " + message.replace("\n", "\n    "),
                    pytrace=False)
