"""The commands a site owner runs: the worker (`python -m leads.worker`), the export and `make leads`,
and the package-level functions the assistant's actions call, configured from the environment."""
from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

import leads
from leads.db import DEFAULT_URL, DatabaseError, database_url
from leads.schema import utc_now
from leads.store import CSV_COLUMNS, Deleted
from tests.leads.conftest import a_lead, add_conversation, count
from tests.support.servers import REPO_ROOT

PERSONAL = ("Siân", "Pritchard", "Cwm Care", "sian@cwmcare.example", "07700", "Newport")


def run_env(url: str, **more: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "LEADS_", "CONSULTANCY_", "TRACKER_"))}
    return {**env, "LEADS_DB_URL": url, "PYTHONPATH": str(REPO_ROOT), **more}


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_sends_new_leads_purges_old_ones_and_stops_cleanly(sqlite_url, make_store, consultancy, mailbox, stop_with):
    mailbox.start()
    store = make_store(sqlite_url, ["email"])
    store.save_lead(now=utc_now() - timedelta(days=consultancy.lead_retention_days + 1),
                    **a_lead(sender_id="visitor-old", consent_at=utc_now() - timedelta(days=400)))
    store.save_lead(**a_lead())
    env = run_env(sqlite_url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.port), SMTP_STARTTLS="false",
                  LEADS_DELIVERY_INTERVAL="0.2")
    worker = subprocess.Popen([sys.executable, "-m", "leads.worker"], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for(lambda: mailbox.messages), "the worker sent no email"
        assert count(sqlite_url, "SELECT count(*) FROM leads WHERE sender_id = 'visitor-old'") == 0
        time.sleep(0.5)
        worker.send_signal(stop_with)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert len(mailbox.messages) == 1, "the expired lead was purged, not sent"
    assert f"Stopping ({stop_with.name})" in output and output.rstrip().endswith("Stopped")
    assert "Lead 2: sent by email" in output
    for detail in PERSONAL:
        assert detail not in output, detail


@pytest.mark.parametrize("env, message", [
    ({"CONSULTANCY_EMAIL": "hello"}, "consultancy field 'email' (from CONSULTANCY_EMAIL)"),
    ({"SMTP_HOST": "mail.example", "SMTP_PORT": "twenty-five"}, "SMTP_PORT must be a port number"),
    ({"LEADS_DB_URL": "mysql+nosuchdriver://db/leads"}, "LEADS_DB_URL is not a usable database URL"),
])
def test_the_worker_refuses_to_start_with_a_bad_setting(sqlite_url, env, message):
    done = subprocess.run([sys.executable, "-m", "leads.worker", "--once"], cwd=REPO_ROOT,
                          env=run_env(sqlite_url, **env), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_the_heartbeat_says_whether_the_worker_loop_is_alive(sqlite_url, make_store, tmp_path):
    make_store(sqlite_url)
    heartbeat = tmp_path / "alive"

    def worker(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "leads.worker", *args], cwd=REPO_ROOT, env=run_env(sqlite_url),
                              capture_output=True, text=True, timeout=60, check=False)

    assert worker("--alive", "--heartbeat", str(heartbeat)).returncode == 1, "no pass yet: not alive"
    done = worker("--once", "--heartbeat", str(heartbeat))
    assert done.returncode == 0 and heartbeat.exists(), done.stderr
    assert worker("--alive", "--heartbeat", str(heartbeat)).returncode == 0
    stale = time.time() - 300
    os.utime(heartbeat, (stale, stale))
    assert worker("--alive", "--heartbeat", str(heartbeat), "--max-age", "120").returncode == 1
    assert worker("--alive").returncode == 2, "--alive without a file is a usage error"


def test_the_export_writes_csv_to_stdout_or_a_file(sqlite_url, make_store, tmp_path):
    make_store(sqlite_url).save_lead(**a_lead())
    to_stdout = subprocess.run([sys.executable, "-m", "leads.export"], cwd=REPO_ROOT, env=run_env(sqlite_url),
                               capture_output=True, text=True, timeout=60, check=False)
    assert to_stdout.returncode == 0, to_stdout.stderr
    [row] = list(csv.DictReader(io.StringIO(to_stdout.stdout)))
    assert row["name"] == "Siân Pritchard" and row["council_or_area"] == "Newport"

    out = tmp_path / "exports" / "leads.csv"
    to_file = subprocess.run([sys.executable, "-m", "leads.export", "--out", str(out)], cwd=REPO_ROOT,
                             env=run_env(sqlite_url), capture_output=True, text=True, timeout=60, check=False)
    assert to_file.returncode == 0 and f"1 lead(s) exported to {out}" in to_file.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the UTF-8 mark spreadsheet programs look for
    assert list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))) == [row]


def test_make_leads_exports_to_results_and_says_where(sqlite_url, make_store, tmp_path):
    make_store(sqlite_url).save_lead(**a_lead())
    done = subprocess.run(["make", "-s", "-f", str(REPO_ROOT / "leads" / "leads.mk"), "leads", f"PY={sys.executable}"],
                          cwd=tmp_path, env=run_env(sqlite_url), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    exported = tmp_path / "results" / "leads.csv"
    assert f"1 lead(s) exported to {exported}" in done.stdout + done.stderr
    assert exported.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(CSV_COLUMNS)


def test_the_export_names_a_bad_database_url(sqlite_url):
    done = subprocess.run([sys.executable, "-m", "leads.export"], cwd=REPO_ROOT,
                          env=run_env(sqlite_url, LEADS_DB_URL="not a url"), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "LEADS_DB_URL is not a usable database URL" in done.stderr


def test_the_database_is_the_tracker_stores_unless_leads_db_url_says_otherwise():
    assert database_url({}) == DEFAULT_URL == "sqlite:///.rasa/conversations.db"
    assert database_url({"TRACKER_STORE_URL": "postgresql://u:p@db:5432/rasa"}) == "postgresql://u:p@db:5432/rasa"
    assert database_url({"TRACKER_STORE_URL": "postgresql://u:p@db/rasa", "LEADS_DB_URL": "sqlite:///leads.db"}) == "sqlite:///leads.db"
    with pytest.raises(DatabaseError, match="TRACKER_STORE_URL is not a usable database URL"):
        database_url({"TRACKER_STORE_URL": "postgres://u:p@db/rasa"})  # SQLAlchemy 1.4 wants postgresql://


@pytest.fixture
def configured_from(monkeypatch):
    """The package-level functions, configured from the environment the test sets."""
    def configure(url: str, **env: str) -> leads.Setup:
        for name, value in run_env(url, **env).items():
            monkeypatch.setenv(name, value)
        leads.configured.cache_clear()
        return leads.configured()

    yield configure
    if leads.configured.cache_info().currsize:
        leads.configured().store.dispose()
    leads.configured.cache_clear()


def test_the_functions_the_actions_call_use_the_environment(db_url, configured_from, mailbox, receiver):
    mailbox.start()
    setup = configured_from(db_url, SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.port), SMTP_STARTTLS="false",
                            LEADS_WEBHOOK_URL=receiver.url, CONSULTANCY_NAME="Valleys Bid Support")
    assert setup.store.channels == ("email", "webhook") and setup.consultancy.name == "Valleys Bid Support"
    add_conversation(db_url, "visitor-1", [utc_now().timestamp()])

    lead_id = leads.save_lead(**a_lead())
    assert leads.save_lead(**a_lead()) == lead_id
    assert leads.deliver_due() == leads.Delivered(sent=2, failed=0)
    assert "Valleys Bid Support" in message_from_bytes(mailbox.messages[0][2], policy=policy.default).get_content()
    out = io.StringIO()
    assert leads.export_csv(out) == 1
    assert leads.purge_expired() == leads.Purged(0, 0, 0)
    assert leads.delete_visitor_data("visitor-1") == Deleted(leads=1, outbox=2, events=1)
