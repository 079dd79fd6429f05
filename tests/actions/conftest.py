"""Tracker fixtures loaded from JSON, as in Rasa's financial-demo."""
import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

TRACKERS = Path(__file__).parent / "trackers"


@pytest.fixture
def tracker_named():
    def load(name: str, text: str = None) -> Tracker:
        state = json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8"))
        if text is not None:
            state["latest_message"]["text"] = text
        return Tracker.from_dict(state)

    return load


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()


@pytest.fixture
def domain():
    import yaml

    return yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8"))
