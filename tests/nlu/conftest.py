"""The trained model, loaded once for the NLU tests, and each held-out set's figures."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from language.evaluation.scoring import NluModel, SetReport, report
from language.evaluation.sets import load_set, training_texts
from tests.support.servers import find_model


@pytest.fixture(scope="session")
def nlu_model() -> NluModel:
    return NluModel(find_model("models"))


@pytest.fixture(scope="session")
def measure(nlu_model) -> Callable[[Path], SetReport]:
    """A held-out set's figures on its lines that are not training text (computed once)."""
    trained = training_texts()
    reports: dict[Path, SetReport] = {}

    def measured(path: Path) -> SetReport:
        if path not in reports:
            reports[path] = report(load_set(path), nlu_model, trained)
        return reports[path]

    return measured
