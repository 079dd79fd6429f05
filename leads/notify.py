"""Announcing new leads by email (SMTP) and/or webhook, from the outbox, with back-off on failure.

Settings come from the environment (see notification_settings). A row is claimed before it is
sent, so two workers never send it at once; a failure is recorded with the next try 1, 2, 4...
minutes later (at most an hour) and the lead is kept, however often it fails. Logs name the lead
by its id only: the visitor's details go to the consultancy, never to the log.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import os
import smtplib
import ssl
import string
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import yaml

from leads.consultancy import Consultancy
from leads.schema import utc_now
from leads.store import Delivery, Lead, LeadStore
from leads.validate import is_email, is_web_url

logger = logging.getLogger(__name__)

MESSAGES: dict[str, str] = yaml.safe_load((Path(__file__).with_name("messages.yml")).read_text(encoding="utf-8"))
# How long one SMTP conversation or webhook request may take.
SEND_TIMEOUT = 20.0
# How long a claimed row is left to its sender before another worker may try it (a crash mid-send).
CLAIM_LEASE = timedelta(minutes=5)


class NotificationError(ValueError):
    """The notification settings in the environment are unusable; the message names the variable."""


@dataclasses.dataclass(frozen=True)
class EmailSettings:
    host: str
    port: int
    username: str | None
    password: str | None = dataclasses.field(repr=False)
    starttls: bool
    sender: str
    recipients: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str | None = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Notifications:
    email: EmailSettings | None
    webhook: WebhookSettings | None

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(name for name in ("email", "webhook") if getattr(self, name) is not None)


@dataclasses.dataclass(frozen=True)
class Delivered:
    """What one deliver_due pass did."""
    sent: int
    failed: int


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise NotificationError(f"{name} must be true or false, got {value!r}")


def notification_settings(consultancy: Consultancy, environ: Mapping[str, str] | None = None) -> Notifications:
    """Email when SMTP_HOST is set, the webhook when LEADS_WEBHOOK_URL is; either, both or neither.

    SMTP_PORT (587), SMTP_STARTTLS (true), SMTP_USERNAME and SMTP_PASSWORD (both or neither),
    SMTP_FROM and LEADS_EMAIL_TO (comma-separated; both default to the consultancy's email),
    LEADS_WEBHOOK_SECRET (optional: signs each POST's body, header X-Leads-Signature).
    """
    environ = os.environ if environ is None else environ

    def get(name: str) -> str:
        return environ.get(name, "").strip()

    email = None
    if get("SMTP_HOST"):
        try:
            port = int(get("SMTP_PORT") or 587)
        except ValueError:
            raise NotificationError(f"SMTP_PORT must be a port number, got {get('SMTP_PORT')!r}") from None
        if not 0 < port < 65536:
            raise NotificationError(f"SMTP_PORT must be between 1 and 65535, got {port}")
        if bool(get("SMTP_USERNAME")) != bool(environ.get("SMTP_PASSWORD")):
            raise NotificationError("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither")
        sender = get("SMTP_FROM") or consultancy.email
        if not is_email(sender):
            raise NotificationError(f"SMTP_FROM must be an email address, got {sender!r}")
        recipients = tuple(a.strip() for a in (get("LEADS_EMAIL_TO") or consultancy.email).split(",") if a.strip())
        bad = [a for a in recipients if not is_email(a)]
        if bad or not recipients:
            raise NotificationError(f"LEADS_EMAIL_TO must be email addresses separated by commas, got {bad or '(none)'}")
        email = EmailSettings(
            host=get("SMTP_HOST"), port=port, username=get("SMTP_USERNAME") or None,
            password=environ.get("SMTP_PASSWORD") or None, starttls=_flag(environ, "SMTP_STARTTLS", True),
            sender=sender, recipients=recipients,
        )
    elif get("LEADS_EMAIL_TO"):
        raise NotificationError("LEADS_EMAIL_TO is set but SMTP_HOST is not: set SMTP_HOST to send leads by email")
    webhook = None
    if get("LEADS_WEBHOOK_URL"):
        if not is_web_url(get("LEADS_WEBHOOK_URL")):
            raise NotificationError(f"LEADS_WEBHOOK_URL must be an http:// or https:// URL, got {get('LEADS_WEBHOOK_URL')!r}")
        webhook = WebhookSettings(url=get("LEADS_WEBHOOK_URL"), secret=environ.get("LEADS_WEBHOOK_SECRET") or None)
    return Notifications(email=email, webhook=webhook)


def email_message(lead: Lead, consultancy: Consultancy, settings: EmailSettings) -> EmailMessage:
    """The lead as the consultancy reads it: details, facts and the recommended route."""
    facts = "\n".join(f"{key.replace('_', ' ')}: {_fact(value)}" for key, value in lead.facts.items())
    values = {
        **consultancy.as_text(), **{k: str(v) for k, v in dataclasses.asdict(lead).items()},
        "phone": lead.phone or MESSAGES["not_given"], "facts": facts or MESSAGES["no_facts"],
        "created_at": f"{lead.created_at:%Y-%m-%d %H:%M} UTC", "consent_at": f"{lead.consent_at:%Y-%m-%d %H:%M} UTC",
    }
    message = EmailMessage()
    message["Subject"] = string.Template(MESSAGES["email_subject"]).substitute(values)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Reply-To"] = lead.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"lead-{lead.id}", domain=settings.sender.split("@", 1)[1])
    message.set_content(string.Template(MESSAGES["email_body"]).substitute(values))
    return message


def _fact(value) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def send_email(lead: Lead, consultancy: Consultancy, settings: EmailSettings) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=SEND_TIMEOUT) as smtp:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        refused = smtp.send_message(email_message(lead, consultancy, settings))
    if refused:
        logger.warning("Lead %d: the mail server refused %d of the recipients in LEADS_EMAIL_TO", lead.id, len(refused))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: the lead is not re-sent somewhere the settings don't name."""

    def redirect_request(self, *args, **kwargs):
        return None


def webhook_body(lead: Lead) -> bytes:
    return json.dumps({"event": "lead.created", "lead": lead.as_json()}, ensure_ascii=False).encode("utf-8")


def post_webhook(lead: Lead, settings: WebhookSettings) -> None:
    """POSTs the lead as JSON; anything but a 2xx answer raises."""
    body = webhook_body(lead)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "route-advisor-leads",
        # The same lead sent twice (a lost answer, then a retry) carries the same key.
        "Idempotency-Key": f"lead-{lead.id}",
    }
    if settings.secret:
        digest = hmac.new(settings.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers["X-Leads-Signature"] = f"sha256={digest}"
    request = urllib.request.Request(settings.url, data=body, headers=headers, method="POST")
    with urllib.request.build_opener(_NoRedirect).open(request, timeout=SEND_TIMEOUT) as response:
        response.read()


def summary(error: BaseException) -> str:
    """What went wrong, in words that never quote the lead: a status code or the kind of failure."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP {error.smtp_code}"
    if isinstance(error, urllib.error.URLError):
        return summary(error.reason) if isinstance(error.reason, BaseException) else "URL error"
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror}"
    return type(error).__name__


def deliver_due(store: LeadStore, notifications: Notifications, consultancy: Consultancy,
                now: datetime | None = None, limit: int = 50,
                keep_going: Callable[[], bool] = lambda: True) -> Delivered:
    """Sends every outbox row due at `now` (claimed first); records each success or failure."""
    now = now or utc_now()
    sent = failed = 0
    for delivery in store.due(now, limit):
        if not keep_going():
            break
        if not store.claim(delivery, now + CLAIM_LEASE):
            continue
        try:
            _send(delivery, notifications, consultancy)
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried later
            retry_at = store.record_failure(delivery, now, f"{type(error).__name__}: {error}")
            failed += 1
            logger.warning("Lead %d: %s delivery failed (try %d: %s); next try at %s", delivery.lead.id,
                           delivery.channel, delivery.attempts + 1, summary(error), f"{retry_at:%Y-%m-%d %H:%M:%S} UTC")
        else:
            store.record_delivered(delivery, now)
            sent += 1
            logger.info("Lead %d: sent by %s", delivery.lead.id, delivery.channel)
    return Delivered(sent=sent, failed=failed)


def _send(delivery: Delivery, notifications: Notifications, consultancy: Consultancy) -> None:
    if delivery.channel == "email" and notifications.email is not None:
        send_email(delivery.lead, consultancy, notifications.email)
    elif delivery.channel == "webhook" and notifications.webhook is not None:
        post_webhook(delivery.lead, notifications.webhook)
    else:
        raise NotificationError(
            f"the {delivery.channel} channel is no longer configured "
            f"({'SMTP_HOST' if delivery.channel == 'email' else 'LEADS_WEBHOOK_URL'} is unset); the lead waits for it"
        )
