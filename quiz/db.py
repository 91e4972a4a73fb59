"""Database engine, sessions, migrations and the `flask db` commands.

SQLite in the instance folder by default; PostgreSQL when DATABASE_URL names one
(`postgresql+psycopg://...`). Connections open lazily, so none exists before gunicorn forks.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask import g
from flask.cli import AppGroup
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from . import bounds

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
    """Bring the schema to the newest migration; migrations are the only way it changes."""
    with target.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


db_cli = AppGroup("db", help="Database migrations.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Create or migrate the database to the newest schema."""
    upgrade(engine())
    click.echo(f"database is up to date: {engine().url.render_as_string(hide_password=True)}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="what the migration changes")
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
    app.cli.add_command(db_cli)
