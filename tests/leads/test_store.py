"""The lead store on a fresh SQLite file and on PostgreSQL: migrations, saving, deletion, retention, export."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from leads.db import (
    VERSION_TABLE,
    create_engine,
    current_revision,
    head_revision,
    migrate,
)
from leads.schema import metadata
from leads.store import CSV_COLUMNS, Deleted, LeadError, Purged
from tests.leads.conftest import T0, a_lead, add_conversation, count
from tests.support.servers import REPO_ROOT

OURS = {"leads", "lead_outbox", VERSION_TABLE}


def test_a_fresh_database_is_migrated_to_the_schema_the_code_uses(db_url, make_store):
    store = make_store(db_url)
    assert store.all_leads() == []  # first use migrates
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        assert OURS <= set(sa.inspect(connection).get_table_names())
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_name": lambda name, type_, _parent: type_ != "table" or name in metadata.tables,
        })
        assert compare_metadata(context, metadata) == []
    migrate(store.engine)  # again: nothing to do, nothing breaks
    assert count(db_url, f"SELECT count(*) FROM {VERSION_TABLE}") == 1


MIGRATE_AT = """
import sys, time
from leads.db import create_engine, migrate
start_at, url = float(sys.argv[1]), sys.argv[2]
engine = create_engine(url)
time.sleep(max(0.0, start_at - time.time()))
migrate(engine)
"""


def test_processes_starting_at_once_migrate_once(db_url):
    start_at = time.time() + 4  # after every process has imported alembic
    processes = [
        subprocess.Popen([sys.executable, "-c", MIGRATE_AT, str(start_at), db_url], cwd=REPO_ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=90)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert sum("Running upgrade  -> 0001" in output for output in outputs) <= 1
    engine = create_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert count(db_url, f"SELECT count(*) FROM {VERSION_TABLE}") == 1


def test_two_stores_in_one_process_migrate_once(db_url, make_store):
    stores = [make_store(db_url) for _ in range(3)]
    errors: list = []

    def first_use(store):
        try:
            store.all_leads()
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=first_use, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and not any(thread.is_alive() for thread in threads)
    assert count(db_url, f"SELECT count(*) FROM {VERSION_TABLE}") == 1


def test_the_tables_sit_beside_rasas_events_table(db_url, make_store):
    add_conversation(db_url, "visitor-1", [T0.timestamp()])
    store = make_store(db_url)
    store.save_lead(**a_lead())
    with store.engine.connect() as connection:
        assert OURS | {"events"} <= set(sa.inspect(connection).get_table_names())


@pytest.mark.parametrize("channels", [("email", "webhook"), ("email",), ("webhook",), ()])
def test_a_lead_is_stored_with_an_outbox_row_for_each_configured_channel(db_url, make_store, channels):
    store = make_store(db_url, channels)
    lead_id = store.save_lead(now=T0, **a_lead())
    [lead] = store.all_leads()
    assert lead.id == lead_id
    assert (lead.name, lead.organisation, lead.email, lead.phone, lead.council_or_area) == (
        "Siân Pritchard", "Cwm Care Ltd", "sian@cwmcare.example", "07700 900123", "Newport")
    assert lead.facts == a_lead()["facts"] and lead.route == "dps"
    assert lead.created_at == T0 and lead.consent_at == T0 and lead.created_at.tzinfo is not None
    rows = count(db_url, "SELECT count(*) FROM lead_outbox WHERE lead_id = :id AND attempts = 0 AND delivered_at IS NULL",
                 id=lead_id)
    assert rows == len(channels)
    assert sorted(d.channel for d in store.due(T0)) == sorted(channels)


def test_the_same_consent_is_stored_once(db_url, make_store):
    store = make_store(db_url)
    first = store.save_lead(now=T0, **a_lead())
    again = store.save_lead(now=T0 + timedelta(seconds=5), **a_lead(name="Siân P."))  # a retried action
    assert again == first
    assert count(db_url, "SELECT count(*) FROM leads") == 1
    assert count(db_url, "SELECT count(*) FROM lead_outbox") == 2
    later = store.save_lead(**a_lead(consent_at=T0 + timedelta(days=3)))  # a new consent, a new lead
    assert later != first and count(db_url, "SELECT count(*) FROM leads") == 2


@pytest.mark.parametrize("changes, field", [
    ({"email": "sian@cwmcare"}, "'email'"),
    ({"email": "  "}, "'email'"),
    ({"consent_text": ""}, "'consent_text'"),
    ({"consent_at": None}, "'consent_at'"),
    ({"consent_at": T0.replace(tzinfo=None)}, "'consent_at'"),
    ({"name": "x" * 201}, "'name'"),
    ({"phone": "ring me"}, "'phone'"),
    ({"facts": {"when": T0}}, "'facts'"),
    ({"facts": ["stage", "new"]}, "'facts'"),
    ({"council_or_area": None}, "'council_or_area'"),
])
def test_a_lead_that_cannot_be_stored_is_refused_naming_the_field(sqlite_url, make_store, changes, field):
    store = make_store(sqlite_url)
    with pytest.raises(LeadError, match=field):
        store.save_lead(**a_lead(**changes))
    assert store.all_leads() == []


def test_an_optional_phone_left_out_is_stored_as_none(sqlite_url, make_store):
    store = make_store(sqlite_url)
    store.save_lead(**a_lead(phone=" "))
    assert store.all_leads()[0].phone is None


REFUSE_OUTBOX = {
    "sqlite": ["CREATE TRIGGER refuse BEFORE INSERT ON lead_outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END"],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON lead_outbox FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


def test_a_lead_is_not_stored_when_its_outbox_rows_cannot_be(db_url, make_store):
    store = make_store(db_url)
    with store.engine.begin() as connection:
        for statement in REFUSE_OUTBOX[connection.dialect.name]:
            connection.execute(sa.text(statement))
    with pytest.raises(sa.exc.DBAPIError, match="outbox refused"):
        store.save_lead(**a_lead())
    assert count(db_url, "SELECT count(*) FROM leads") == 0


def test_delete_visitor_data_removes_their_leads_outbox_and_conversation_only(db_url, make_store):
    add_conversation(db_url, "visitor-1", [T0.timestamp() + i for i in range(4)])
    add_conversation(db_url, "visitor-2", [T0.timestamp() + i for i in range(3)])
    store = make_store(db_url)
    store.save_lead(**a_lead())
    store.save_lead(**a_lead(consent_at=T0 + timedelta(hours=1)))
    kept = store.save_lead(**a_lead(sender_id="visitor-2", email="owen@example.org"))

    assert store.delete_visitor_data("visitor-1") == Deleted(leads=2, outbox=4, events=4)
    assert [lead.id for lead in store.all_leads()] == [kept]
    assert count(db_url, "SELECT count(*) FROM lead_outbox") == 2
    assert count(db_url, "SELECT count(*) FROM events WHERE sender_id = 'visitor-1'") == 0
    assert count(db_url, "SELECT count(*) FROM events WHERE sender_id = 'visitor-2'") == 3
    assert store.delete_visitor_data("visitor-1") == Deleted(0, 0, 0)


def test_delete_visitor_data_without_a_tracker_store_removes_the_leads(db_url, make_store):
    store = make_store(db_url)
    store.save_lead(**a_lead())
    assert store.delete_visitor_data("visitor-1") == Deleted(leads=1, outbox=2, events=0)
    assert store.all_leads() == []


def test_purge_removes_what_is_older_than_the_retention_periods(db_url, make_store, consultancy):
    lead_days, talk_days = consultancy.lead_retention_days, consultancy.conversation_retention_days
    old_talk = (T0 - timedelta(days=talk_days, seconds=1)).timestamp()
    recent_talk = (T0 - timedelta(days=talk_days - 1)).timestamp()
    add_conversation(db_url, "visitor-1", [old_talk - 60, old_talk, recent_talk])
    add_conversation(db_url, "visitor-2", [recent_talk])
    store = make_store(db_url)
    store.save_lead(now=T0 - timedelta(days=lead_days, seconds=1), **a_lead())
    kept = store.save_lead(now=T0 - timedelta(days=lead_days - 1), **a_lead(sender_id="visitor-2"))

    assert store.purge_expired(T0) == Purged(leads=1, outbox=2, events=2)
    assert [lead.id for lead in store.all_leads()] == [kept]
    assert count(db_url, "SELECT count(*) FROM events") == 2
    assert count(db_url, "SELECT count(*) FROM events WHERE timestamp < :t", t=recent_talk) == 0
    assert store.purge_expired(T0) == Purged(0, 0, 0)


def test_the_csv_export_holds_every_lead_as_a_spreadsheet_can_open_it_safely(db_url, make_store):
    store = make_store(db_url)
    first = store.save_lead(now=T0, **a_lead())
    store.save_lead(now=T0, **a_lead(sender_id="visitor-2", organisation="=HYPERLINK(\"http://x.example\")",
                                     name="@Owen", phone=None, email="owen@example.org"))
    [email_row] = [d for d in store.due(T0) if d.lead.id == first and d.channel == "email"]
    store.record_delivered(email_row, T0 + timedelta(minutes=1))

    out = io.StringIO()
    assert store.export_csv(out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["name"] == "Siân Pritchard" and rows[0]["phone"] == "07700 900123"
    assert json.loads(rows[0]["facts"]) == a_lead()["facts"]
    assert rows[0]["created_at"] == T0.isoformat() and rows[0]["consent_at"] == T0.isoformat()
    assert rows[0]["email_delivered_at"] == (T0 + timedelta(minutes=1)).isoformat()
    assert rows[0]["webhook_delivered_at"] == ""
    assert rows[1]["organisation"] == "'=HYPERLINK(\"http://x.example\")" and rows[1]["name"] == "'@Owen"
    assert rows[1]["phone"] == ""


def test_an_empty_store_exports_the_header_only(sqlite_url, make_store):
    out = io.StringIO()
    assert make_store(sqlite_url).export_csv(out) == 0
    assert out.getvalue().strip() == ",".join(CSV_COLUMNS)
