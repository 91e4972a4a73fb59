"""gunicorn settings for production: `gunicorn 'quiz:create_app()'` reads this file.

Every value can be changed from the environment; the defaults suit a 2-core machine.
"""

import os

from quiz import serving

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads share one bank and overlap the database's round trips. Two per worker, not four: on two
# cores a request is mostly Python, and four threads taking turns on one GIL doubled the page
# POST's p99 (72-78 ms against 36-41 on SQLite, with a sixth fewer POSTs a second; PostgreSQL the
# same or better with two). A database across a network may want more: GUNICORN_THREADS.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Workers are recycled now and then, so a slow leak can never grow without bound. Not too often:
# a new worker costs about 0.6 s of CPU (imports, questions.yaml), and at 5000 requests a busy
# worker was replaced every few seconds, which cost a tenth of its capacity.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# No app preloading: each worker opens its own database connections after the fork.
preload_app = False

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# No user agent, no query string (%(U)s is the path alone; %(r)s would be the whole request line,
# query included); the logger class redacts private tokens from paths.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = "quiz.serving.RedactingGunicornLogger"
# gunicorn believes X-Forwarded-Proto from 127.0.0.1 by default, so any local client could switch
# on HSTS and the Secure cookie flag. The app's ProxyFix, set by FLASK_PROXY_COUNT, is the one place
# that trusts X-Forwarded-* headers; gunicorn trusts none.
forwarded_allow_ips = ""
secure_scheme_headers = {}
# Each server run gets its own id, so a replacement worker can tell it may fall back to the bank
# the run last served well, and a fresh start with a broken questions.yaml still refuses.
on_starting = serving.begin_run
post_worker_init = serving.worker_ready
on_exit = serving.end_run
# gunicorn 27 opens a control socket at one fixed path per user: a second instance on the same
# host would take it over. Off unless a path is given.
control_socket_disable = "GUNICORN_CONTROL_SOCKET" not in os.environ
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "gunicorn.ctl")
