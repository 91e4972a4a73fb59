"""The live question bank: re-read when questions.yaml changes, old versions kept for attempts.

A running server checks the file's modification time and size at most every few seconds (one
stat, no read); a changed file is loaded and validated, and a broken one is logged with its
problems while the last good bank keeps serving. An attempt finishes on the version it started
with: every version an attempt starts on is saved in the database, so any instance can load it.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from . import records
from .bank import Bank
from .bank import BankError
from .bank import load_bank
from .bank import read_bank
from .forms import page_forms

log = logging.getLogger(__name__)


class BankSource:
    def __init__(self, path: str | Path, check_seconds: float = 2.0):
        self.path = Path(path)
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._versions: dict[str, Bank] = {}
        self._forms: dict[str, list] = {}
        self._current = self._remember(load_bank(self.path))  # BankError stops the app starting
        self._stamp = self._file_stamp()
        self._checked = time.monotonic()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _remember(self, bank: Bank) -> Bank:
        self._versions.setdefault(bank.digest, bank)
        self._forms.setdefault(bank.digest, page_forms(bank))
        return self._versions[bank.digest]

    def current(self) -> Bank:
        """The newest good bank; looks at the file at most every `check_seconds`."""
        if time.monotonic() - self._checked >= self.check_seconds:
            with self._lock:
                if time.monotonic() - self._checked >= self.check_seconds:
                    self._reload_if_changed()
                    self._checked = time.monotonic()
        return self._current

    def _reload_if_changed(self) -> None:
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            bank = load_bank(self.path)
        except BankError as error:
            log.error("%s changed but cannot be used; still serving version %s.\n%s",
                      self.path.name, self._current.version, "\n".join(error.problems))
            return
        if bank.digest != self._current.digest:
            self._current = self._remember(bank)
            log.info("loaded %s version %s (%s)", self.path.name, bank.version, bank.digest[:12])

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
