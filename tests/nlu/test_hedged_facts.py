"""The trained model: a hedged or conditional remark gives no fact the patterns don't spell out.

The learned layer would otherwise guess a value from "have capacity" in "not sure if we have
capacity"; the hedge leaves the fact unknown, so the assistant asks instead of assuming.
"""
from __future__ import annotations

import pytest

from language.evaluation.sets import Case

HEDGED = [
    ("not sure if we have capacity", "capacity"),
    ("maybe we'd have some spare carers", "capacity"),
    ("if we get registered in time", "registration"),
]
# The same words said plainly still give the fact: the hedge, not the words, stops the guess.
PLAIN = [
    ("we have capacity", "capacity"),
    ("we have some spare carers", "capacity"),
]


@pytest.mark.parametrize("text, fact", HEDGED)
def test_a_hedged_remark_sets_no_value(nlu_model, text, fact):
    [reading] = nlu_model.read([Case(text, "inform", {})])
    assert fact not in dict(reading.entities), reading.entities


@pytest.mark.parametrize("text, fact", PLAIN)
def test_the_plain_remark_does(nlu_model, text, fact):
    [reading] = nlu_model.read([Case(text, "inform", {})])
    assert fact in dict(reading.entities), reading.entities
