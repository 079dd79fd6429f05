"""The trained model on the held-out sets in the situations format (tests/nlu/heldout-situations.yml,
heldout-fresh.yml and heldout-blind.yml): what the walker will know after one message (the slots
the entities fill, plus the nation inferred as the walker infers it).

Each set was written blind and is never trained or tuned on. The floors in floors.yml sit a
little below the figures `make evaluate` measured on their lines that are not training text, to
catch a regressed model, not to certify it (the target is 0.95); the lines missed are in
results/nlu/<set>-mistakes.txt after an evaluate.
"""
from pathlib import Path

import pytest

from language.evaluation.scoring import below_floors, figure_names, load_floors
from language.evaluation.sets import HELD_OUT_SETS, load_set

HERE = Path(__file__).parent
# Every held-out set but tests/nlu/heldout.yml (Rasa NLU format: test_heldout.py).
HELD_OUT = tuple(p for p in HELD_OUT_SETS if p.name != "heldout.yml")
FLOORS = load_floors(HERE / "floors.yml")


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.stem)
def test_every_figure_has_a_floor(path):
    assert sorted(FLOORS[path.stem]) == sorted(figure_names(load_set(path)))


@pytest.mark.parametrize("path, figure", [(p, f) for p in HELD_OUT for f in sorted(FLOORS[p.stem])],
                         ids=lambda x: x.stem if isinstance(x, Path) else x)
def test_situations_at_or_above_floor(measure, path, figure):
    measured = measure(path)
    floor = FLOORS[path.stem][figure]
    assert not below_floors(measured.figures(), {figure: floor}), "\n".join(measured.mistakes_in(figure)[:20])
