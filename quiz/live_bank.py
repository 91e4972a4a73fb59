"""The live question bank: re-read when questions.yaml changes, old versions kept for attempts.

A running server checks the file's modification time and size at most every few seconds (one
stat, no read); a changed file is loaded and validated by one background thread while requests
go on with the current bank, and a broken one is logged with its problems while the last good
bank keeps serving. An attempt finishes on the version it started with: every version an attempt
starts on is saved in the database, so any instance can load it.

Under gunicorn, a worker that starts while questions.yaml is broken (one replacing a killed or
recycled worker, after a broken edit) serves the bank this server run last loaded well, kept in
the instance folder: a worker that refused to start would make gunicorn stop the whole server.
A fresh start with a broken file still refuses, as there is no good bank of this run to serve.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path

from . import records
from .bank import Bank
from .bank import BankError
from .bank import load_bank
from .bank import read_bank
from .bank import shown_path
from .forms import page_forms

log = logging.getLogger(__name__)

# Set by gunicorn's master when it starts (gunicorn.conf.py), inherited by every worker it forks.
RUN_VARIABLE = "QUIZ_SERVER_RUN"


def begin_run() -> None:
    os.environ[RUN_VARIABLE] = secrets.token_hex(8)


def last_good_path(instance: Path) -> Path | None:
    """Where this server run keeps the last bank it loaded well; None outside a gunicorn run."""
    run = os.environ.get(RUN_VARIABLE)
    return instance / f"last-good-questions-{run}.yaml" if run else None


EXTENSION = "quiz_banks"  # where create_app keeps an app's live bank


def of(app) -> LiveBank:
    """The live bank of `app`."""
    return app.extensions[EXTENSION]


class LiveBank:
    def __init__(self, path: str | Path, check_seconds: float = 2.0, last_good: Path | None = None):
        self.path = Path(path)
        self.check_seconds = check_seconds
        self.last_good = last_good
        self._lock = threading.Lock()
        self._reloading: threading.Thread | None = None
        self._versions: dict[str, Bank] = {}
        self._forms: dict[str, list] = {}
        self._stamp = self._file_stamp()  # before reading: an edit made during the read is seen next time
        self._current = self._remember(self._first_bank())  # BankError stops the app starting
        self._checked = time.monotonic()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _first_bank(self) -> Bank:
        try:
            bank = load_bank(self.path)
        except BankError as error:
            last_good = self._last_good_bank()
            if last_good is None:
                raise
            bank = last_good
            log.error(
                "%s cannot be used, so this worker serves version %s (%s), the last good one this "
                "server run loaded, kept in %s.\n%s",
                self.path.name,
                bank.version,
                bank.digest[:12],
                shown_path(str(self.last_good)),
                "\n".join(error.problems),
            )
            return bank
        self._keep(bank)
        return bank

    def _last_good_bank(self) -> Bank | None:
        if self.last_good is None:
            return None
        try:
            return read_bank(self.last_good.read_text(encoding="utf-8"), shown_path(self.last_good))
        except (OSError, UnicodeDecodeError, BankError):
            return None

    def _keep(self, bank: Bank) -> None:
        """Write the bank's text to the last-good copy, atomically: a worker starting meanwhile
        reads the old copy or the new one, never half of one."""
        if self.last_good is None:
            return
        partial = self.last_good.with_name(f".{self.last_good.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            self.last_good.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(bank.text, encoding="utf-8")
            os.replace(partial, self.last_good)
        except OSError as error:
            log.warning(
                "cannot keep a last good copy of %s in %s (%s): a worker that starts while the "
                "file is broken will refuse to",
                self.path.name,
                self.last_good.parent,
                error.strerror,
            )

    def _remember(self, bank: Bank) -> Bank:
        self._versions.setdefault(bank.digest, bank)
        self._forms.setdefault(bank.digest, page_forms(bank))
        return self._versions[bank.digest]

    def current(self) -> Bank:
        """The newest good bank; looks at the file at most every `check_seconds`, and never waits
        for it to be read: a changed file is loaded by a thread of its own."""
        if time.monotonic() - self._checked >= self.check_seconds:
            with self._lock:
                if time.monotonic() - self._checked >= self.check_seconds:
                    self._start_reload_if_changed()
                    self._checked = time.monotonic()
        return self._current

    def _start_reload_if_changed(self) -> None:
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp or self._reloading is not None:
            return  # a reload under way notices a later change on the next check after it
        self._stamp = stamp
        self._reloading = threading.Thread(target=self._reload, name="questions.yaml reload", daemon=True)
        self._reloading.start()

    def _reload(self) -> None:
        try:
            self._load_changed()
        except Exception:  # noqa: BLE001 - a reload must never take the server down
            log.exception(
                "%s changed but could not be loaded; still serving version %s", self.path.name, self._current.version
            )
        finally:
            with self._lock:
                self._reloading = None  # the last step: wait_for_reload relies on it

    def _load_changed(self) -> None:
        try:
            bank = load_bank(self.path)
        except BankError as error:
            log.error(
                "%s changed but cannot be used; still serving version %s.\n%s",
                self.path.name,
                self._current.version,
                "\n".join(error.problems),
            )
            return
        forms = page_forms(bank)
        if bank.digest != self._current.digest:
            with self._lock:
                self._forms.setdefault(bank.digest, forms)
                self._current = self._remember(bank)
            log.info("loaded %s version %s (%s)", self.path.name, bank.version, bank.digest[:12])
        self._keep(bank)

    def wait_for_reload(self, timeout: float | None = None) -> None:
        """Wait until a reload under way has finished (tests; nothing else needs to)."""
        reloading = self._reloading
        if reloading is not None:
            reloading.join(timeout)

    def version(self, digest: str, db) -> Bank | None:
        """A bank by its digest: from memory, else from the versions saved in the database."""
        if digest in self._versions:
            return self._versions[digest]
        text = records.bank_text(db, digest)
        if text is None:
            return None
        try:
            bank = read_bank(text)
        except BankError:
            log.exception("stored question bank %s no longer validates", digest[:12])
            return None
        with self._lock:
            return self._remember(bank)

    def forms(self, bank: Bank) -> list:
        return self._forms[bank.digest]
