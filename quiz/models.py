"""The stored data: counselor groups and quiz attempts (a finished attempt holds its report)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from .bank import MAX_VERSION_LENGTH

# Named constraints, so Alembic's batch mode can alter them on SQLite.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class Group(Base):
    """A counselor's group: one client link (the code) and one private dashboard link (hashed)."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    dashboard_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Attempt(Base):
    """One person's quiz: answers saved page by page; on finishing, the report as shown."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the private link's token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    client_name: Mapped[str | None] = mapped_column(String(40))
    answers: Mapped[dict] = mapped_column(Json, default=dict)
    bank_version: Mapped[str] = mapped_column(String(MAX_VERSION_LENGTH))
    bank_digest: Mapped[str] = mapped_column(String(64))
    # Seeds the order of each situation's options, so back, forward, resume and the report all
    # show the same order; None (attempts from before) keeps the file's order.
    option_seed: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    report: Mapped[dict | None] = mapped_column(Json)

    group: Mapped[Group | None] = relationship(back_populates="attempts")


class BankVersion(Base):
    """Every questions.yaml an attempt started on, so any instance can finish it on that version."""

    __tablename__ = "bank_versions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(MAX_VERSION_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
