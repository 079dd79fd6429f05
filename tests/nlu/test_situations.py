"""The trained model on tests/nlu/heldout-situations.yml: what the walker will know after one
message (the slots the entities fill, plus the nation inferred as the walker infers it).

The set was written blind and is never trained or tuned on. The floors sit a little below
the figures measured with `make evaluate` to catch a regressed model, not to certify it
(the target is 0.95); the lines missed are in results/nlu/situations-mistakes.txt after an
evaluate.
"""
import pytest

from tests.nlu.scoring import (
    fact_value_f1, load_situations, situation_facts, situation_intent_accuracy, understand,
)
from tests.support.servers import find_model

INTENT_FLOOR = 0.92  # measured 0.953
# Per fact: value F1 on every line of the set; measured with `make evaluate`, 2026-11-26.
FACT_FLOORS = {
    "service": 0.90,  # measured 0.935
    "regulator": 0.95,  # 0.993
    "funding": 0.92,  # 0.960
    "on_list": 0.80,  # 0.836
    "registration": 0.88,  # 0.908
    "stage": 0.78,  # 0.817
    "nation": 0.95,  # 0.982 (inferred from council or regulator when not named)
}


@pytest.fixture(scope="module")
def understood():
    situations = load_situations()
    assert situations, "tests/nlu/heldout-situations.yml has no situations"
    return understand(find_model("models"), situations)


def test_situation_intents_above_floor(understood):
    assert situation_intent_accuracy(understood) >= INTENT_FLOOR


@pytest.mark.parametrize("fact", sorted(FACT_FLOORS))
def test_situation_facts_above_floor(understood, fact):
    assert fact in situation_facts([u.situation for u in understood]), f"the set has no {fact} facts"
    assert fact_value_f1(understood, [fact])[fact] >= FACT_FLOORS[fact]
