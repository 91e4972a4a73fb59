"""Alembic environment: always run from quiz.db with a live connection (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from quiz.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only alter tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
