"""The trained model on tests/nlu/heldout.yml, and on the phrases the brief quotes.

The figures are benchmarks (`make evaluate`, target 0.95); the floors in floors.yml sit a
little below what was measured on the set's lines that are not training text, to catch a
model that has regressed.
"""
from pathlib import Path

import pytest
import yaml

from language.evaluation.scoring import below_floors, figure_names, load_floors
from language.evaluation.sets import Case, load_set

HERE = Path(__file__).parent
HELD_OUT = HERE / "heldout.yml"
FLOORS = load_floors(HERE / "floors.yml")[HELD_OUT.stem]
BRIEF_PHRASES = yaml.safe_load((HERE / "brief-phrases.yml").read_text(encoding="utf-8"))["phrases"]


def test_every_figure_has_a_floor():
    assert sorted(FLOORS) == sorted(figure_names(load_set(HELD_OUT)))


@pytest.mark.parametrize("figure", sorted(FLOORS))
def test_heldout_at_or_above_floor(measure, figure):
    measured = measure(HELD_OUT)
    assert not below_floors(measured.figures(), {figure: FLOORS[figure]}), "\n".join(measured.mistakes_in(figure)[:20])


def test_brief_phrases_land_on_the_right_values(nlu_model):
    readings = nlu_model.read(Case(p["text"], "inform", {}) for p in BRIEF_PHRASES)
    wrong = [(r.case.text, sorted(r.entities)) for r, p in zip(readings, BRIEF_PHRASES)
             if r.entities != set(p["facts"].items())]
    assert not wrong
    assert all(r.intent == "inform" for r in readings), [(r.case.text, r.intent) for r in readings]
