"""What faces the public: the chat channels and /health; Rasa's API off or behind a token; CORS
only for the site; nothing a visitor typed in the logs; a store fault is a clear 503.

Two real Rasa + action servers: `site` as `make run` starts it (no API, one allowed origin for CORS and socket.io, the
default log level, its SQLite file in a folder of its own so the test can take it away), and
`api` with Rasa's API behind a token.
"""
from __future__ import annotations

import asyncio
import re
import shutil
import uuid

import pytest
import requests
import socketio
import websockets

from serving.messages import message
from tests.support.clients import SocketVisitor
from tests.support.servers import running_assistant
from tests.support.visitor import Visitor, question

SITE = "https://advice.example.org"
FOREIGN = "https://elsewhere.example.net"
TOKEN = "surface-" + uuid.uuid4().hex
# What a visitor might type that must never reach a log: a name and a postcode.
PRIVATE = "Ottoline Fairweather-Quist"
POSTCODE = "ZE9 4QX"
TYPED = f"I'm {PRIVATE} and we do home care in Kent, office at {POSTCODE}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    store = folder / "store"
    env = {"TRACKER_STORE_URL": f"sqlite:///{store / 'conversations.db'}", "ALLOWED_ORIGINS": SITE}
    with running_assistant(log_dir=folder, cors=[SITE], env=env) as bot:
        bot.store_folder = store
        yield bot


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with running_assistant(log_dir=tmp_path_factory.mktemp("api"), rasa_args=["--enable-api", "--auth-token", TOKEN]) as bot:
        yield bot


def webhook(bot):
    return f"{bot.rasa_url}/webhooks/rest/webhook"


def logs(bot):
    return bot.rasa_log.read_text(errors="replace") + bot.actions_log.read_text(errors="replace")


def assert_nothing_typed_in(text):
    for private in (PRIVATE, "Fairweather", POSTCODE):
        assert private.lower() not in text.lower(), f"{private!r} is in the logs"


# -- the site as `make run` serves it --------------------------------------------------------------
def test_rasas_api_is_off(site):
    assert "Hello from Rasa" in requests.get(f"{site.rasa_url}/", timeout=10).text
    for method, path in (("GET", "/conversations/someone/tracker"), ("GET", "/status"),
                         ("POST", "/model/parse"), ("PUT", "/model"), ("GET", "/domain")):
        assert requests.request(method, f"{site.rasa_url}{path}", json={}, timeout=10).status_code == 404, path


def test_health_reports_both_stores(site):
    response = requests.get(f"{site.rasa_url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "model": "ok", "tracker_store": "ok", "lock_store": "ok"}


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/socket.io/?EIO=4&transport=polling"])
def test_cors_allows_the_site_and_no_other_origin(site, path):
    def preflight(origin):
        return requests.options(f"{site.rasa_url}{path}", timeout=10, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})

    allowed = preflight(SITE)
    assert allowed.status_code < 400 and allowed.headers.get("Access-Control-Allow-Origin") == SITE
    foreign = preflight(FOREIGN)
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_a_message_from_the_site_carries_its_origin_back_and_a_foreign_one_does_not(site):
    def send(origin):
        return requests.post(webhook(site), json={"sender": f"cors-{uuid.uuid4().hex[:6]}", "message": "hello"},
                             headers={"Origin": origin}, timeout=60)

    assert send(SITE).headers.get("Access-Control-Allow-Origin") == SITE
    assert "Access-Control-Allow-Origin" not in send(FOREIGN).headers


def test_a_browser_on_another_site_cannot_open_the_widgets_socket(site):
    with SocketVisitor(site.rasa_url, origin=SITE) as visitor:
        assert visitor.say("hello")
    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketVisitor(site.rasa_url, origin=FOREIGN)

    async def join_over_a_websocket(origin):
        url = site.rasa_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        async with websockets.connect(url, origin=origin) as ws:
            assert (await ws.recv()).startswith("0")  # engine.io open
            await ws.send("40")
            return await asyncio.wait_for(ws.recv(), 10)

    assert asyncio.run(join_over_a_websocket(SITE)).startswith("40")  # connected
    assert asyncio.run(join_over_a_websocket(FOREIGN)).startswith("44")  # connect error


def test_what_visitors_type_is_not_in_the_logs(site):
    rest = Visitor(site)
    assert question(rest.say(TYPED))[0] == "registration"
    rest.say(f"{PRIVATE} here again: we're registered with CQC")
    with SocketVisitor(site.rasa_url) as sock:
        assert any(m.get("asking") == "registration" for m in sock.say(TYPED))
    requests.post(webhook(site), json={"sender": rest.sender, "message": f"{PRIVATE}\x00"}, timeout=60)
    requests.post(webhook(site), json={"sender": rest.sender, "message": f"{PRIVATE} " * 200}, timeout=60)
    log = logs(site)
    assert "Rasa server is up and running" in log, "the log is being written"
    assert_nothing_typed_in(log)


def test_a_tracker_store_fault_is_a_503_an_apology_a_clear_log_line_and_a_failing_health_check(site):
    aside = site.store_folder.with_name("store-aside")
    shutil.move(site.store_folder, aside)
    try:
        sender = f"fault-{uuid.uuid4().hex[:6]}"
        response = requests.post(webhook(site), json={"sender": sender, "message": TYPED}, timeout=60)
        assert response.status_code == 503
        assert response.json() == [{"recipient_id": sender, "text": message("unavailable")}]
        with SocketVisitor(site.rasa_url) as sock:
            assert sock.say(TYPED) == [{"text": message("unavailable")}]
        health = requests.get(f"{site.rasa_url}/health", timeout=10)
        assert health.status_code == 503
        report = health.json()
        assert report["status"] == "unavailable" and report["lock_store"] == "ok"
        assert "unable to open database file" in report["tracker_store"]
    finally:
        shutil.move(aside, site.store_folder)
    log = site.rasa_log.read_text(errors="replace")
    assert re.search(r"ERROR .*Could not handle a message on the REST channel \(OperationalError: "
                     r"unable to open database file\)", log)
    assert "Could not handle a message on the socket.io channel" in log
    assert_nothing_typed_in(logs(site))
    assert requests.get(f"{site.rasa_url}/health", timeout=10).status_code == 200
    assert question(Visitor(site).say("home care in Kent"))[0] == "registration"


# -- Rasa's API behind a token ---------------------------------------------------------------------
def test_the_api_refuses_requests_without_the_token(api):
    tracker = f"{api.rasa_url}/conversations/someone/tracker"
    assert requests.get(tracker, timeout=10).status_code == 401
    assert requests.get(tracker, params={"token": "guess"}, timeout=10).status_code == 401
    assert requests.post(f"{api.rasa_url}/model/parse", json={"text": "hi"}, timeout=10).status_code == 401


def test_the_api_accepts_the_token(api):
    visitor = Visitor(api)
    visitor.say("hello")
    tracker = requests.get(f"{api.rasa_url}/conversations/{visitor.sender}/tracker", params={"token": TOKEN}, timeout=30)
    assert tracker.status_code == 200
    assert [e["text"] for e in tracker.json()["events"] if e["event"] == "user"] == ["hello"]


def test_the_token_is_not_written_to_the_logs(api):
    requests.get(f"{api.rasa_url}/status", params={"token": TOKEN}, timeout=10).raise_for_status()
    servers_own = [line for line in logs(api).splitlines() if not line.startswith("===== starting")]
    assert not [line for line in servers_own if TOKEN in line]
