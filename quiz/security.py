"""Security headers on every response."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import request
from flask.sessions import SecureCookieSessionInterface

# No inline script or style anywhere, so the policy can forbid both.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


SECURITY_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # same-origin, not no-referrer: Flask-WTF checks the referrer on HTTPS posts.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
]


def set_headers(response):
    # One extend, not a lookup per header: no view sets any of these itself.
    response.headers.extend(SECURITY_HEADERS)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def refuse_odd_bodies():
    """Every form here is a plain HTML form: refuse JSON, uploads and unnamed parts up front.

    Flask-WTF would otherwise read a JSON body or an uploaded file as form fields, and a
    multipart part without a name trips its CSRF check; each of those was a 500.
    """
    if request.method != "POST":
        return None
    if request.content_length is None:  # chunked, or no body at all
        _take_unsized_body()
    if not request.content_length:
        return None
    if request.mimetype not in FORM_TYPES:
        abort(415)
    if request.files or any(not isinstance(key, str) for key in request.form):
        abort(400)
    return None


def _take_unsized_body() -> None:
    """Read a body without a Content-Length (chunked) and give it the length it turned out to have.

    Every check above and every parser after then treats it as a sized body. Left alone, the form
    parser would read a chunked body only up to MAX_CONTENT_LENGTH and silently drop the rest.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    body = request.get_data(cache=True)  # stops at the limit: the stream is bounded by it
    if limit is not None and len(body) >= limit:
        abort(413)
    request.environ["CONTENT_LENGTH"] = str(len(body))
    request.environ.pop("HTTP_TRANSFER_ENCODING", None)  # else the length is ignored
    request.__dict__.pop("content_length", None)  # a cached property, read as None above


# Our longest URL is under 200 characters. gunicorn answers request lines over 4094 bytes itself,
# without these headers; below that, the app answers first, with them.
MAX_URL_LENGTH = 2048


def refuse_long_urls():
    if len(request.path) + len(request.query_string) > MAX_URL_LENGTH:
        abort(414)
    return None


def trusted_hosts(value) -> list[str] | None:
    """TRUSTED_HOSTS as Flask wants it: FLASK_TRUSTED_HOSTS may be a JSON list or "a.example,b.example".

    Without it, whatever Host header a request carries is written into the resume, report and
    dashboard links the app shows.
    """
    if isinstance(value, str):
        return [host.strip() for host in value.split(",") if host.strip()]
    return value


def init_app(app) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config.get("TRUSTED_HOSTS"))
    # Before CSRFProtect's own check, which reads the form: call this before csrf.init_app.
    app.before_request(refuse_long_urls)
    app.before_request(refuse_odd_bodies)
    app.after_request(set_headers)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the cookie marked Secure whenever the request came over
    HTTPS (not only by config), and one serializer per key instead of a new one per request."""

    _keys = None

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._keys:
            self._serializer, self._keys = super().get_signing_serializer(app), keys
        return self._serializer
