"""Patient Care Coordinator career-fit quiz: the application factory."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import click

from .bank import DEFAULT_PATH
from .bank import BankError


class BrokenBank(click.ClickException):
    """questions.yaml has problems: `flask run` prints them as an error, not a traceback."""


def instance_path() -> str:
    """The instance folder (database, secret key, a server run's last good questions.yaml).

    From the environment, as the config's defaults are made from it. Flask's own choice is
    instance/ beside a checkout and <prefix>/var/quiz-instance for an installed package, i.e.
    inside its virtual environment, which is no place for a database.
    """
    from flask import Flask

    instance = os.environ.get("FLASK_INSTANCE_PATH")
    return os.path.abspath(instance) if instance else Flask(__name__).instance_path


def create_app(test_config=None):
    # Imported here, so that `import quiz.scoring` (or the simulator, or `check`) loads no Flask.
    from flask import Flask
    from flask_wtf import CSRFProtect
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import assets
    from . import cli
    from . import counselor
    from . import db
    from . import errors
    from . import files
    from . import forms
    from . import limits
    from . import live_bank
    from . import security
    from . import views
    from .live_bank import LiveBank
    from .live_bank import last_good_path
    from .redact import RedactTokens

    app = Flask(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=files.TEMPLATES,
        static_folder=files.STATIC,
    )
    app.config.from_mapping(
        QUESTIONS_PATH=str(DEFAULT_PATH),
        # The usual name on hosting platforms; FLASK_DATABASE_URL works too.
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'quiz.db'}",
        RETENTION_UNFINISHED_DAYS=30,
        RETENTION_RESULT_DAYS=365,
        # Shared across instances when set to redis://...; per process otherwise.
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory+swept://"),
        # Generous per address: a class behind one school router shares it.
        LIMIT_ANSWERS="120 per minute",
        LIMIT_GROUPS="20 per hour",
        LIMIT_JOINS="60 per minute",
        LIMIT_TOKENS="60 per minute",
        LIMIT_CODES="60 per minute",
        # How many proxies in front set X-Forwarded-For/-Proto/-Host (0: none, trust nothing).
        PROXY_COUNT=0,
        # How often a running server looks for an edited questions.yaml.
        BANK_CHECK_SECONDS=2.0,
        # A token that expires mid-quiz loses answers and is a WCAG 2.2.1 time limit.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A quiz's cookie is set again when a page is saved (views.remember_attempt), not on every
        # response: its expiry then follows the last save, as the purge does, and no static file
        # or cacheable page carries a Set-Cookie.
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=16 * 1024,
        MAX_FORM_PARTS=200,
    )
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    # The browser remembers an attempt as long as the server keeps it unfinished, never longer.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=int(app.config["RETENTION_UNFINISHED_DAYS"]))
    if not app.config.get("SECRET_KEY"):
        if not app.config["DATABASE_URL"].startswith("sqlite"):
            # Several hosts share the database, so they must share the key too.
            raise click.ClickException("set FLASK_SECRET_KEY: it is required when DATABASE_URL is not SQLite")
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))

    try:
        app.extensions[live_bank.EXTENSION] = LiveBank(
            app.config["QUESTIONS_PATH"], app.config["BANK_CHECK_SECONDS"], last_good_path(Path(app.instance_path))
        )
    except BankError as error:
        raise BrokenBank(f"the quiz cannot start. {error}") from None

    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    app.session_interface = security.SessionInterface()
    app.logger.addFilter(RedactTokens())
    db.init_app(app)
    limits.init_app(app)
    security.init_app(app)
    CSRFProtect(app)
    errors.init_app(app)
    assets.init_app(app)
    # A block tag's own line leaves no blank line behind: a report's HTML is a tenth smaller.
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["question_html"] = views.question_html
    app.jinja_env.globals["field_name"] = forms.field_name
    app.register_blueprint(views.bp)
    app.register_blueprint(counselor.bp)
    cli.init_app(app)
    return app


def instance_secret_key(instance: Path) -> str:
    """One key for every worker on this host: created once, atomically, in the instance folder."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker won the race; wait for it to finish writing.
        for _ in range(50):
            if key := path.read_text().strip():
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it and start again") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as file:
        file.write(key)
    return key
