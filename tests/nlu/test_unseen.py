"""The held-out sets stay held out: no line of either (nor of the development set) is ever training text.

Compared after normalising (lower case, whitespace collapsed) with every example, lookup
entry and synonym of the NLU training data (data/) and every line of language/situations.yml
(the message-level layer's training text). If this fails, take the line out of the training
data, not out of the held-out set.
"""
import pytest

from language.evaluation.sets import (
    DEV_SET,
    HELD_OUT_SETS,
    SITUATIONS,
    also_trained,
    load_second_annotation,
    load_set,
    normalise,
    repeated,
    training_texts,
)


@pytest.fixture(scope="module")
def trained():
    return training_texts()


@pytest.mark.parametrize("path", (*HELD_OUT_SETS, DEV_SET), ids=lambda p: p.name)
def test_no_held_out_line_is_training_text(trained, path):
    assert also_trained(load_set(path), trained) == []


@pytest.mark.parametrize("path", (*HELD_OUT_SETS, DEV_SET), ids=lambda p: p.name)
def test_each_held_out_line_is_there_once(path):
    assert repeated(load_set(path)) == []


def test_no_held_out_line_is_a_development_line():
    """The development set is read, and becomes training text later: a held-out line in it
    would be seen (one such line came into the training text with it in stop 26)."""
    dev = {normalise(c.text) for c in load_set(DEV_SET).cases}
    for path in HELD_OUT_SETS:
        assert [c.text for c in load_set(path).cases if normalise(c.text) in dev] == [], path.name


def test_the_situations_are_training_text(trained):
    """The message-level layer learns from them, so a held-out line there would be seen."""
    assert all(normalise(c.text) in trained for c in load_set(SITUATIONS).cases)


def test_the_second_annotation_labels_every_scored_unseen_line_of_each_set_and_nothing_else(trained):
    """A line edited or added in a set without its second label would drop out of the
    agreement figures unnoticed; a second label of a line no set has would count nothing."""
    _, labels = load_second_annotation()
    sets = {s.name: s for s in map(load_set, (*HELD_OUT_SETS, DEV_SET))}
    assert set(labels) <= set(sets)
    for name in (p.stem for p in HELD_OUT_SETS):
        scored = {normalise(c.text) for c in sets[name].cases
                  if c.facts_scored and normalise(c.text) not in trained}
        assert set(labels.get(name, {})) == scored, name
    for name, second in labels.items():
        assert set(second) <= {normalise(c.text) for c in sets[name].cases}, name
