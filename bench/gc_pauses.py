"""How long a full garbage collection stops a worker, with and without gc.freeze().

`.venv/bin/python -m bench.gc_pauses` builds the app on a fresh SQLite file, saves a quiz page
a few hundred times in one thread (so the worker holds what it holds in service), and times a
full collection, which stops every thread of the worker while it runs: first as the app is,
then with everything loaded frozen, as gunicorn.conf.py's post_worker_init does (quiz/serving.py).
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time

from bench.client import csrf_token
from bench.client import quiz_form
from bench.run import answers_for
from quiz import create_app
from quiz.bank import DEFAULT_PATH
from quiz.bank import load_bank

WARM_UP_POSTS = 300
TIMINGS = 5


def full_collection_ms() -> float:
    """The median time of a full collection, in ms."""
    times = []
    for _ in range(TIMINGS):
        started = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    folder = tempfile.mkdtemp()
    app = create_app({"SECRET_KEY": "gc", "DATABASE_URL": f"sqlite:///{folder}/quiz.db", "RATELIMIT_ENABLED": False})
    bank = load_bank(DEFAULT_PATH)
    client = app.test_client()
    token = csrf_token(client.get("/quiz/1").get_data(as_text=True))
    client.post("/quiz/1", data=quiz_form(token, answers_for(bank, 1, 0)))  # the attempt exists now
    for person in range(WARM_UP_POSTS):
        response = client.post("/quiz/2", data=quiz_form(token, answers_for(bank, 2, person)))
        assert response.status_code == 303, response.status_code
    tracked = len(gc.get_objects())
    before = full_collection_ms()
    gc.freeze()
    after = full_collection_ms()
    print(f"objects the collector tracks: {tracked}; frozen: {gc.get_freeze_count()}")
    print(f"a full collection: {before:.1f} ms as the app is, {after:.2f} ms frozen")


if __name__ == "__main__":
    main()
