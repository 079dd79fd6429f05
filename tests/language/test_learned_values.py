"""The learned layer: CRF fact spans get values from a classifier on the annotated spans."""
import pytest

from language.learned_values import LearnedValues

ALLOWED = {"stage": ["new", "expanding", "established"], "registration": ["registered", "pending"],
           "regulator": ["cqc"]}
ANNOTATIONS = [
    ("stage", "brand new agency", "new"), ("stage", "just starting out", "new"), ("stage", "newly set up", "new"),
    ("stage", "new to council work", "new"), ("stage", "started last month", "new"),
    ("stage", "expanding into", "expanding"), ("stage", "branching out to", "expanding"),
    ("stage", "growing into a new area", "expanding"), ("stage", "moving into", "expanding"),
    ("stage", "already on the framework", "established"), ("stage", "work with them for years", "established"),
    ("stage", "long-standing provider", "established"), ("stage", "we've had their packages for ages", "established"),
    ("registration", "CQC registered", "registered"), ("registration", "registered with the CQC", "registered"),
    ("registration", "registration pending", "pending"), ("registration", "waiting on our CQC registration", "pending"),
    ("registration", "applied to register", "pending"),
    ("regulator", "CQC", "cqc"),
    ("stage", "a value the tree lacks", "veteran"),
]


@pytest.fixture(scope="module")
def learned():
    return LearnedValues.train(ANNOTATIONS, ALLOWED)


@pytest.mark.parametrize("fact, text, value", [
    ("stage", "brand new company", "new"),
    ("stage", "branching into", "expanding"),
    ("registration", "still waiting for our registration", "pending"),
    ("registration", "registered with cqc", "registered"),
])
def test_unseen_spans_get_their_values(learned, fact, text, value):
    assert learned.value(fact, text, threshold=0.4) == value


def test_an_unsure_classifier_gives_no_value(learned):
    assert learned.value("stage", "zzzz qqqq", threshold=0.99) is None


def test_only_canonical_values_are_learned(learned):
    assert "veteran" not in learned.classifiers["stage"].classes_


def test_a_fact_annotated_with_one_value_gets_it_and_unknown_facts_none(learned):
    assert learned.value("regulator", "the care quality commission", threshold=0.9) == "cqc"
    assert learned.value("capacity", "loads of room", threshold=0.1) is None
