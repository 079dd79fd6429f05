"""The trained model: a hedged or conditional remark gives no fact the patterns don't spell out.

The learned layer would otherwise guess a value from "have capacity" in "not sure if we have
capacity"; the hedge leaves the fact unknown, so the assistant asks instead of assuming. After
a doubt ("no idea if", "not sure") not even the patterns' fact is taken: the message says the
visitor is unsure of it (entity `unsure`), which the form answers as a "not sure".
"""
from __future__ import annotations

import pytest

from language.evaluation.sets import Case


def parsed(nlu_model, text):
    """The intent's name and every (entity, value) the trained model gives ``text``."""
    [(result, _)] = nlu_model.parse([text])
    return result["intent"]["name"], [(e["entity"], e["value"]) for e in result["entities"]]

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


DOUBTED = [
    ("no idea if we're registered", "registration"),
    ("not sure we have any spare capacity", "capacity"),
    ("we don't know if we're still a new provider to them", "stage"),
]


@pytest.mark.parametrize("text, fact", DOUBTED)
def test_a_fact_after_a_doubt_is_unsure_not_taken(nlu_model, text, fact):
    _, said = parsed(nlu_model, text)
    assert ("unsure", fact) in said and fact not in dict(said), said


@pytest.mark.parametrize("text, fact", [
    ("not sure if we'd do specialist or general", "work_type"),
    ("no idea if the dps is open", "dps"),
    # a DPS or framework status after any hedge, or followed by one, is unknown
    ("i think the Leeds DPS is open now", "dps"),
    ("the York framework is closed I reckon", "framework"),
    ("Bolton have no DPS as far as i know", "dps"),
    # hearsay, and a doubt owned up to after the status (stop 28)
    ("someone told us the council's DPS closed in the spring", "dps"),
    ("the Leeds DPS is closed but I'm not 100% on that", "dps"),
    ("pretty sure the Sefton framework is closed till 2028", "framework"),
    ("the framework reopens in June but I haven't checked", "framework"),
    # hearsay without an "I", and a status asked back (stop 29)
    ("heard the Croydon DPS is open again", "dps"),
    ("could be wrong but the Bolton framework is closed", "framework"),
    ("the Wirral DPS is closing in March, is that right?", "dps"),
    # a guess with no "I", told, and hearsay inside the status (stop 30)
    ("think the dps is open", "dps"),
    ("Suffolk's framework is closed I'm told", "framework"),
    ("gwynedd dont have a dps i dont think", "dps"),
    ("Dorset's DPS - someone said it reopens in July", "dps"),
    # hearsay from a friend or colleague (stop 31)
    ("Haringey: a colleague told me the DPS is open", "dps"),
])
def test_a_doubted_fact_with_a_not_sure_answer_takes_it(nlu_model, text, fact):
    _, said = parsed(nlu_model, text)
    assert (fact, "unknown") in said and ("unsure", fact) not in said, said


@pytest.mark.parametrize("text, fact", [
    ("we're registered with CQC", "registration"), ("we have spare capacity", "capacity"),
    # a doubt about one thing leaves the fact said plainly in another clause alone
    ("not sure about the DPS, but we're registered", "registration"),
    # a doubt inside the status is the status's own: closed, and only the reopening unknown
    ("the fw closed, no clue when it reopens", "framework"),
])
def test_the_fact_said_plainly_is_taken(nlu_model, text, fact):
    _, said = parsed(nlu_model, text)
    assert fact in dict(said) and ("unsure", fact) not in said, said


def test_a_doubt_inside_the_other_lists_status_is_that_ones(nlu_model):
    """Stop 31: "dps dunno" after the framework's status leaves the framework closed."""
    _, said = parsed(nlu_model, "scottish borders framework closed, dps dunno")
    assert ("framework", "closed") in said and ("dps", "unknown") in said, said


# A route question asks about a situation: the facts after the question opens are not taken,
# except who the visitor is; what they said before it is.
# (The patterns find each of these facts: "we get spot packages from the council" is stage.)
ASKED = [
    ("how do we get spot packages from the council?", "stage"),
    ("can we join the dps while our registration is pending", "registration"),
]
STATED_FIRST = [
    ("we get spot packages off the council, what's a framework?", "stage"),
    ("we're cqc registered, how do frameworks work?", "registration"),
]


@pytest.mark.parametrize("text, fact", ASKED)
def test_a_route_question_sets_no_fact_it_asks_about(nlu_model, text, fact):
    intent, said = parsed(nlu_model, text)
    assert intent == "faq" and fact not in dict(said), (intent, said)


@pytest.mark.parametrize("text, fact", STATED_FIRST)
def test_a_fact_stated_before_the_question_is_taken(nlu_model, text, fact):
    intent, said = parsed(nlu_model, text)
    assert intent == "faq" and fact in dict(said), (intent, said)


@pytest.mark.parametrize("text, fact, value", [
    # a wish or an if is not a doubt about the status that follows it
    ("we're hoping to bid as the framework is open for bids now", "framework", "opening"),
    ("we might bid as the Leeds DPS is open now", "dps", "open"),
])
def test_a_status_after_a_wish_or_an_if_is_taken(nlu_model, text, fact, value):
    _, said = parsed(nlu_model, text)
    assert (fact, value) in said, said
