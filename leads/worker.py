"""The leads worker: sends due notifications every few seconds and applies the retention periods hourly.

    python -m leads.worker [--interval SECONDS] [--purge-every SECONDS] [--once] [--heartbeat FILE]
    python -m leads.worker --alive --heartbeat FILE [--max-age SECONDS]

Settings from the environment (LEADS_DB_URL, SMTP_*, LEADS_WEBHOOK_URL..., see leads/notify.py)
and consultancy.yml. SIGTERM or SIGINT stops it after the delivery in hand; exit 0. A bad setting
exits 2 with a message naming it. A database that does not answer is logged and tried again.
With --heartbeat (LEADS_HEARTBEAT_FILE) the worker touches the file after every pass, failed or
not; `--alive` exits 0 if it was touched within --max-age seconds, else 1: the liveness and
readiness probe of a worker that listens on no port (deploy/kubernetes/leads-worker.yaml).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

from leads import (
    ConsultancyError,
    DatabaseError,
    LeadError,
    NotificationError,
    configured,
    notify,
)
from leads.db import shown_url

logger = logging.getLogger("leads.worker")


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m leads.worker", description=__doc__.split("\n")[0])
    parser.add_argument("--interval", type=_seconds, default=_seconds(os.environ.get("LEADS_DELIVERY_INTERVAL", "5")),
                        help="seconds between delivery passes (LEADS_DELIVERY_INTERVAL, default 5)")
    parser.add_argument("--purge-every", type=_seconds, default=_seconds(os.environ.get("LEADS_PURGE_INTERVAL", "3600")),
                        help="seconds between retention purges (LEADS_PURGE_INTERVAL, default 3600)")
    parser.add_argument("--once", action="store_true", help="one delivery pass and one purge, then exit")
    parser.add_argument("--heartbeat", default=os.environ.get("LEADS_HEARTBEAT_FILE") or None,
                        help="file touched after every pass (LEADS_HEARTBEAT_FILE)")
    parser.add_argument("--alive", action="store_true",
                        help="exit 0 if the heartbeat file was touched within --max-age seconds, else 1")
    parser.add_argument("--max-age", type=_seconds, default=120.0, help="for --alive (default 120)")
    args = parser.parse_args(argv)
    if args.alive and not args.heartbeat:
        parser.error("--alive needs --heartbeat FILE (or LEADS_HEARTBEAT_FILE)")
    return args


def alive(heartbeat: str, max_age: float) -> bool:
    """Whether the worker's loop touched the heartbeat file within max_age seconds."""
    try:
        return time.time() - os.path.getmtime(heartbeat) <= max_age
    except OSError:
        return False


def beat(heartbeat: str | None) -> None:
    if heartbeat:
        try:
            with open(heartbeat, "a", encoding="utf-8"):
                os.utime(heartbeat)
        except OSError as error:
            logger.error("Cannot touch the heartbeat file %s: %s", heartbeat, error)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("LEADS_LOG_LEVEL", "INFO").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    if args.alive:
        return 0 if alive(args.heartbeat, args.max_age) else 1
    try:
        setup = configured()
    except (ConsultancyError, DatabaseError, NotificationError, LeadError, ValueError) as error:
        logger.error("Cannot start: %s", error)
        return 2
    stop = threading.Event()

    def request_stop(number: int, _frame) -> None:
        logger.info("Stopping (%s)", signal.Signals(number).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    logger.info("Leads in %s; notifications by %s; retention %d days (leads), %d days (conversations)",
                shown_url(setup.store.url), ", ".join(setup.notifications.channels) or "no channel (export only)",
                setup.consultancy.lead_retention_days, setup.consultancy.conversation_retention_days)
    next_purge = time.monotonic()
    while not stop.is_set():
        try:
            if time.monotonic() >= next_purge:  # first, so that an expired lead is not sent
                setup.store.purge_expired()
                next_purge = time.monotonic() + args.purge_every
            notify.deliver_due(setup.store, setup.notifications, setup.consultancy, keep_going=lambda: not stop.is_set())
        except Exception as error:  # noqa: BLE001 - the worker outlives a database outage
            logger.error("Leads pass failed, trying again in %g s: %s: %s", args.interval, type(error).__name__, error)
        beat(args.heartbeat)
        if args.once:
            break
        stop.wait(args.interval)
    setup.store.dispose()
    logger.info("Stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
