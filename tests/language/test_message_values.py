"""The message-level layer: a fact's value read from a whole statement, or nothing."""
import pickle

import numpy as np
import pytest

from language.message_values import NOT_SAID, MessageValues, _probabilities

ALLOWED = {"stage": ["new", "expanding", "established"], "capacity": ["none", "limited", "available"],
           "registration": ["registered", "pending"]}
EXAMPLES = [
    ("we're based in leeds and want work in wakefield", {"stage": "expanding"}),
    ("based in york, hoping to get packages from selby", {"stage": "expanding"}),
    ("our office is in bath, we'd like to start in bristol", {"stage": "expanding"}),
    ("we're in croydon and want to work in sutton", {"stage": "expanding"}),
    ("we've done spot work for them for years", {"stage": "established"}),
    ("they've sent us packages for ages", {"stage": "established"}),
    ("the brokerage team ring us every week", {"stage": "established"}),
    ("only private clients so far, never had council work", {"stage": "new"}),
    ("we've never worked with any council", {"stage": "new"}),
    ("just set up, no council clients yet", {"stage": "new"}),
    ("we could take on a few more packages", {"capacity": "limited"}),
    ("room for loads more hours", {"capacity": "available"}),
    ("we're full, no room at all", {"capacity": "none"}),
    ("we do home care", {}),
    ("cqc registered", {"registration": "registered"}),
    ("we're registered with the cqc", {"registration": "registered"}),
    ("we do supported living in kent", {}),
    ("a care home in derby", {}),
    ("the dps is open", {"stage": "veteran"}),  # not a value of the tree: counts as not said
]


@pytest.fixture(scope="module")
def layer():
    return MessageValues.train(EXAMPLES, ["stage", "capacity", "registration", "work_type"], ALLOWED)


def test_a_statement_in_other_words_gets_its_value(layer):
    assert layer.values("we are based in hull and want to work in beverley", 0.4)["stage"] == "expanding"
    assert layer.values("they have sent us spot packages for years", 0.4)["stage"] == "established"


def test_a_message_that_states_no_fact_gets_none(layer):
    assert layer.values("we do home care in kent", 0.4) == {}


def test_below_the_threshold_there_is_no_value(layer):
    assert "stage" in layer.values("based in hull, want work in beverley", 0.4)
    assert layer.values("based in hull, want work in beverley", 0.99) == {}


def test_only_the_facts_asked_for_and_only_canonical_values(layer):
    text = "based in hull, want work in beverley"
    assert layer.values(text, 0.4, ["capacity"]).get("stage") is None
    assert set(layer.classifiers) == {"stage", "capacity", "registration"}  # work_type: never stated
    assert set(layer.classifiers["stage"].classes_) == {"new", "expanding", "established", NOT_SAID}


@pytest.mark.parametrize("text", [
    "based in hull, want work in beverley", "room for loads more hours", "", "zzzz", "Full, FULL, full!",
    "registered with cqc",  # registration has two labels: a sigmoid, not a softmax
])
def test_its_own_sums_are_what_sklearn_computes(layer, text):
    """The fast path (`_scores`) must give exactly sklearn's probabilities, also after a pickle."""
    for model in (layer, pickle.loads(pickle.dumps(layer))):
        features = model.vectoriser.transform([text.lower()])
        scores = model._scores(text.lower())
        for fact, classifier in model.classifiers.items():
            assert np.allclose(classifier.predict_proba(features)[0], _probabilities(scores[fact]))


def test_best_gives_each_facts_likeliest_reading_not_said_included(layer):
    readings = layer.best("we do home care in kent")
    assert set(readings) == {"stage", "capacity", "registration"}
    assert all(value == NOT_SAID and 0.5 < p <= 1.0 for value, p in readings.values()), readings
    value, p = layer.best("they have sent us spot packages for years", ["stage"])["stage"]
    assert value == "established" and layer.values("they have sent us spot packages for years", p - 1e-9) == {"stage": "established"}
