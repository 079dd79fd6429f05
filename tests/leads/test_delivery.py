"""New leads reach the consultancy by email (a real SMTP server) and webhook (a real HTTP receiver);
failures are retried after a back-off and the lead is kept. Time is driven by passing `now`."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from leads.notify import (
    Delivered,
    NotificationError,
    deliver_due,
    notification_settings,
)
from tests.leads.conftest import SMTP_PASSWORD, SMTP_USER, T0, a_lead, count
from tests.support.servers import free_port

SECRET = "webhook-secret-for-tests"


def email_env(mailbox, **more):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.port), "SMTP_STARTTLS": "false",
            "SMTP_FROM": "assistant@meadowbank.example", "LEADS_EMAIL_TO": "leads@meadowbank.example, bids@meadowbank.example",
            **more}


def outbox(store, channel):
    """The channel's one outbox row as (channel, attempts, next_attempt_at, delivered_at, last_error)."""
    [row] = [r for r in store.outbox() if r["channel"] == channel]
    return tuple(row[k] for k in ("channel", "attempts", "next_attempt_at", "delivered_at", "last_error"))


def test_a_new_lead_is_emailed_and_posted_once(db_url, make_store, consultancy, mailbox, receiver):
    mailbox.start()
    notifications = notification_settings(consultancy, {
        **email_env(mailbox), "LEADS_WEBHOOK_URL": receiver.url, "LEADS_WEBHOOK_SECRET": SECRET})
    store = make_store(db_url, notifications.channels)
    lead_id = store.save_lead(now=T0, **a_lead())

    assert deliver_due(store, notifications, consultancy, now=T0) == Delivered(sent=2, failed=0)

    [(mail_from, rcpt_tos, raw)] = mailbox.messages
    assert mail_from == "assistant@meadowbank.example"
    assert rcpt_tos == ["leads@meadowbank.example", "bids@meadowbank.example"]
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Reply-To"] == "sian@cwmcare.example"
    assert "Cwm Care Ltd" in mail["Subject"]
    body = mail.get_content()
    for shown in ("Siân Pritchard", "Cwm Care Ltd", "sian@cwmcare.example", "07700 900123", "Newport",
                  "stage: new", "registration: registered", "nation: wales", "dps: open",
                  "Join Newport's DPS now (dps)", a_lead()["consent_text"], consultancy.name, f"Lead {lead_id}"):
        assert shown in body, shown
    assert "$" not in body

    [posted] = receiver.requests
    assert posted["path"] == "/leads"
    payload = json.loads(posted["body"])
    assert payload["event"] == "lead.created"
    assert payload["lead"]["id"] == lead_id and payload["lead"]["email"] == "sian@cwmcare.example"
    assert payload["lead"]["facts"] == a_lead()["facts"] and payload["lead"]["consent_at"] == T0.isoformat()
    expected = hmac.new(SECRET.encode(), posted["body"], hashlib.sha256).hexdigest()
    assert posted["headers"]["X-Leads-Signature"] == f"sha256={expected}"
    assert posted["headers"]["Idempotency-Key"] == f"lead-{lead_id}"

    for channel in ("email", "webhook"):
        _, attempts, _, delivered_at, last_error = outbox(store, channel)
        assert attempts == 1 and delivered_at is not None and last_error is None
    assert deliver_due(store, notifications, consultancy, now=T0 + timedelta(days=1)) == Delivered(0, 0)
    assert len(mailbox.messages) == 1 and len(receiver.requests) == 1


def test_the_mail_server_login_is_used_and_a_refused_login_is_retried(sqlite_url, make_store, consultancy, mailbox):
    mailbox.start()
    wrong = notification_settings(consultancy, email_env(mailbox, SMTP_USERNAME=SMTP_USER, SMTP_PASSWORD="wrong"))
    store = make_store(sqlite_url, wrong.channels)
    store.save_lead(now=T0, **a_lead())
    assert deliver_due(store, wrong, consultancy, now=T0) == Delivered(0, 1)
    assert "SMTPAuthenticationError" in outbox(store, "email")[4]
    right = notification_settings(consultancy, email_env(mailbox, SMTP_USERNAME=SMTP_USER, SMTP_PASSWORD=SMTP_PASSWORD))
    assert deliver_due(store, right, consultancy, now=T0 + timedelta(minutes=1)) == Delivered(1, 0)
    assert len(mailbox.messages) == 1


def test_an_email_that_fails_while_the_mail_server_is_down_is_sent_after_the_back_off(
        db_url, make_store, consultancy, mailbox):
    notifications = notification_settings(consultancy, email_env(mailbox))
    store = make_store(db_url, notifications.channels)
    store.save_lead(now=T0, **a_lead())

    assert deliver_due(store, notifications, consultancy, now=T0) == Delivered(0, 1)
    _, attempts, next_attempt_at, delivered_at, last_error = outbox(store, "email")
    assert (attempts, delivered_at) == (1, None) and "ConnectionRefusedError" in last_error
    assert next_attempt_at == T0 + timedelta(minutes=1)

    mailbox.start()
    assert deliver_due(store, notifications, consultancy, now=T0 + timedelta(seconds=59)) == Delivered(0, 0)
    assert mailbox.messages == []
    assert deliver_due(store, notifications, consultancy, now=T0 + timedelta(minutes=1)) == Delivered(1, 0)
    assert len(mailbox.messages) == 1
    assert outbox(store, "email")[1] == 2 and len(store.all_leads()) == 1


@pytest.mark.parametrize("answer", [500, 503, 404, 302])
def test_a_webhook_answered_with_an_error_is_posted_again_after_the_back_off(
        db_url, make_store, consultancy, receiver, answer):
    receiver.answers.append(answer)
    notifications = notification_settings(consultancy, {"LEADS_WEBHOOK_URL": receiver.url})
    store = make_store(db_url, notifications.channels)
    lead_id = store.save_lead(now=T0, **a_lead())

    assert deliver_due(store, notifications, consultancy, now=T0) == Delivered(0, 1)
    assert f"HTTP Error {answer}" in outbox(store, "webhook")[4]
    assert deliver_due(store, notifications, consultancy, now=T0 + timedelta(seconds=30)) == Delivered(0, 0)
    assert deliver_due(store, notifications, consultancy, now=T0 + timedelta(minutes=1)) == Delivered(1, 0)
    assert [r["headers"]["Idempotency-Key"] for r in receiver.requests] == [f"lead-{lead_id}"] * 2
    assert "X-Leads-Signature" not in receiver.requests[0]["headers"]


def test_the_back_off_doubles_from_a_minute_to_at_most_an_hour_and_the_lead_is_kept(sqlite_url, make_store, consultancy):
    nobody = f"http://127.0.0.1:{free_port()}/leads"
    notifications = notification_settings(consultancy, {"LEADS_WEBHOOK_URL": nobody})
    store = make_store(sqlite_url, notifications.channels)
    store.save_lead(now=T0, **a_lead())
    now, waits = T0, []
    for _ in range(9):
        assert deliver_due(store, notifications, consultancy, now=now) == Delivered(0, 1)
        next_attempt_at = outbox(store, "webhook")[2]
        waits.append((next_attempt_at - now) / timedelta(minutes=1))
        now = next_attempt_at
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert outbox(store, "webhook")[1] == 9 and len(store.all_leads()) == 1


def test_a_row_claimed_by_one_worker_is_not_sent_by_another(sqlite_url, make_store):
    store = make_store(sqlite_url, ["email"])
    store.save_lead(now=T0, **a_lead())
    [mine], [theirs] = store.due(T0), store.due(T0)
    assert store.claim(mine, T0 + timedelta(minutes=5))
    assert not store.claim(theirs, T0 + timedelta(minutes=5))
    assert store.due(T0 + timedelta(minutes=4)) == []


def test_a_channel_switched_off_after_saving_keeps_the_lead_waiting(sqlite_url, make_store, consultancy):
    store = make_store(sqlite_url, ["email"])
    store.save_lead(now=T0, **a_lead())
    notifications = notification_settings(consultancy, {})
    assert notifications.channels == ()
    assert deliver_due(store, notifications, consultancy, now=T0) == Delivered(0, 1)
    assert "SMTP_HOST" in outbox(store, "email")[4]
    assert count(sqlite_url, "SELECT count(*) FROM leads") == 1


def test_logs_at_info_never_hold_the_visitors_details(db_url, make_store, consultancy, mailbox, receiver, caplog):
    caplog.set_level(logging.INFO)
    receiver.answers.append(500)
    notifications = notification_settings(consultancy, {**email_env(mailbox), "LEADS_WEBHOOK_URL": receiver.url})
    store = make_store(db_url, notifications.channels)
    store.save_lead(now=T0, **a_lead())
    store.save_lead(now=T0, **a_lead())
    deliver_due(store, notifications, consultancy, now=T0)  # email down, webhook 500
    mailbox.start()
    deliver_due(store, notifications, consultancy, now=T0 + timedelta(hours=1))
    store.purge_expired(T0 + timedelta(days=consultancy.lead_retention_days + 1))
    store.save_lead(now=T0, **a_lead(consent_at=T0 + timedelta(seconds=1)))
    store.delete_visitor_data("visitor-1")
    assert "sent by email" in caplog.text and "delivery failed" in caplog.text
    for detail in ("Siân", "Pritchard", "Cwm Care", "sian@cwmcare.example", "07700", "Newport", "visitor-1"):
        assert detail not in caplog.text, detail


@pytest.mark.parametrize("environ, variable", [
    ({"SMTP_HOST": "mail.example", "SMTP_PORT": "smtp"}, "SMTP_PORT"),
    ({"SMTP_HOST": "mail.example", "SMTP_PORT": "70000"}, "SMTP_PORT"),
    ({"SMTP_HOST": "mail.example", "SMTP_USERNAME": "leads"}, "SMTP_USERNAME and SMTP_PASSWORD"),
    ({"SMTP_HOST": "mail.example", "SMTP_FROM": "assistant"}, "SMTP_FROM"),
    ({"SMTP_HOST": "mail.example", "LEADS_EMAIL_TO": "leads@example.org, bids"}, "LEADS_EMAIL_TO"),
    ({"SMTP_HOST": "mail.example", "SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS"),
    ({"LEADS_EMAIL_TO": "leads@example.org"}, "SMTP_HOST"),
    ({"LEADS_WEBHOOK_URL": "hooks.example.org/leads"}, "LEADS_WEBHOOK_URL"),
])
def test_bad_notification_settings_are_refused_naming_the_variable(consultancy, environ, variable):
    with pytest.raises(NotificationError, match=variable):
        notification_settings(consultancy, environ)


def test_email_goes_to_the_consultancys_address_unless_told_otherwise(consultancy):
    settings = notification_settings(consultancy, {"SMTP_HOST": "mail.example"}).email
    assert settings.recipients == (consultancy.email,) and settings.sender == consultancy.email
    assert (settings.port, settings.starttls) == (587, True)
