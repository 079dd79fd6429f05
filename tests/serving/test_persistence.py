"""Nothing a visitor typed is lost when Rasa or the action server restarts mid-conversation.

Run against the default store (a SQLite file) and PostgreSQL (Debian's, started for the test),
with the real Rasa and action servers on loopback.
"""
from __future__ import annotations

import json
import sqlite3
import time

import pytest

from serving.messages import message
from tests.support.servers import running_assistant
from tests.support.services import running_postgres
from tests.support.visitor import Visitor, question, said

TYPED = ["home care in Kent", "we're registered with CQC", "we're new to the council", "not sure"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request, tmp_path_factory):
    """(assistant, a function giving the user texts stored for a sender)."""
    log_dir = tmp_path_factory.mktemp(f"persistence-{request.param}")
    if request.param == "sqlite":
        with running_assistant(log_dir=log_dir) as bot:
            database = log_dir / "conversations.db"

            def typed(sender):
                with sqlite3.connect(database) as db:
                    rows = db.execute(
                        "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
                    ).fetchall()
                return [json.loads(data)["text"] for (data,) in rows]

            yield bot, typed
    else:
        with running_postgres() as pg, running_assistant(log_dir=log_dir, env={"TRACKER_STORE_URL": pg.url}) as bot:

            def typed(sender):
                rows = pg.query(
                    "SELECT data FROM events WHERE sender_id = '%s' AND type_name = 'user' ORDER BY id" % sender
                )
                return [json.loads(line)["text"] for line in rows.splitlines()]

            yield bot, typed


def test_the_store_is_the_configured_one(stack):
    bot, typed = stack
    visitor = Visitor(bot)
    visitor.say("hello")
    assert typed(visitor.sender) == ["hello"]


def test_a_rasa_restart_mid_conversation_loses_nothing(stack):
    bot, typed = stack
    visitor = Visitor(bot)
    assert question(visitor.say(TYPED[0]))[0] == "registration"
    bot.stop_rasa()
    bot.start_rasa()
    asking, _ = question(visitor.say(TYPED[1]))
    assert asking == "stage", "after the restart the assistant must still know the service and council"
    assert typed(visitor.sender) == TYPED[:2]


def test_an_action_server_outage_gets_an_apology_and_the_conversation_carries_on(stack):
    bot, typed = stack
    visitor = Visitor(bot)
    visitor.say(TYPED[0])
    visitor.say(TYPED[1])
    bot.stop_actions()
    try:
        started = time.monotonic()
        reply = visitor.say(TYPED[2])
        waited = time.monotonic() - started
    finally:
        bot.start_actions()
    assert said(reply) == message("unavailable")
    assert waited < 5, f"the apology took {waited:.1f} s"
    asking, _ = question(visitor.say(TYPED[2]))
    assert asking not in (None, "service", "registration", "stage"), "the retry must carry on from the stage"
    assert typed(visitor.sender) == [TYPED[0], TYPED[1], TYPED[2], TYPED[2]]
