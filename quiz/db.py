"""Database engine, sessions, migrations and the `flask db` commands.

SQLite in the instance folder by default; PostgreSQL when DATABASE_URL names one
(`postgresql+psycopg://...`). Connections open lazily, so none exists before gunicorn forks.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask import g
from flask.cli import ScriptInfo
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from . import bounds

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
UPGRADE_COMMAND = "flask --app quiz db upgrade"
log = logging.getLogger(__name__)
# Set while `flask db ...` loads the app: the one time an out-of-date schema must not stop it.
_migrating: ContextVar[bool] = ContextVar("migrating", default=False)


class SchemaNotReady(click.ClickException):
    """The database cannot be used as it is; the message says what to run."""


def make_engine(url: str, autocommit: bool = False, timeout: float = bounds.DEFAULT_SECONDS) -> Engine:
    """An engine for transactions, or (`autocommit`) the one for quiz pages: every statement
    stands alone, and a page save does not wait for the disk.

    That is the one durability trade here: a page saved in the last moment before the OS or the
    database server crashes may be lost (never to a killed worker); nothing is ever corrupted.
    New attempts, finished reports and counselor groups are written in full transactions.
    Every wait on the database ends after about `timeout` seconds (see bounds.py).
    """
    isolation = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, pool_timeout=timeout, **isolation)
        _tune_sqlite(engine, transactions=not autocommit, busy_ms=round(timeout * 1000))
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_timeout=timeout, **isolation)
    bounds.bound_postgresql(engine, timeout)
    if autocommit:

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
            dbapi_connection.commit()

    return engine


def _tune_sqlite(engine: Engine, transactions: bool, busy_ms: int) -> None:
    """WAL, a busy timeout, foreign keys, deleted content zeroed, and BEGIN IMMEDIATE for writes
    (SQLAlchemy's recipe).

    A deferred read-then-write transaction fails with "database is locked" when another worker
    writes first, whatever the timeout; an immediate one waits its turn instead.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" event below emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A deleted name is overwritten with zeros, not left in a free part of a page; see erase_deleted.
        cursor.execute("PRAGMA secure_delete=ON")
        if not transactions:
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; see make_engine
        cursor.close()

    if transactions:

        @event.listens_for(engine, "begin")
        def on_begin(connection):
            mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")


def engine() -> Engine:
    return current_app.extensions["quiz_db"]["engine"]


def dispose(app) -> None:
    """Close every pooled connection of the app."""
    for name in ("engine", "autocommit"):
        app.extensions["quiz_db"][name].dispose()


def connection() -> Connection:
    """The request's connection, in autocommit: every statement on it stands alone.

    Quiz pages need no more: a page is read with one SELECT and saved with one UPDATE. Closed
    when the app context ends.
    """
    if "db_connection" not in g:
        g.db_connection = current_app.extensions["quiz_db"]["autocommit"].connect()
    return g.db_connection


def session() -> Session:
    """An ORM session for reading, on the request's connection; closed when the app context ends."""
    if "db_session" not in g:
        g.db_session = Session(connection(), expire_on_commit=False)
    return g.db_session


@contextmanager
def writing(erase: bool = False):
    """A write transaction, committed at the end of the block (BEGIN IMMEDIATE on SQLite).

    `erase`: the block deletes what people asked to have deleted; see erase_deleted.
    """
    # Hand the request's connection back first: a request holding one connection while
    # waiting for another deadlocks once every pooled connection is held that way.
    close_connection()
    with current_app.extensions["quiz_db"]["write"].begin() as write_session:
        yield write_session
    if erase:
        erase_deleted()


def erase_deleted() -> None:
    """On SQLite, move the write-ahead log into the database file and empty it.

    The log keeps whole old pages, deleted names in them, until it is overwritten; with
    secure_delete the database file has none left. PostgreSQL keeps dead rows until VACUUM.
    """
    autocommit = current_app.extensions["quiz_db"]["autocommit"]
    if autocommit.dialect.name == "sqlite":
        with autocommit.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def close_connection(_exception=None) -> None:
    for name in ("db_session", "db_connection"):
        if (held := g.pop(name, None)) is not None:
            held.close()


def alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(target: Engine) -> None:
    """Bring the schema to the newest migration; migrations are the only way it changes.

    On SQLite the whole upgrade is one BEGIN IMMEDIATE transaction, so workers starting at the
    same moment take turns: the first migrates, the others then find nothing left to do.
    """
    with target.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
        command.upgrade(alembic_config(connection), "head")


@functools.cache
def newest_revisions() -> frozenset[str]:
    """The heads of the migrations this code ships; read once, as they never change while it runs."""
    return frozenset(ScriptDirectory.from_config(alembic_config(None)).get_heads())


def is_up_to_date(connection) -> bool:
    return set(MigrationContext.configure(connection).get_current_heads()) == newest_revisions()


def prepare_schema(url: str, target: Engine) -> None:
    """At start-up: migrate the default SQLite file; refuse any other database that is behind.

    A SQLite file belongs to one host, so the app can migrate it safely itself (a fresh checkout
    then just works). A shared database is migrated once per deploy by the operator; starting
    against an old schema would fail on every save, so say what to run instead.
    """
    shown = target.url.render_as_string(hide_password=True)
    if url.startswith("sqlite"):
        try:
            with target.connect() as connection:
                if is_up_to_date(connection):  # the usual case: a worker starting on a migrated file
                    return
            upgrade(target)
        except DBAPIError as error:
            raise SchemaNotReady(f"cannot create or update the SQLite database {shown}: {error.orig}") from None
        return
    try:
        with target.connect() as connection:
            ready = is_up_to_date(connection)
    except DBAPIError as error:
        # Unreachable now is an outage, not a deploy mistake: start, and answer 503 until it is back.
        log.warning("could not check the database schema at start-up (%s); starting anyway", error.orig)
        return
    if not ready:
        raise SchemaNotReady(
            f"the database {shown} has migrations still to apply: run `{UPGRADE_COMMAND}` "
            "(once per deploy, from one machine), then start the app again"
        )


def is_schema_error(error: Exception) -> bool:
    """A missing table or column: the schema is behind the code, which waiting will not fix."""
    text = str(getattr(error, "orig", "")).lower()
    return "no such table" in text or "no such column" in text


def with_migration_app(command_function):
    """Run a `flask db` command in an app context, loading the app without the schema check."""

    @wraps(command_function)
    def run(*args, **kwargs):
        token = _migrating.set(True)
        try:
            app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        finally:
            _migrating.reset(token)
        with app.app_context():
            return command_function(*args, **kwargs)

    return run


# A plugin command (see pyproject.toml), so it runs before the app's own start-up checks would
# refuse an out-of-date database.
@click.group("db", help="Database migrations.")
def db_cli() -> None:
    pass


@db_cli.command("upgrade")
@with_migration_app
def upgrade_command() -> None:
    """Create or migrate the database to the newest schema."""
    upgrade(engine())
    click.echo(f"database is up to date: {engine().url.render_as_string(hide_password=True)}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="what the migration changes")
@with_migration_app
def revision_command(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    with engine().begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)


def init_app(app) -> None:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    timeout = float(app.config.setdefault("DATABASE_TIMEOUT", bounds.DEFAULT_SECONDS))
    db_engine = make_engine(url, timeout=timeout)
    app.extensions["quiz_db"] = {
        "engine": db_engine,
        # The request connection: a transaction around a single statement would cost a BEGIN and
        # a ROLLBACK or COMMIT more on every request (round trips, on PostgreSQL).
        "autocommit": make_engine(url, autocommit=True, timeout=timeout),
        "write": sessionmaker(db_engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False),
    }
    app.teardown_appcontext(close_connection)
    if not _migrating.get():
        prepare_schema(url, db_engine)
