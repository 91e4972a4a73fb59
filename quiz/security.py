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


def set_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: Flask-WTF checks the referrer on HTTPS posts.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
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
    """Mark the session cookie Secure whenever the request came over HTTPS, not only by config."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure
