"""Real databases, a real SMTP server and a real webhook receiver for the leads tests, all on loopback."""
from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from leads.consultancy import load_consultancy
from leads.store import LeadStore
from tests.support.servers import free_port
from tests.support.services import running_postgres

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def a_lead(**changes) -> dict:
    """A complete, consented lead as the assistant would hand it over."""
    lead = {
        "sender_id": "visitor-1", "name": "Siân Pritchard", "organisation": "Cwm Care Ltd",
        "email": "sian@cwmcare.example", "phone": "07700 900123", "council_or_area": "Newport",
        "facts": {"stage": "new", "registration": "registered", "capacity": "some", "nation": "wales", "dps": "open"},
        "route": "dps", "recommendation_title": "Join Newport's DPS now",
        "consent_text": "Yes, keep my details to arrange the assessment", "consent_at": T0,
    }
    lead.update(changes)
    return lead


@pytest.fixture(scope="session")
def postgres():
    with running_postgres() as pg:
        yield pg


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database: a SQLite file, or a schema of its own on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'conversations.db'}"
    pg = request.getfixturevalue("postgres")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    pg.query(f"CREATE SCHEMA {schema}")
    return f"{pg.url}?options=-csearch_path%3D{schema}"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'conversations.db'}"


@pytest.fixture
def consultancy():
    return load_consultancy()


@pytest.fixture
def make_store(consultancy):
    """LeadStore(url, channels) with the consultancy's retention periods; disposed after the test."""
    stores: list[LeadStore] = []

    def make(url: str, channels: Iterable[str] = ("email", "webhook")) -> LeadStore:
        store = LeadStore(url, channels, consultancy.lead_retention_days, consultancy.conversation_retention_days)
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.dispose()


def add_conversation(url: str, sender_id: str, timestamps: Iterable[float]) -> None:
    """Stores a conversation through Rasa's own SQLTrackerStore (which creates its `events` table)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(host=url)
    tracker = DialogueStateTracker.from_events(sender_id, [UserUttered("hello", timestamp=t) for t in timestamps])
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def count(url: str, sql: str, **params) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


# --- a real SMTP server -------------------------------------------------------------------------
@dataclasses.dataclass
class Mailbox:
    """aiosmtpd on a free loopback port; `messages` holds (envelope sender, recipients, raw bytes)."""
    port: int
    messages: list
    controller: Controller

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class _Collect:
    def __init__(self, messages: list) -> None:
        self.messages = messages

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


SMTP_USER, SMTP_PASSWORD = "leads", "s3cret-for-tests"


def _authenticate(server, session, envelope, mechanism, auth_data):
    """One account; a wrong login gets the server's 535 answer (handled=False lets aiosmtpd send it)."""
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A mail server that is down until the test calls start() (so a test can begin with an outage)."""
    messages: list = []
    port = free_port()
    controller = Controller(_Collect(messages), hostname="127.0.0.1", port=port,
                            authenticator=_authenticate, auth_require_tls=False)
    box = Mailbox(port, messages, controller)
    yield box
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


# --- a real webhook receiver ----------------------------------------------------------------------
@dataclasses.dataclass
class Receiver:
    """An HTTP server on loopback answering each POST with the next status in `answers` (then 200)."""
    url: str
    requests: list
    answers: list


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    requests: list = []
    answers: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = answers.pop(0) if answers else 200
            payload = json.dumps({"ok": status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver(f"http://127.0.0.1:{server.server_address[1]}/leads", requests, answers)
    server.shutdown()
    server.server_close()
