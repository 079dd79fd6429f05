"""The trained model's message-level layer: facts read from a whole statement, never from a question.

Its entities carry ``learned: "message"`` (language/canonical_values.py). It learns from the
statements of language/situations.yml, so on those lines it must speak where the other layers
were silent; it must not speak in a route question or in a hedged statement.
"""
from __future__ import annotations

import pytest

from language.evaluation.sets import SITUATIONS, load_set
from language.mentions import canonical_values


def message_facts(result):
    return [(e["entity"], e["value"]) for e in result["entities"] if e.get("learned") == "message"]


@pytest.fixture(scope="module")
def statements():
    return [c.text for c in load_set(SITUATIONS).cases if c.intent == "inform"]


def test_it_reads_canonical_facts_from_statements_the_patterns_miss(nlu_model, statements):
    results = [result for result, _ in nlu_model.parse(statements[:400])]
    read = [fact for result in results for fact in message_facts(result)]
    allowed = canonical_values()
    assert len(read) >= 5, read
    assert all(value in allowed[entity] for entity, value in read), read
    for result in results:
        said = [(e["entity"], e.get("learned")) for e in result["entities"]]
        for entity, _ in message_facts(result):
            assert said.count((entity, "message")) == 1 and [e for e, _ in said].count(entity) == 1, said


@pytest.mark.parametrize("text", [
    "how do we get work from a council we've never worked with?",
    "we're based in leeds, how do frameworks work in wakefield?",
    "not sure if we'd be expanding or new to them",
    "maybe we'd have room for more work next year",
])
def test_no_fact_from_a_question_or_a_hedge(nlu_model, text):
    [(result, _)] = nlu_model.parse([text])
    assert message_facts(result) == [], result["entities"]


@pytest.mark.parametrize("text", ["closed", "all closed", "open", "yes, closed"])
def test_no_fact_from_a_reply_too_short_to_say_which(nlu_model, text):
    """"closed" answers the question just asked (the form matches it to that fact); read alone
    it would close the DPS and the framework at once."""
    [(result, _)] = nlu_model.parse([text])
    assert message_facts(result) == [], result["entities"]


@pytest.mark.parametrize("text, fact", [
    ("only spot purchases no framework or dps", "framework"),
    ("not on the dps, no framework either", "framework"),
])
def test_no_guess_where_a_pattern_says_the_words_are_not_the_fact(nlu_model, text, fact):
    """Stop 31: "no framework" among what they are not on is an `_ignore` of the framework's
    status (language/patterns/framework.yml), so the whole message is not read for it either."""
    [(result, _)] = nlu_model.parse([text])
    assert fact not in [e["entity"] for e in result["entities"]], result["entities"]


@pytest.mark.parametrize("text", [
    "we're on the framework in bristol, looking at south glos",
    "on both frameworks in oxfordshire, new to bucks",
    "on the approved list in peterborough, want cambs cc",
])
def test_no_list_of_another_council_from_any_layer(nlu_model, text):
    """Stop 32: a list the CRF finds ("'re on the framework") of another council than the one
    targeted is withheld as the patterns' is (language.facts.lists_of_another_council), and the
    message-level layer does not guess one either: the assistant asks about the target's lists."""
    [(result, _)] = nlu_model.parse([text])
    said = {e["entity"]: e["value"] for e in result["entities"]}
    assert said.get("stage") == "expanding" and "on_list" not in said, result["entities"]


def test_a_list_of_the_council_they_want_more_from_stays(nlu_model):
    [(result, _)] = nlu_model.parse(["we're on the framework in Leeds and want more work there"])
    assert ("on_list", "framework") in [(e["entity"], e["value"]) for e in result["entities"]]
