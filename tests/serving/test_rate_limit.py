"""The rate limits in the running app: per visitor and per IP address, on REST and on socket.io.

One real Rasa + action server with low limits from the environment (a visitor: a burst of 2,
then one message every 5 s; an IP address: a burst of 4, then one every 5 s). Each test talks
from its own loopback address (tests/support/clients.py), so the per-IP budgets of the tests
are apart. Rasa's API is on behind a token so a test can see that a refused message was never
stored.
"""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from serving.messages import message
from tests.support.clients import SocketVisitor, http_from
from tests.support.servers import running_assistant

TOKEN = "rate-limit-" + uuid.uuid4().hex
LIMITS = {
    "RATE_LIMIT_VISITOR": "12", "RATE_LIMIT_VISITOR_BURST": "2",
    "RATE_LIMIT_IP": "12", "RATE_LIMIT_IP_BURST": "4",
}
SLOW_DOWN = message("slow_down")


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with running_assistant(log_dir=tmp_path_factory.mktemp("rate-limit"), env=LIMITS,
                           rasa_args=["--enable-api", "--auth-token", TOKEN]) as running:
        requests.post(f"{running.rasa_url}/webhooks/rest/webhook",  # the first message loads NLU
                      json={"sender": "warm-up", "message": "hello"}, timeout=60).raise_for_status()
        yield running


class RestVisitor:
    def __init__(self, bot, address):
        self.url = f"{bot.rasa_url}/webhooks/rest/webhook"
        self.http = http_from(address)
        self.sender = f"rate-{uuid.uuid4().hex[:8]}"

    def post(self, text="hello"):
        return self.http.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)


def user_texts(bot, sender):
    tracker = requests.get(f"{bot.rasa_url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
    tracker.raise_for_status()
    return [event["text"] for event in tracker.json()["events"] if event["event"] == "user"]


def assert_slowed_down(response, sender):
    assert response.status_code == 429, response.text
    assert response.json() == [{"recipient_id": sender, "text": SLOW_DOWN}]
    return int(response.headers["Retry-After"])


def test_a_visitor_over_the_limit_gets_429_the_reply_and_an_honest_retry_after(bot):
    visitor = RestVisitor(bot, "127.0.0.2")
    assert [visitor.post(f"hello {n}").status_code for n in range(2)] == [200, 200]
    retry_after = assert_slowed_down(visitor.post("hello 2"), visitor.sender)
    assert 1 <= retry_after <= 5
    assert user_texts(bot, visitor.sender) == ["hello 0", "hello 1"], "the refused message is not stored"
    time.sleep(retry_after)
    assert visitor.post("hello 3").status_code == 200


def test_other_visitors_from_the_same_address_are_not_slowed_by_one(bot):
    hasty, other = RestVisitor(bot, "127.0.0.3"), RestVisitor(bot, "127.0.0.3")
    for _ in range(2):
        hasty.post()
    assert_slowed_down(hasty.post(), hasty.sender)
    assert other.post().status_code == 200


def test_an_address_over_its_limit_slows_every_visitor_from_it_and_no_other_address(bot):
    visitors = [RestVisitor(bot, "127.0.0.4") for _ in range(5)]
    assert [v.post().status_code for v in visitors[:4]] == [200] * 4
    newcomer = visitors[4]
    assert 1 <= assert_slowed_down(newcomer.post(), newcomer.sender) <= 5
    assert RestVisitor(bot, "127.0.0.5").post().status_code == 200


def test_a_socket_visitor_over_the_limit_is_told_to_slow_down_inside_the_channel(bot):
    with SocketVisitor(bot.rasa_url, address="127.0.0.6") as hasty, \
            SocketVisitor(bot.rasa_url, address="127.0.0.6") as other:
        assert hasty.say("hello") and hasty.say("hello again")
        assert hasty.say("hello once more") == [{"text": SLOW_DOWN}]
        assert user_texts(bot, hasty.session_id) == ["hello", "hello again"]
        replies = other.say("hello")
        assert replies and {"text": SLOW_DOWN} not in replies


def test_an_address_has_one_budget_across_rest_and_socket_io(bot):
    assert [RestVisitor(bot, "127.0.0.7").post().status_code for _ in range(4)] == [200] * 4
    with SocketVisitor(bot.rasa_url, address="127.0.0.7") as visitor:
        assert visitor.say("hello") == [{"text": SLOW_DOWN}]
        assert user_texts(bot, visitor.session_id) == []
