"""Static file URLs carry a hash of the file, so a proxy can let browsers keep them for a year."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import url_for

from quiz import create_app
from quiz.files import STATIC


@pytest.fixture
def app(tmp_path):
    return create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"})


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def test_every_page_links_the_stylesheet_by_a_hash_of_its_content(app):
    client = app.test_client()
    css = (STATIC / "css" / "site.css").read_bytes()
    for url in ["/", "/counselors", "/nowhere"]:
        links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', client.get(url).get_data(as_text=True))
        assert links == [f"/static/css/site.css?v={short_hash(css)}"], url
    with client.get(links[0]) as served:
        assert served.status_code == 200 and served.data == css


def test_the_url_changes_when_the_file_does(app, tmp_path):
    app.static_folder = str(tmp_path)
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    urls = []
    for content in (b"body { color: black }", b"body { color: navy }"):
        sheet.write_bytes(content)
        with app.test_request_context():
            urls.append(url_for("static", filename="css/site.css"))
        assert urls[-1] == f"/static/css/site.css?v={short_hash(content)}"
    assert urls[0] != urls[1]


def test_a_missing_file_keeps_a_plain_url(app):
    with app.test_request_context():
        assert url_for("static", filename="css/none.css") == "/static/css/none.css"
