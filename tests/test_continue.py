"""Continuing a quiz later in the same browser: the cookie that remembers the attempt lasts as
long as the server keeps unfinished attempts, unless the person says the computer is shared."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

import pytest
from conftest import csrf_token
from conftest import page_answers
from conftest import post_page

from quiz import views

SHARED = {"shared_computer": "yes"}
# The cookie's expiry is worked out while the response is made; the test reads the clock after.
SLACK = timedelta(minutes=2)


def session_cookie(response):
    """The `session` morsel of a response's Set-Cookie, or None when it sets none."""
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        if "session" in cookie:
            return cookie["session"]
    return None


def post_with(client, step: int, answers: dict, extra: dict, **kwargs):
    """post_page, with fields that are not questions (the shared-computer box) sent too."""
    html = client.get(f"/quiz/{step}", **kwargs).get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "action": "next", **extra}
    data |= {f"q_{qid}": value for qid, value in answers.items()}
    return client.post(f"/quiz/{step}", data=data, **kwargs)


def expires_in(morsel) -> timedelta:
    return parsedate_to_datetime(morsel["expires"]) - datetime.now(UTC)


@pytest.mark.parametrize("days", [None, 7])
def test_a_saved_page_keeps_the_cookie_as_long_as_unfinished_attempts_are_kept(make_app, bank, days):
    app = make_app() if days is None else make_app(RETENTION_UNFINISHED_DAYS=days)
    retention = timedelta(days=app.config["RETENTION_UNFINISHED_DAYS"])
    assert retention == timedelta(days=days or 30)
    cookie = session_cookie(post_page(app.test_client(), 1, page_answers(bank, 1)))
    assert cookie is not None and cookie["expires"], "a saved page must set a cookie that outlives the browser"
    assert retention - SLACK < expires_in(cookie) <= retention
    # What quiz/security.py and the config ask of the session cookie still holds.
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"


def test_a_save_renews_the_cookie_once_a_day_as_the_purge_counts_from_the_last_save(client, bank, monkeypatch):
    post_page(client, 1, page_answers(bank, 1))
    assert session_cookie(client.get("/quiz/2")) is None, "a page only looked at need not set the cookie again"
    assert session_cookie(post_page(client, 2, page_answers(bank, 2))) is None, "renewed today already"
    tomorrow = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
    monkeypatch.setattr(views, "utcnow", lambda: tomorrow)
    cookie = session_cookie(post_page(client, 2, page_answers(bank, 2)))
    assert cookie is not None and cookie["expires"], "a save on a new day must push the expiry back"
    assert session_cookie(post_page(client, 2, page_answers(bank, 2))) is None


def test_the_remembering_cookie_is_secure_over_https(client, bank):
    # Flask-WTF wants a same-origin Referer on an HTTPS post, as a browser sends it.
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/quiz/1"}}
    cookie = session_cookie(post_with(client, 1, page_answers(bank, 1), {}, **https))
    assert cookie["secure"] and cookie["httponly"] and cookie["expires"]


def test_a_shared_computer_keeps_the_cookie_to_the_browser_session(client, bank):
    response = post_with(client, 1, page_answers(bank, 1), SHARED)
    assert response.status_code == 303
    cookie = session_cookie(response)
    assert cookie is not None, "starting the attempt sets the cookie"
    assert not cookie["expires"] and not cookie["max-age"], "a shared computer must forget on closing the browser"
    # The choice shows, ticked, on the next page (inside "Continue later"), and stays.
    page_2 = client.get("/quiz/2").get_data(as_text=True)
    assert 'name="shared_computer" value="yes" checked' in page_2
    # Nothing changed, so no cookie is sent: the browser keeps the one that ends with it.
    assert session_cookie(post_with(client, 2, page_answers(bank, 2), SHARED)) is None


def test_unticking_shared_computer_remembers_the_attempt_again(client, bank):
    post_with(client, 1, page_answers(bank, 1), SHARED)
    cookie = session_cookie(post_with(client, 2, page_answers(bank, 2), {}))
    assert cookie["expires"]
    assert 'value="yes" checked' not in client.get("/quiz/3").get_data(as_text=True)


def test_ticking_shared_computer_later_keeps_the_cookie_to_the_browser_session_from_then_on(client, bank):
    assert session_cookie(post_page(client, 1, page_answers(bank, 1)))["expires"]
    cookie = session_cookie(post_with(client, 2, page_answers(bank, 2), SHARED))
    assert cookie is not None and not cookie["expires"] and not cookie["max-age"]
    with client.session_transaction() as session:
        assert "renewed" not in session and not session.permanent


def test_the_shared_computer_box_is_in_view_on_the_first_page_and_folded_after_it(client, bank):
    assert 'name="shared_computer" value="yes">' in client.get("/quiz/1").get_data(as_text=True)  # unticked
    post_page(client, 1, page_answers(bank, 1))
    first, second = (client.get(f"/quiz/{step}").get_data(as_text=True) for step in (1, 2))
    where = {name: first.index(marker) for name, marker in MARKS.items()}
    assert where["box"] < where["details"] < where["buttons"], where
    where = {name: second.index(marker) for name, marker in MARKS.items()}
    assert where["details"] < where["box"] < where["end"] < where["buttons"], where


MARKS = {
    "box": 'name="shared_computer"',
    "details": '<details class="resume-box"',
    "end": "</details>",
    "buttons": 'name="action" value="next"',
}


def test_the_resume_link_remembers_the_attempt_in_the_new_browser(app, client, bank):
    post_page(client, 1, page_answers(bank, 1))
    html = client.get("/quiz/2").get_data(as_text=True)
    link = html.split('id="resume-link" href="http://localhost', 1)[1].split('"', 1)[0]
    response = app.test_client().get(link)
    assert response.status_code == 303 and response.headers["Location"].endswith("/quiz/2")
    assert session_cookie(response)["expires"]


def continue_link(client) -> tuple[str, str]:
    """The landing page's main button: (its text, where it leads)."""
    html = client.get("/").get_data(as_text=True)
    actions = html.split('<div class="actions">', 1)[1].split("</div>", 1)[0]
    href, text = re.search(r'<a class="button" href="([^"]+)">([^<]+)</a>', actions).groups()
    return text, href


def test_landing_continue_leads_to_the_first_unfinished_page(client, bank):
    assert continue_link(client) == ("Start the quiz", "/quiz/1")
    post_page(client, 1, page_answers(bank, 1))
    assert continue_link(client) == ("Continue the quiz", "/quiz/2")
    post_page(client, 2, page_answers(bank, 2))
    assert continue_link(client) == ("Continue the quiz", "/quiz/3")
    # Back to page 1 to change an answer: Continue still leads on to the first page left to do.
    post_page(client, 1, page_answers(bank, 1), action="back")
    assert continue_link(client) == ("Continue the quiz", "/quiz/3")


def test_landing_continue_leads_to_a_page_left_half_done(client, bank):
    page_1 = page_answers(bank, 1)
    required = next(qid for qid in page_1 if getattr(bank.questions[qid], "required", True))
    post_page(client, 1, {qid: value for qid, value in page_1.items() if qid != required})
    post_page(client, 2, page_answers(bank, 2))
    assert continue_link(client) == ("Continue the quiz", "/quiz/1")


def test_landing_continue_after_every_page_leads_to_the_last_and_then_to_the_report(client, bank):
    steps = len(bank.pages)
    for step in range(1, steps):
        post_page(client, step, page_answers(bank, step))
    post_page(client, steps, page_answers(bank, steps), action="back")  # all answered, not sent
    assert continue_link(client) == ("Continue the quiz", f"/quiz/{steps}")
    post_page(client, steps, page_answers(bank, steps))
    assert continue_link(client) == ("See my report", "/report")


def test_landing_says_what_the_cookie_keeps_and_how_to_have_it_forgotten(client):
    html = client.get("/").get_data(as_text=True)
    assert "One cookie lets this browser pick your quiz up again" in html
    assert "tick the box on the first page" in html
    assert "This is a shared or public computer" in client.get("/quiz/1").get_data(as_text=True)
