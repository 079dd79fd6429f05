"""Abuse of the running channels gets 4xx answers, never a crash (property-based, hypothesis).

One real Rasa + action server for the module, with the rate limits off (the examples come fast)
and Rasa's API on behind a token so the test can read a conversation's stored events. Two
witnesses, one on REST and one on socket.io, start a conversation before the abuse; the last
test checks that their stored conversations did not change and that they carry on as if
nothing had happened.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import re
import unicodedata
import uuid
from urllib.parse import urlsplit

import pytest
import requests
import websockets
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from serving.guard import Limits
from serving.messages import message
from tests.support.clients import SocketVisitor
from tests.support.servers import running_assistant
from tests.support.visitor import Visitor, question

# The witnesses' conversations start before any abuse.
pytestmark = pytest.mark.usefixtures("witnesses")

TOKEN = "bad-input-" + uuid.uuid4().hex
LIMITS = Limits()  # the defaults: the server runs with them
FIRST, SECOND = "home care in Kent", "we're registered with CQC"

fuzz = settings(
    max_examples=30, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Any code point Python can encode: letters of every script, emoji, control characters.
any_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200)
# The same without control characters: text a person could have typed, in any script.
plain_text = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=200).filter(str.strip)
# Control characters other than line breaks and tabs are not text a person typed.
CONTROLS = [chr(c) for c in range(0xA0) if unicodedata.category(chr(c)) == "Cc" and chr(c) not in "\t\n\r"]


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    env = {"RATE_LIMIT_VISITOR": "0", "RATE_LIMIT_IP": "0"}
    with running_assistant(log_dir=tmp_path_factory.mktemp("bad-input"), env=env,
                           rasa_args=["--enable-api", "--auth-token", TOKEN]) as running:
        yield running


def stored_events(bot, sender):
    response = requests.get(f"{bot.rasa_url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
    response.raise_for_status()
    return response.json()["events"]


@pytest.fixture(scope="module")
def witnesses(bot):
    """A REST and a socket.io conversation, one turn in, with their stored events."""
    rest = Visitor(bot)
    assert question(rest.say(FIRST))[0] == "registration"
    sock = SocketVisitor(bot.rasa_url)
    assert any(m.get("asking") == "registration" for m in sock.say(FIRST))
    yield {"rest": (rest, stored_events(bot, rest.sender)), "socket": (sock, stored_events(bot, sock.session_id))}
    sock.close()


def post(bot, data: bytes, **kwargs):
    return requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", data=data, timeout=60, **kwargs)


def assert_bot_messages(response, sender):
    assert response.status_code == 200, response.text
    messages = response.json()
    assert isinstance(messages, list)
    assert all(m["recipient_id"] == sender for m in messages)
    return messages


def assert_refused(response, status=400):
    assert response.status_code == status, response.text
    reason = response.json()["reason"]
    assert isinstance(reason, str) and reason
    return reason


# -- REST -------------------------------------------------------------------------------------
@fuzz
@given(raw=st.binary(max_size=2000) | any_text.map(lambda s: s.encode("utf-8")))
def test_any_bytes_as_the_body_get_a_4xx_with_a_reason(bot, raw):
    response = post(bot, raw)
    assert response.status_code < 500
    if response.status_code != 200:
        assert_refused(response)


@fuzz
@given(value=json_values)
def test_any_json_value_as_the_body_gets_an_answer_below_500(bot, value):
    response = post(bot, json.dumps(value).encode())
    if isinstance(value, dict) and isinstance(value.get("sender"), str) and isinstance(value.get("message"), str):
        assert response.status_code < 500, response.text
    else:
        assert_refused(response)


@fuzz
@given(value=json_values.filter(lambda v: not isinstance(v, (str, dict))), field=st.sampled_from(
    ["sender", "message", "metadata", "input_channel"]))
def test_wrong_types_in_the_fields_are_refused_with_the_field_named(bot, value, field):
    body = {"sender": f"fuzz-{uuid.uuid4().hex[:8]}", "message": "hello", field: value}
    response = post(bot, json.dumps(body).encode())
    if value is None and field in ("metadata", "input_channel"):  # optional: null is leaving it out
        assert_bot_messages(response, body["sender"])
    else:
        assert f"'{field}'" in assert_refused(response)


@fuzz
@given(text=plain_text)
def test_any_unicode_text_is_answered(bot, text):
    sender = f"fuzz-{uuid.uuid4().hex[:8]}"
    assert_bot_messages(post(bot, json.dumps({"sender": sender, "message": text}).encode()), sender)


@fuzz
@given(text=plain_text, control=st.sampled_from(CONTROLS + ["\ud800", "\udfff"]), at=st.integers(0, 200))
def test_control_characters_and_lone_surrogates_are_refused(bot, text, control, at):
    body = json.dumps({"sender": "fuzz-controls", "message": text[:at] + control + text[at:]})  # \\uXXXX escapes
    reason = assert_refused(post(bot, body.encode()))
    assert f"U+{ord(control):04X}" in reason


def sized_body(sender, size):
    return json.dumps({"sender": sender, "message": "a" * size}).encode()


LARGEST_MESSAGE = LIMITS.max_body_bytes - len(sized_body("fuzz-00000000", 0))  # the body is just at the limit


@settings(fuzz, max_examples=20)
@given(size=st.integers(1, 4 * LIMITS.max_body_bytes))
@example(size=LARGEST_MESSAGE)
@example(size=LARGEST_MESSAGE + 1)
def test_bodies_over_the_limit_get_413_and_the_rest_are_read(bot, size):
    sender = f"fuzz-{uuid.uuid4().hex[:8]}"
    body = sized_body(sender, size)
    response = post(bot, body)
    if len(body) > LIMITS.max_body_bytes:
        assert_refused(response, 413)
    elif size > LIMITS.max_message_chars:
        assert assert_bot_messages(response, sender) == [
            {"recipient_id": sender, "text": message("too_long", limit=LIMITS.max_message_chars)}]
    else:
        assert_bot_messages(response, sender)


def test_a_long_message_gets_the_too_long_reply_and_never_reaches_the_conversation(bot, witnesses):
    """The REST witness sends one; the last test finds its stored conversation unchanged."""
    sender = witnesses["rest"][0].sender
    long_text = "home care in Kent. " * (LIMITS.max_message_chars // 10)
    reply = assert_bot_messages(post(bot, json.dumps({"sender": sender, "message": long_text}).encode()), sender)
    assert reply == [{"recipient_id": sender, "text": message("too_long", limit=LIMITS.max_message_chars)}]


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(bot):
    chunks = (b"x" * 8192 for _ in range(4 * LIMITS.max_body_bytes // 8192))
    assert_refused(post(bot, chunks), 413)  # a generator is sent chunked, with no Content-Length


def test_a_huge_content_length_is_refused_before_the_body_is_sent(bot):
    url = urlsplit(bot.rasa_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.putrequest("POST", "/webhooks/rest/webhook")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(200 * 1024 * 1024))
    connection.endheaders(b'{"sender": "big", "message": "')
    response = connection.getresponse()
    assert response.status == 413 and json.loads(response.read())["reason"]
    connection.close()


# -- socket.io ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def abuser(bot):
    with SocketVisitor(bot.rasa_url) as visitor:
        yield visitor


@fuzz
@given(payload=json_values | st.tuples(json_values, json_values))
def test_any_payload_as_a_socket_message_is_acknowledged_without_an_error(bot, abuser, payload):
    abuser.call("user_uttered", payload, settle=0)  # no acknowledgement (an error in the handler) raises


@fuzz
@given(value=json_values.filter(lambda v: not isinstance(v, str)),
       field=st.sampled_from(["message", "session_id", "metadata"]))
def test_wrong_types_in_a_socket_message_are_ignored(abuser, value, field):
    payload = {"message": "hello", "session_id": abuser.session_id, field: value}
    replies = abuser.call("user_uttered", payload)
    if field == "metadata" and (value is None or isinstance(value, dict)):
        assert replies, "a message with valid metadata is answered"
    else:
        assert replies == []


@fuzz
@given(payload=json_values)
def test_any_session_request_is_acknowledged_without_an_error(abuser, payload):
    abuser.call("session_request", payload, settle=0)


@fuzz
@given(text=plain_text)
def test_any_unicode_text_on_the_socket_is_answered(abuser, text):
    replies = abuser.say(text)
    assert replies and all(isinstance(m, dict) for m in replies)


@fuzz
@given(text=plain_text, control=st.sampled_from(CONTROLS), at=st.integers(0, 200))
def test_a_socket_message_with_control_characters_is_ignored(abuser, text, control, at):
    assert abuser.say(text[:at] + control + text[at:]) == []


def test_a_long_socket_message_gets_the_too_long_reply(witnesses):
    long_text = "home care in Kent. " * (LIMITS.max_message_chars // 10)
    reply = witnesses["socket"][0].say(long_text)
    assert reply == [{"text": message("too_long", limit=LIMITS.max_message_chars)}]


def test_a_long_polling_body_over_the_limit_gets_413(bot):
    base = f"{bot.rasa_url}/socket.io/?EIO=4&transport=polling"
    handshake = requests.get(base, timeout=10)
    sid = json.loads(handshake.text[1:])["sid"]
    response = requests.post(f"{base}&sid={sid}", data=b"4" + b"x" * (2 * LIMITS.max_body_bytes), timeout=10)
    assert_refused(response, 413)


def test_a_websocket_frame_over_the_limit_closes_that_socket_only(bot):
    """Engine.IO over a websocket, spoken by hand: open, join the namespace, send one huge event."""

    async def send_huge_frame():
        url = bot.rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        async with websockets.connect(url, max_size=None) as ws:
            assert (await ws.recv()).startswith("0")  # engine.io open
            await ws.send("40")
            assert (await ws.recv()).startswith("40")  # socket.io connected
            event = ["user_uttered", {"message": "x" * (2 * LIMITS.max_body_bytes), "session_id": "huge"}]
            await ws.send("42" + json.dumps(event))
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    packet = await asyncio.wait_for(ws.recv(), 20)
                    assert not packet.startswith("42"), "the huge event reached a handler"

    asyncio.run(send_huge_frame())
    with SocketVisitor(bot.rasa_url) as visitor:
        assert visitor.say("hello")


# -- afterwards ---------------------------------------------------------------------------------
def test_afterwards_the_server_is_healthy_and_the_witnesses_carry_on_unharmed(bot, witnesses):
    health = requests.get(f"{bot.rasa_url}/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    rest, rest_events = witnesses["rest"]
    sock, sock_events = witnesses["socket"]
    assert stored_events(bot, rest.sender) == rest_events
    assert stored_events(bot, sock.session_id) == sock_events
    assert question(rest.say(SECOND))[0] == "stage"
    assert any(m.get("asking") == "stage" for m in sock.say(SECOND))
    log = bot.rasa_log.read_text(errors="replace")
    assert not re.search(r"Traceback|handler error|Exception occurred", log), log[-3000:]
