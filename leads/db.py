"""Where leads are stored and how the schema gets there: the tracker store's database, migrated by alembic.

LEADS_DB_URL names the database; unset, it is TRACKER_STORE_URL (the same database as Rasa's
conversations), unset too, the default SQLite file. The first use in a process upgrades the schema
to the newest migration; two processes starting at once are safe (PostgreSQL: an advisory lock
held for the upgrade's transaction; a SQLite file: a lock file beside it).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

DEFAULT_URL = "sqlite:///.rasa/conversations.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Alembic's bookkeeping table, named for this package so nothing else sharing the database minds it.
VERSION_TABLE = "leads_alembic_version"
# Alembic's migration context is process-global: one upgrade at a time in a process.
_IN_PROCESS = threading.Lock()
# pg_advisory_xact_lock key for the upgrade: any fixed 64-bit number, unique to this use.
MIGRATION_LOCK = 0x1EAD5_0001


class DatabaseError(ValueError):
    """The leads database URL is unusable."""


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """LEADS_DB_URL, else TRACKER_STORE_URL, else the default SQLite file."""
    environ = os.environ if environ is None else environ
    for name in ("LEADS_DB_URL", "TRACKER_STORE_URL"):
        if environ.get(name, "").strip():
            return check_url(environ[name].strip(), name)
    return DEFAULT_URL


def check_url(url: str, where: str = "the database URL") -> str:
    try:
        sa.engine.make_url(url).get_dialect()
    except Exception as error:  # noqa: BLE001 - any parse or dialect failure gets one message
        raise DatabaseError(
            f"{where} is not a usable database URL ({shown_url(url)}: {error}); "
            f"e.g. {DEFAULT_URL} or postgresql://user:password@host:5432/db"
        ) from None
    return url


def shown_url(url: str) -> str:
    """The URL without its password, for logs and errors."""
    try:
        return repr(sa.engine.make_url(url))
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as its scheme only
        return url.split("://", 1)[0] + "://..."


def _sqlite_foreign_keys(connection, _record) -> None:
    """SQLite enforces foreign keys (and so ON DELETE CASCADE) only when asked, per connection."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str) -> sa.engine.Engine:
    """An engine whose errors never quote the statement's parameters (a visitor's details)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Rasa writes to the same file: wait for its write lock rather than fail at once.
        engine = sa.create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        sa.event.listen(engine, "connect", _sqlite_foreign_keys)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextlib.contextmanager
def _sqlite_file_lock(url: sa.engine.URL) -> Iterator[None]:
    """An exclusive lock on `<database>.leads-migrations.lock` for a SQLite file; nothing otherwise."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    with open(f"{url.database}.leads-migrations.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrate(engine: sa.engine.Engine) -> None:
    """Upgrades the leads schema to the newest migration; does nothing when it is there already."""
    config = alembic_config()
    with _IN_PROCESS, _sqlite_file_lock(engine.url), engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: sa.engine.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
