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


def test_the_situations_are_training_text(trained):
    """The message-level layer learns from them, so a held-out line there would be seen."""
    assert all(normalise(c.text) in trained for c in load_set(SITUATIONS).cases)
