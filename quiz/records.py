"""Reading and writing attempts and groups.

Quiz pages read and save with one statement each on the request's connection (db.connection());
every other write runs in a db.writing() transaction.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import cast

from sqlalchemy import CursorResult
from sqlalchemy import Row
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from . import tokens
from .models import Attempt
from .models import BankVersion
from .models import Group
from .models import Json
from .models import utcnow


class merge_patch(FunctionElement):
    """A JSON object with an RFC 7396 merge patch applied: keys patched to null are removed.

    Done by the database, so saving a page changes only that page's answers, in one statement:
    two tabs saving two pages at once both keep their answers.
    """

    type = Json
    inherit_cache = True


@compiles(merge_patch, "sqlite")
def _merge_patch_sqlite(element, compiler, **kw):
    return f"json_patch({compiler.process(element.clauses, **kw)})"


@compiles(merge_patch, "postgresql")
def _merge_patch_postgresql(element, compiler, **kw):
    target, patch = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"jsonb_strip_nulls({target} || {patch})"


# The statements of every quiz page, built once: building them costs more than running them.
_attempts = cast(Table, Attempt.__table__)
_groups = cast(Table, Group.__table__)
_FIND_PROGRESS = (
    select(
        _attempts.c.id,
        _attempts.c.token_hash,
        _attempts.c.answers,
        _attempts.c.bank_digest,
        _attempts.c.option_seed,
        _attempts.c.finished_at,
        _groups.c.name.label("group_name"),
    )
    .outerjoin(_groups, _groups.c.id == _attempts.c.group_id)
    .where(_attempts.c.token_hash == bindparam("token_hash"))
)
_SAVE_PAGE = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.finished_at.is_(None))
    .values(
        answers=merge_patch(_attempts.c.answers, bindparam("patch", type_=Json)),
        updated_at=bindparam("now", type_=_attempts.c.updated_at.type),
    )
    .returning(_attempts.c.answers)
)


def find_attempt(db: Session, token: str | None) -> Attempt | None:
    """The whole attempt behind a private link, report included."""
    if not tokens.plausible(token):
        return None
    attempt = db.scalar(select(Attempt).where(Attempt.token_hash == tokens.token_hash(token)))
    return attempt if attempt and tokens.matches(token, attempt.token_hash) else None


_FIND_FINISHED = select(
    _attempts.c.id,
    _attempts.c.token_hash,
    _attempts.c.group_id,
    _attempts.c.client_name,
    _attempts.c.finished_at,
).where(_attempts.c.token_hash == bindparam("token_hash"))
_REPORT = select(_attempts.c.report).where(_attempts.c.id == bindparam("attempt_id"))


def find_report_page(connection: Connection, token: str | None) -> Row | None:
    """What a report page needs of an attempt, without the report itself (see report_cache):
    id, token_hash, group_id, client_name, finished_at."""
    if not tokens.plausible(token):
        return None
    row = connection.execute(_FIND_FINISHED, {"token_hash": tokens.token_hash(token)}).first()
    return row if row and tokens.matches(token, row.token_hash) else None


def stored_report(connection: Connection, attempt_id: int) -> dict:
    report = connection.execute(_REPORT, {"attempt_id": attempt_id}).scalar()
    if report is None:
        raise ValueError(f"attempt {attempt_id} has no report: it is not finished")
    return report


def find_progress(connection: Connection, token: str | None) -> Row | None:
    """What a quiz page needs of an attempt, in one row: id, answers, bank_digest, option_seed,
    finished_at, group_name."""
    if not tokens.plausible(token):
        return None
    row = connection.execute(_FIND_PROGRESS, {"token_hash": tokens.token_hash(token)}).first()
    return row if row and tokens.matches(token, row.token_hash) else None


def start_attempt(
    db: Session,
    bank,
    group: Group | None = None,
    client_name: str | None = None,
    answers: dict | None = None,
    option_seed: int | None = None,
):
    """A new attempt and the token of its private link (shown to the person, never stored)."""
    token = tokens.new_token()
    store_bank_version(db, bank)
    attempt = Attempt(
        token_hash=tokens.token_hash(token),
        group_id=group.id if group else None,
        client_name=client_name or None,
        answers=answers or {},
        bank_version=bank.version,
        bank_digest=bank.digest,
        option_seed=tokens.new_option_seed() if option_seed is None else option_seed,
    )
    db.add(attempt)
    db.flush()
    return attempt, token


def save_page(connection: Connection, attempt_id: int, questions, given: dict) -> dict | None:
    """Replace one page's answers (a question left out is cleared) and return all the answers;
    None when the attempt is gone or already finished."""
    patch = {qid: given.get(qid) for qid in questions}
    values = {"attempt_id": attempt_id, "patch": patch, "now": utcnow()}
    return connection.execute(_SAVE_PAGE, values).scalar()


def finish_attempt(db: Session, attempt_id: int, answers: dict, report: dict) -> bool:
    """Store the report once: a second, concurrent finish of the same attempt changes nothing."""
    now = utcnow()
    statement = (
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.finished_at.is_(None))
        .values(answers=answers, report=report, finished_at=now, updated_at=now)
    )
    return changed(db, statement) == 1


def delete_attempt(db: Session, attempt_id: int) -> None:
    db.execute(delete(Attempt).where(Attempt.id == attempt_id))


def create_group(db: Session, name: str, note: str) -> tuple[Group, str]:
    """A group and the token of its private dashboard link."""
    token = tokens.new_token()
    while True:  # 31^8 codes: a clash is rare, but a unique code must be unique
        code = tokens.new_group_code()
        if db.scalar(select(Group.id).where(Group.code == code)) is None:
            break
    group = Group(code=code, name=name, note=note, dashboard_hash=tokens.token_hash(token))
    db.add(group)
    db.flush()
    return group, token


def replace_dashboard_link(db: Session, group_id: int, old_hash: str) -> str | None:
    """A new private dashboard link for the group, ending the one whose hash is `old_hash`.

    None when that link was already replaced meanwhile (two tabs at once): the other tab's new
    link stands, and this one is not silently swapped for a third.
    """
    token = tokens.new_token()
    statement = (
        update(Group)
        .where(Group.id == group_id, Group.dashboard_hash == old_hash)
        .values(dashboard_hash=tokens.token_hash(token))
    )
    return token if changed(db, statement) == 1 else None


def find_group_by_code(db: Session, code: str) -> Group | None:
    return db.scalar(select(Group).where(Group.code == tokens.normalise_code(code)))


def find_group_by_dashboard(db: Session, token: str | None) -> Group | None:
    if not tokens.plausible(token):
        return None
    group = db.scalar(select(Group).where(Group.dashboard_hash == tokens.token_hash(token)))
    return group if group and tokens.matches(token, group.dashboard_hash) else None


def finished_report(attempt: Attempt) -> dict:
    """The report of a finished attempt, as it was stored."""
    if attempt.report is None:
        raise ValueError(f"attempt {attempt.id} has no report: it is not finished")
    return attempt.report


def group_results(db: Session, group_id: int) -> list[Attempt]:
    return list(
        db.scalars(
            select(Attempt)
            .where(Attempt.group_id == group_id, Attempt.finished_at.is_not(None))
            .order_by(Attempt.finished_at, Attempt.id)
        )
    )


MAX_ID = 2**31 - 1  # PostgreSQL's integer; a larger id in a URL is simply not found


def group_result(db: Session, group_id: int, result_id: int) -> Attempt | None:
    if not 0 < result_id <= MAX_ID:
        return None
    return db.scalar(
        select(Attempt).where(Attempt.id == result_id, Attempt.group_id == group_id, Attempt.finished_at.is_not(None))
    )


def unfinished_count(db: Session, group_id: int) -> int:
    count = select(func.count()).select_from(Attempt)
    return db.scalar(count.where(Attempt.group_id == group_id, Attempt.finished_at.is_(None))) or 0


def set_group_open(db: Session, group_id: int, is_open: bool) -> None:
    db.execute(update(Group).where(Group.id == group_id).values(closed_at=None if is_open else utcnow()))


def delete_group(db: Session, group_id: int) -> None:
    # Attempts go with it: ON DELETE CASCADE, and explicitly for databases without it enforced.
    db.execute(delete(Attempt).where(Attempt.group_id == group_id))
    db.execute(delete(Group).where(Group.id == group_id))


def purge(db: Session, unfinished_days: int, result_days: int, now: datetime | None = None) -> tuple[int, int]:
    """Delete unfinished attempts and results not in a group past their retention period."""
    now = now or utcnow()
    stale = changed(
        db,
        delete(Attempt).where(
            Attempt.finished_at.is_(None),
            Attempt.updated_at < now - timedelta(days=unfinished_days),
        ),
    )
    expired = changed(
        db,
        delete(Attempt).where(
            Attempt.finished_at.is_not(None),
            Attempt.group_id.is_(None),
            Attempt.finished_at < now - timedelta(days=result_days),
        ),
    )
    return stale, expired


def changed(db: Session, statement) -> int:
    """Rows an UPDATE or DELETE changed (its result is a CursorResult, whatever the type says)."""
    return cast(CursorResult, db.execute(statement)).rowcount


def finished_results(db: Session, group_code: str | None = None) -> list[Attempt]:
    query = select(Attempt).where(Attempt.finished_at.is_not(None)).order_by(Attempt.id)
    if group_code is not None:
        query = query.join(Group).where(Group.code == tokens.normalise_code(group_code))
    return list(db.scalars(query))


def finished_answers(db: Session, bank_digest: str, newest: int) -> list[dict]:
    """The answers of the newest finished results on one version of the bank."""
    return list(
        db.scalars(
            select(Attempt.answers)
            .where(Attempt.bank_digest == bank_digest, Attempt.finished_at.is_not(None))
            .order_by(Attempt.finished_at.desc())
            .limit(newest)
        )
    )


def store_bank_version(db: Session, bank) -> None:
    """Save this bank's text once; concurrent saves of the same version are harmless."""
    insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.execute(
        insert(BankVersion)
        .values(digest=bank.digest, version=bank.version, text=bank.text, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["digest"])
    )


def bank_text(db: Session, digest: str) -> str | None:
    return db.scalar(select(BankVersion.text).where(BankVersion.digest == digest))
