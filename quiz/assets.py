"""Static file URLs that change when the file does: url_for("static") adds ?v=<hash of the file>.

A proxy can then let browsers keep static files for a year (deploy/nginx/pcc-quiz.conf), and an
edited stylesheet still reaches everyone at once, under its new URL. Done here, so every template
gets it without asking.
"""

from __future__ import annotations

import hashlib
import os

from flask import current_app

# path -> ((mtime, size), version): a file is hashed again only when it changes.
_versions: dict[str, tuple[tuple[int, int], str]] = {}


def file_version(path: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None for a missing file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _versions.get(path)
    if known is None or known[0] != stamp:
        with open(path, "rb") as file:
            known = _versions[path] = (stamp, hashlib.sha256(file.read()).hexdigest()[:12])
    return known[1]


def add_version(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    if version := file_version(os.path.join(current_app.static_folder or "", values["filename"])):
        values["v"] = version


def init_app(app) -> None:
    app.url_defaults(add_version)
