"""Alembic's environment for the leads tables: on the connection leads.db.migrate hands over, or
(from the alembic command line, `alembic -c leads/alembic.ini ...`) on the leads database URL."""
import sqlalchemy as sa
from alembic import context

from leads.db import MIGRATION_LOCK, VERSION_TABLE, create_engine, database_url
from leads.schema import metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        # Other tables in the database (Rasa's events) are not ours to compare or drop.
        include_name=lambda name, type_, _parent: type_ != "table" or name in metadata.tables,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # A second process waits here, then finds the schema at head and does nothing.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("The leads migrations run online only: give alembic a database (LEADS_DB_URL).")

given = context.config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    with create_engine(database_url()).connect() as own:
        run_migrations(own)
