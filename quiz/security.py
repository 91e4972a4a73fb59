"""Security headers on every response."""
from __future__ import annotations

from flask import abort
from flask import request
from flask.sessions import SecureCookieSessionInterface

# No inline script or style anywhere, so the policy can forbid both.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


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
    if request.method != "POST" or not request.content_length:
        return None
    if request.mimetype not in FORM_TYPES:
        abort(415)
    if request.files or any(not isinstance(key, str) for key in request.form):
        abort(400)
    return None


def init_app(app) -> None:
    # Before CSRFProtect's own check, which reads the form: call this before csrf.init_app.
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
