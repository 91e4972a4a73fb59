"""How precise the scores in a new report are: the bank's priors until enough finished results
on the same version exist, then the alpha and spread of those results.

Worked out at most every few minutes per process, from the newest results only, so finishing a
quiz never waits on a scan of every result ever stored.
"""

from __future__ import annotations

import time

from flask import current_app

from . import db
from . import records
from .stats import precision_from_results

REFRESH_SECONDS = 600
NEWEST_RESULTS = 5000


def current(bank) -> dict:
    """The precision a report finished now should show (see scoring.prior_precision for the shape)."""
    cache = current_app.extensions.setdefault("quiz_precision", {})
    found = cache.get(bank.digest)
    if found is not None and time.monotonic() - found[0] < REFRESH_SECONDS:
        return found[1]
    answer_sets = records.finished_answers(db.session(), bank.digest, NEWEST_RESULTS)
    estimate = precision_from_results(bank, answer_sets)
    cache[bank.digest] = (time.monotonic(), estimate)
    return estimate
