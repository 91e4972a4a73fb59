"""Getting into a dashboard and not losing it: the way-in page, a week's access on one browser,
the private link shown once with copy and email, a new private link that ends the old one."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.utils import parsedate_to_datetime
from html import unescape

import pytest
from conftest import csrf_token
from test_counselor import create_group
from test_counselor import dashboard_html
from test_counselor import join_and_finish

from quiz import counselor
from quiz import tokens

WAY_IN = "Open your dashboard with your private link"
WEEK = 7 * 24 * 3600


@pytest.fixture
def clock(monkeypatch):
    """The clock dashboard grants are stamped and checked with, moved by hand: clock.now += seconds."""

    class Clock:
        now = 1_800_000_000  # a fixed moment; only the differences matter

    monkeypatch.setattr(counselor, "now", lambda: Clock.now)
    return Clock


def group_with_a_result(app, client, bank):
    """A group with one finished result; (code, private link path, result id)."""
    code, dashboard = create_group(client, name="Harbor Street cohort")
    join_and_finish(app, bank, code, "Quentin")
    result = re.search(rf"/dashboard/{code}/results/(\d+)\"", dashboard_html(client, code)).group(1)
    return code, dashboard, result


SUB_PAGES = ["", "/results.csv", "/results/{result}", "/results/{result}/delete", "/delete", "/new-link", "/leave"]


@pytest.mark.parametrize("sub_page", SUB_PAGES)
def test_without_access_every_dashboard_address_shows_the_way_in_alike_for_any_code(app, client, bank, sub_page):
    code, _, result = group_with_a_result(app, client, bank)
    path = sub_page.format(result=result)
    fresh = app.test_client()
    real = fresh.get(f"/dashboard/{code}{path}")
    made_up = fresh.get(f"/dashboard/ZZZZ-ZZZZ{path}")
    assert real.status_code == made_up.status_code == 403
    body = real.get_data(as_text=True)
    assert body == made_up.get_data(as_text=True)  # nothing tells whether the group exists
    text = unescape(body)
    assert WAY_IN in text and "private dashboard link you were shown when you made the group" in text
    assert "If you have lost it" in text and "make a new group" in text
    assert "could not find" not in text and "mistyped" not in text  # not the 404 page
    for secret in ["Harbor Street cohort", "Quentin", code, f"results/{result}"]:
        assert secret not in text
    assert real.headers["Cache-Control"] == "no-store"


def test_a_browser_with_another_groups_access_gets_the_same_way_in_page(app, client, bank):
    code, _, _ = group_with_a_result(app, client, bank)
    other = app.test_client()
    create_group(other, name="Another counselor's group")
    fresh = app.test_client().get(f"/dashboard/{code}").get_data(as_text=True)
    response = other.get(f"/dashboard/{code}")
    assert response.status_code == 403 and response.get_data(as_text=True) == fresh


def test_a_wrong_private_link_says_so_and_how_to_get_in(client):
    _, dashboard = create_group(client)
    response = client.get(dashboard[:-1])
    text = unescape(response.get_data(as_text=True))
    assert response.status_code == 404
    assert "This private link does not open a dashboard" in text and "If you have lost it" in text


def test_access_lasts_seven_days_from_opening_the_link_then_the_link_opens_it_again(app, clock):
    opener = app.test_client()
    code, dashboard = create_group(opener)
    counselor_browser = app.test_client()
    assert counselor_browser.get(dashboard).status_code == 303
    opened = clock.now

    clock.now = opened + WEEK - 60
    html = dashboard_html(counselor_browser, code)
    ends = datetime.fromtimestamp(opened + WEEK, UTC)
    assert f'<time class="js-local-time" datetime="{ends:%Y-%m-%dT%H:%MZ}">' in html  # the dashboard says until when

    clock.now = opened + WEEK + 1
    for path in ["", "/results.csv", "/delete"]:
        response = counselor_browser.get(f"/dashboard/{code}{path}")
        assert response.status_code == 403 and WAY_IN in unescape(response.get_data(as_text=True)), path

    assert counselor_browser.get(dashboard).status_code == 303  # the link itself always works
    assert counselor_browser.get(f"/dashboard/{code}").status_code == 200
    clock.now += WEEK - 60
    assert counselor_browser.get(f"/dashboard/{code}").status_code == 200  # a fresh week from reopening


def test_the_session_cookie_outlives_the_week_so_closing_the_browser_keeps_access(app):
    browser = app.test_client()
    token = csrf_token(browser.get("/counselors").get_data(as_text=True))
    response = browser.post("/counselors", data={"csrf_token": token, "name": "Week", "note": ""})
    cookie = response.headers["Set-Cookie"]
    expires = re.search(r"Expires=([^;]+)", cookie)
    assert expires, f"the session cookie ends with the browser: {cookie}"
    assert parsedate_to_datetime(expires.group(1)) >= datetime.now(UTC) + timedelta(days=7)


def test_a_client_who_joined_by_the_client_link_gets_no_dashboard(app, client):
    code, _ = create_group(client)
    taker = app.test_client()
    page = taker.get(f"/g/{code}").get_data(as_text=True)
    assert taker.post(f"/g/{code}", data={"csrf_token": csrf_token(page), "client_name": ""}).status_code == 303
    with taker.session_transaction() as session:
        assert "attempt" in session and counselor.GRANTS not in session
    assert taker.get(f"/dashboard/{code}").status_code == 403


def test_a_session_from_before_grants_had_a_time_gets_a_week_from_now(app, client, clock):
    code, _ = create_group(client)
    old = app.test_client()
    with old.session_transaction() as session:  # how sessions held dashboards before this change
        session[counselor.LEGACY_GRANTS] = [client_dashboard_hash(client)]
    assert old.get(f"/dashboard/{code}").status_code == 200
    with old.session_transaction() as session:
        assert counselor.LEGACY_GRANTS not in session and list(session[counselor.GRANTS].values()) == [clock.now]
    clock.now += WEEK + 1
    assert old.get(f"/dashboard/{code}").status_code == 403


def client_dashboard_hash(client) -> str:
    with client.session_transaction() as session:
        [dashboard_hash] = session[counselor.GRANTS]
    return dashboard_hash


def test_the_private_link_is_shown_once_with_copy_email_and_a_warning_unlike_the_client_link(app):
    browser = app.test_client()
    token = csrf_token(browser.get("/counselors").get_data(as_text=True))
    created = browser.post("/counselors", data={"csrf_token": token, "name": "Shown once", "note": ""})
    html = unescape(browser.get(created.headers["Location"]).get_data(as_text=True))
    link = re.search(r"http://localhost/d/[A-Za-z0-9_-]{43}", html).group(0)
    code = created.headers["Location"].rsplit("/", 1)[1]

    secret = re.search(r'<div class="private-link private-link-secret">(.*?)</div>', html, re.S).group(1)
    assert "Never share this link: anyone with it can read every result in the group" in secret
    assert f'id="dashboard-link" href="{link}"' in secret
    assert 'data-copy="dashboard-link" hidden>Copy the link</button>' in secret  # copy.js shows it
    mailto = re.search(r'href="(mailto:[^"]+)"', secret).group(1)
    assert "Email it to myself" in secret and link.replace(":", "%3A") in mailto
    client_box = re.search(r'<div class="private-link">(.*?)</div>', html, re.S).group(1)
    assert f"http://localhost/g/{code}" in client_box and "Never share" not in client_box
    assert 'data-copy="client-link"' in client_box and "mailto:" in client_box
    assert re.search(r'<script src="/static/js/copy\.js\?v=\w+" defer>', html)

    again = dashboard_html(browser, code)
    assert "/d/" not in again and "It was shown once" in again  # a reload no longer shows it
    assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 303


def test_a_new_private_link_ends_the_old_one_and_this_browser_stays_in(app, client, bank):
    code, old_link = create_group(client)
    join_and_finish(app, bank, code, "Rhea")
    elsewhere = app.test_client()  # a browser that opened the old link (a colleague, a lost laptop)
    assert elsewhere.get(old_link).status_code == 303

    confirm = client.get(f"/dashboard/{code}/new-link")
    confirm_html = unescape(confirm.get_data(as_text=True))
    assert confirm.status_code == 200 and "The private link you have now stops working at once" in confirm_html
    assert client.post(f"/dashboard/{code}/new-link").status_code == 400  # no CSRF token: nothing changes
    assert elsewhere.get(f"/dashboard/{code}").status_code == 200

    response = client.post(f"/dashboard/{code}/new-link", data={"csrf_token": csrf_token(confirm_html)})
    assert response.status_code == 303 and response.headers["Location"] == f"/dashboard/{code}"
    html = dashboard_html(client, code)  # this browser keeps working, and sees the new link once
    new_link = re.search(r'id="dashboard-link" href="http://localhost(/d/[A-Za-z0-9_-]{43})"', html).group(1)
    assert new_link != old_link and "Rhea" in html
    assert "/d/" not in dashboard_html(client, code)

    assert client.get(old_link).status_code == 404  # the old link is over ...
    assert elsewhere.get(f"/dashboard/{code}").status_code == 403  # ... and so is what it opened
    third = app.test_client()
    assert third.get(new_link).status_code == 303 and "Rhea" in dashboard_html(third, code)


def test_leaving_ends_access_on_this_browser_only(app, client):
    code, link = create_group(client)
    other = app.test_client()
    other.get(link)
    confirm = unescape(client.get(f"/dashboard/{code}/leave").get_data(as_text=True))
    assert "Check that you have saved that link first" in confirm
    left = client.post(f"/dashboard/{code}/leave", data={"csrf_token": csrf_token(confirm)})
    assert left.status_code == 200 and "You left the dashboard" in unescape(left.get_data(as_text=True))
    assert client.get(f"/dashboard/{code}").status_code == 403
    assert other.get(f"/dashboard/{code}").status_code == 200
    assert client.get(link).status_code == 303 and client.get(f"/dashboard/{code}").status_code == 200


def test_a_browser_keeps_at_most_the_newest_grants(app, clock):
    browser = app.test_client()
    codes = []
    for number in range(counselor.MAX_GRANTS + 1):
        clock.now += 1
        codes.append(create_group(browser, name=f"Group {number}")[0])
    assert browser.get(f"/dashboard/{codes[0]}").status_code == 403  # the oldest made room
    assert all(browser.get(f"/dashboard/{code}").status_code == 200 for code in codes[1:])


def test_tokens_in_the_session_are_hashes_and_the_new_link_is_gone_once_shown(app, client):
    code, link = create_group(client)
    with client.session_transaction() as session:
        assert list(session[counselor.GRANTS]) == [tokens.token_hash(link.rsplit("/", 1)[1])]
        assert code not in session.get(counselor.NEW_LINKS, {})
