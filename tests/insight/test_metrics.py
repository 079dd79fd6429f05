"""The report's numbers against a tracker store seeded with known conversations."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from insight import metrics, store
from routes.tree import load_tree
from tests.insight.seed import DAY_2, EXPECTED, assert_matches, read


def test_every_number_matches_the_seed(seeded_url):
    insight, leads = read(seeded_url)
    assert_matches(insight, leads, EXPECTED["all"])


def test_one_day_counts_only_the_conversations_that_started_on_it(seeded_url):
    insight, leads = read(seeded_url, DAY_2, DAY_2)
    assert_matches(insight, leads, EXPECTED["day 2"])


def test_drop_off_follows_the_trees_question_order():
    """A question the tree lists first comes first; one it no longer asks comes after them."""
    events = [
        {"event": "session_started", "timestamp": 1.0},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "action", "name": "action_ask_capacity"},
        {"event": "user", "text": "loads"},
        {"event": "action", "name": "action_ask_capacity"},  # asked again: not understood
        {"event": "session_started", "timestamp": 2.0},
        {"event": "user", "text": "hi"},
        {"event": "slot", "name": "requested_slot", "value": "old_question"},
    ]
    questions = load_tree().asked_facts
    insight = metrics.summarise(metrics.conversations([("visitor", events)]), questions)
    assert list(insight.drop_off) == questions + ["old_question"]
    assert insight.drop_off["capacity"] == insight.drop_off["old_question"] == 1
    assert insight.reasked_messages == [("loads", "capacity", 1)]


def test_the_store_is_opened_read_only(seeded_url):
    engine = store.read_only_engine(seeded_url)
    with pytest.raises(store.StoreError, match="readonly"), store.reading(engine) as connection:
        connection.execute(sa.text("DELETE FROM events"))
    assert read(seeded_url)[0].conversations == EXPECTED["all"]["conversations"]
