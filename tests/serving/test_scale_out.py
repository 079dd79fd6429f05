"""Two Rasa replicas (each with its action server) sharing PostgreSQL and a Redis lock store,
behind nginx rendered from deploy/nginx: Rasa's own scale-out, on loopback, with real servers."""
from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from deploy.nginx.render import render
from tests.support.servers import free_port, running_assistant
from tests.support.services import running_nginx, running_postgres, running_redis
from tests.support.visitor import Visitor, converse, question

# One conversation to a recommendation, a turn at a time.
TURNS = [
    "home care in Kent",
    "we're registered with CQC",
    "we're new to the council",
    "the DPS is open",
    "the framework is closed",
    "we could take a few more packages",
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(replica one, replica two, nginx in front of both)."""
    with running_postgres() as pg, running_redis() as redis:
        env = {"TRACKER_STORE_URL": pg.url, "LOCK_STORE_URL": redis.url, "SANIC_PROXIES_COUNT": "1"}
        with running_assistant(log_dir=tmp_path_factory.mktemp("replica-one"), env=env) as one, \
                running_assistant(log_dir=tmp_path_factory.mktemp("replica-two"), env=env) as two:
            port = free_port()
            upstreams = [urlsplit(bot.rasa_url).netloc for bot in (one, two)]
            with running_nginx(render(upstreams, f"127.0.0.1:{port}"), port) as nginx:
                yield one, two, nginx


def recommendation(messages):
    [card] = [m["custom"]["recommendation"] for m in messages if "recommendation" in (m.get("custom") or {})]
    return card


def upstreams_used(nginx, path):
    """The replicas nginx sent requests for `path` to, in order (from its access log)."""
    log = (nginx.root / "logs" / "access.log").read_text()
    return re.findall(rf" {re.escape(path)} \d+ \d+ \S+ (\S+) ", log)


def test_a_conversation_alternating_between_replicas_stays_consistent(cluster):
    one, two, _ = cluster
    alone, alternating = Visitor(one), [Visitor(one), Visitor(two)]
    sender = f"alternating-{uuid.uuid4().hex[:8]}"
    for visitor in alternating:
        visitor.sender = sender
    for turn, text in enumerate(TURNS):
        expected = alone.say(text)
        got = alternating[turn % 2].say(text)
        assert question(got) == question(expected), f"turn {turn + 1} ({text!r}) on replica {turn % 2 + 1}"
    assert recommendation(got)["facts"] == recommendation(expected)["facts"]
    assert recommendation(got)["route"] == recommendation(expected)["route"] == "dps"


def test_nginx_spreads_rest_over_both_replicas(cluster):
    one, two, nginx = cluster
    visitor = Visitor(nginx.url)
    for text in TURNS:
        reply = visitor.say(text)
    assert recommendation(reply)["route"] == "dps"
    used = set(upstreams_used(nginx, "/webhooks/rest/webhook"))
    assert used == {urlsplit(one.rasa_url).netloc, urlsplit(two.rasa_url).netloc}, used


def test_one_conversations_messages_at_once_on_both_replicas_are_both_kept(cluster):
    """The Redis lock store serialises a conversation across replicas: no turn overwrites another."""
    one, two, _ = cluster
    sender = f"simultaneous-{uuid.uuid4().hex[:8]}"
    first, second = Visitor(one, sender), Visitor(two, sender)
    first.say(TURNS[0])
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda pair: pair[0].say(pair[1]), [(first, TURNS[1]), (second, TURNS[2])]))
    assert all(replies), replies
    assert question(first.say("the DPS is open"))[0] == "framework", "registration, stage and DPS are all known"


def test_socket_io_sessions_stick_to_one_replica_through_nginx(cluster):
    _, _, nginx = cluster
    session = uuid.uuid4().hex
    first = converse(nginx.url, session, TURNS[0])
    assert any(m.get("asking") == "registration" for m in first), first
    second = converse(nginx.url, session, TURNS[1])
    assert any(m.get("asking") == "stage" for m in second), second


def test_losing_a_replica_mid_conversation_the_visitor_finishes_on_the_other(cluster):
    one, two, nginx = cluster
    rest_visitor, session = Visitor(nginx.url), uuid.uuid4().hex
    for text in TURNS[:3]:
        rest_visitor.say(text)
    assert any(m.get("asking") == "registration" for m in converse(nginx.url, session, TURNS[0]))
    holder = upstreams_used(nginx, "/socket.io/")[-1]
    lost = one if urlsplit(one.rasa_url).netloc == holder else two
    lost.stop_rasa()
    try:
        for text in TURNS[3:]:
            reply = rest_visitor.say(text)
        card = recommendation(reply)
        assert card["route"] == "dps" and card["facts"]["registration"] == "registered"
        assert card["facts"]["stage"] == "new"
        after = converse(nginx.url, session, TURNS[1])
        assert any(m.get("asking") == "stage" for m in after), "the widget's session carries on elsewhere"
    finally:
        lost.start_rasa()
