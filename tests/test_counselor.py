"""Counselor groups, client links and dashboards, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from conftest import csrf_token
from conftest import page_answers
from conftest import post_page
from sqlalchemy import select

from quiz import db
from quiz.models import Attempt
from quiz.models import Group
from quiz.scoring import build_report


def create_group(client, name="Spring cohort, Northside Adult Ed", note="We meet on Friday to talk it through."):
    """Create a group as a counselor; return (client code, private dashboard path)."""
    token = csrf_token(client.get("/counselors").get_data(as_text=True))
    response = client.post("/counselors", data={"csrf_token": token, "name": name, "note": note})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    code = re.search(r"http://localhost/g/([A-Z0-9]{4}-[A-Z0-9]{4})", html).group(1)
    dashboard = re.search(r"http://localhost(/d/[A-Za-z0-9_-]{43})", html).group(1)
    return code, dashboard


def join_and_finish(app, bank, code, name="", answers_for=page_answers):
    """A client arriving by the client link and finishing the quiz; returns (client, answers)."""
    client = app.test_client()
    page = client.get(f"/g/{code}").get_data(as_text=True)
    response = client.post(f"/g/{code}", data={"csrf_token": csrf_token(page), "client_name": name})
    assert response.status_code == 303 and response.headers["Location"] == "/quiz/1"
    answers = {}
    for step in range(1, len(bank.pages) + 1):
        page_answers_ = answers_for(bank, step)
        assert post_page(client, step, page_answers_).status_code == 303
        answers.update(page_answers_)
    return client, answers


def varied_answers(bank, step):
    """A different but valid answer pattern: neutral agree-scale answers, the first option elsewhere."""
    out = {}
    for qid in bank.pages[step - 1].questions:
        q = bank.questions[qid]
        out[qid] = (
            "3"
            if getattr(q, "kind", None) in ("likert", "attention")
            else ([q.options[0].key] if getattr(q, "multiple", False) else q.options[0].key)
        )
    return out


def dashboard_html(client, code):
    response = client.get(f"/dashboard/{code}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_creating_a_group_gives_a_client_link_and_a_private_dashboard_link(app, client):
    code, dashboard = create_group(client)
    with app.app_context():
        group = db.session().scalar(select(Group))
    assert group.code == code and group.name == "Spring cohort, Northside Adult Ed"
    assert dashboard.rsplit("/", 1)[1] not in group.dashboard_hash


def test_dashboard_link_is_exchanged_for_a_session_and_dropped_from_the_url(app, client):
    code, dashboard = create_group(client)
    other = app.test_client()
    assert other.get(f"/dashboard/{code}").status_code == 403  # no link, no dashboard
    response = other.get(dashboard)
    assert response.status_code == 303 and response.headers["Location"] == f"/dashboard/{code}"
    assert response.headers["Cache-Control"] == "no-store"
    html = dashboard_html(other, code)
    assert "Spring cohort, Northside Adult Ed" in html
    assert "/d/" not in html  # the private link is shown only in the session that created the group


def test_wrong_or_truncated_dashboard_token_gets_404(client):
    _, dashboard = create_group(client)
    token = dashboard.rsplit("/", 1)[1]
    for bad in [token[:-1], token[:16], token + "A", ("Z" if token[0] != "Z" else "Y") + token[1:]]:
        assert client.get(f"/d/{bad}").status_code == 404, bad


def test_client_link_shows_group_and_says_the_counselor_sees_results(app, client):
    code, _ = create_group(client)
    html = unescape(app.test_client().get(f"/g/{code.lower().replace('-', '')}").get_data(as_text=True))
    assert "<h1>Spring cohort, Northside Adult Ed</h1>" in html
    assert "We meet on Friday to talk it through." in html
    assert "Your counselor will see your results" in html
    assert "Your name or initials for your counselor (optional)" in html


def test_three_clients_show_up_on_the_dashboard_with_their_reports(app, client, bank):
    code, _ = create_group(client)
    finished = [join_and_finish(app, bank, code, name) for name in ["A.B.", "", "Casey"]]
    one_started = app.test_client()
    page = one_started.get(f"/g/{code}").get_data(as_text=True)
    one_started.post(f"/g/{code}", data={"csrf_token": csrf_token(page), "client_name": "D"})
    post_page(one_started, 1, page_answers(bank, 1))

    html = dashboard_html(client, code)
    assert "<strong>3</strong> finished results" in html and "<strong>1</strong> started but not finished" in html
    expected = build_report(bank, finished[0][1])
    for name in ["A.B.", "Anonymous", "Casey"]:
        assert f'<th scope="row">{name}</th>' in html
    assert html.count(f'<td class="band">{expected["band"]["label"]}</td>') == 3
    assert 'id="bands-desc">' in html and f"{expected['band']['label']}: 3" in html
    links = re.findall(rf'href="(/dashboard/{code}/results/\d+)"', html)
    assert len(links) == 3
    report = unescape(client.get(links[0]).get_data(as_text=True))
    # Written about the client, for the counselor: "Casey’s profile", not "Your report".
    assert re.search(r"<h1>(A\.B\.|This client|Casey)’s profile</h1>", report), report[:2000]
    assert f"{expected['band']['label']}: skills score {expected['skills']['score']}" in report
    assert "Back to the dashboard" in report and "Delete my results" not in report and "Your " not in report


def test_dashboard_report_of_another_group_is_404(app, client, bank):
    code_a, _ = create_group(client, name="A")
    code_b, _ = create_group(client, name="B")
    join_and_finish(app, bank, code_a)
    link = re.search(rf'href="/dashboard/{code_a}/results/(\d+)"', dashboard_html(client, code_a)).group(1)
    assert client.get(f"/dashboard/{code_b}/results/{link}").status_code == 404


def test_closed_group_refuses_new_clients_with_a_clear_page_and_can_reopen(app, client, bank):
    code, _ = create_group(client)
    token = csrf_token(dashboard_html(client, code))
    client.post(f"/dashboard/{code}/status", data={"csrf_token": token})
    newcomer = app.test_client()
    response = newcomer.get(f"/g/{code}")
    assert response.status_code == 403
    assert "This group is closed to new clients" in response.get_data(as_text=True)
    assert newcomer.post(f"/g/{code}", data={"client_name": "x"}).status_code in (400, 403)
    with app.app_context():
        assert db.session().scalar(select(Attempt)) is None
    client.post(f"/dashboard/{code}/status", data={"csrf_token": token})
    assert newcomer.get(f"/g/{code}").status_code == 200


def test_client_deleting_their_result_removes_it_from_dashboard_and_csv(app, client, bank):
    code, _ = create_group(client)
    leaver, _ = join_and_finish(app, bank, code, "Leaver")
    join_and_finish(app, bank, code, "Stayer")
    report_url = leaver.get("/report").headers["Location"]
    confirm = leaver.get(f"{report_url}/delete").get_data(as_text=True)
    assert "Your counselor will no longer see them" in confirm
    leaver.post(f"{report_url}/delete", data={"csrf_token": csrf_token(confirm)})
    html = dashboard_html(client, code)
    assert "Leaver" not in html and '<th scope="row">Stayer</th>' in html
    exported = client.get(f"/dashboard/{code}/results.csv").get_data(as_text=True)
    assert "Leaver" not in exported and "Stayer" in exported


def test_counselor_deletes_one_result_after_confirming(app, client, bank):
    code, _ = create_group(client)
    join_and_finish(app, bank, code, "Gone")
    link = re.search(rf'href="(/dashboard/{code}/results/\d+/delete)"', dashboard_html(client, code)).group(1)
    confirm = client.get(link).get_data(as_text=True)
    assert re.search(r"Delete the result of Gone, finished \d{4}-\d\d-\d\d\?", unescape(confirm))
    assert client.post(link, data={"csrf_token": csrf_token(confirm)}).status_code == 303
    with app.app_context():
        assert db.session().scalar(select(Attempt)) is None


def test_deleting_the_group_deletes_its_results_and_links(app, client, bank):
    code, dashboard = create_group(client)
    join_and_finish(app, bank, code)
    confirm = client.get(f"/dashboard/{code}/delete").get_data(as_text=True)
    response = client.post(f"/dashboard/{code}/delete", data={"csrf_token": csrf_token(confirm)})
    assert "was deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Attempt)) is None and db.session().scalar(select(Group)) is None
    assert client.get(f"/dashboard/{code}").status_code == 403
    assert client.get(dashboard).status_code == 404
    assert client.get(f"/g/{code}").status_code == 404


def test_group_name_and_client_name_are_escaped(app, client, bank):
    code, _ = create_group(client, name="<script>alert(1)</script>", note="<b>hi</b>")
    join_and_finish(app, bank, code, "<img src=x onerror=alert(1)>")
    html = client.get(f"/dashboard/{code}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>hi</b>" not in html


def test_group_form_errors_keep_what_was_typed(client):
    token = csrf_token(client.get("/counselors").get_data(as_text=True))
    response = client.post("/counselors", data={"csrf_token": token, "name": "", "note": "Keep this note"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the group a name your clients will recognise." in html and "Keep this note" in html


def test_a_stale_dashboard_session_never_opens_a_group_made_after_its_own_was_deleted(app, client, bank, database_url):
    # Browser 2 opens the dashboard link of the newest group, X.
    code_x, dashboard_x = create_group(client, name="Group X")
    second = app.test_client()
    assert second.get(dashboard_x).status_code == 303
    assert second.get(f"/dashboard/{code_x}").status_code == 200
    with app.app_context():
        id_x = db.session().scalar(select(Group.id).where(Group.code == code_x))

    # Browser 1 deletes X and makes Y; a client finishes in Y.
    confirm = client.get(f"/dashboard/{code_x}/delete").get_data(as_text=True)
    assert client.post(f"/dashboard/{code_x}/delete", data={"csrf_token": csrf_token(confirm)}).status_code == 200
    code_y, _ = create_group(client, name="Group Y")
    join_and_finish(app, bank, code_y, "Yolanda")
    with app.app_context():
        id_y = db.session().scalar(select(Group.id).where(Group.code == code_y))
    if database_url.startswith("sqlite"):
        assert id_y == id_x  # SQLite hands the deleted group's id on: the case this is about

    # Browser 2 still holds what it was given for X, which must not open Y.
    for path in [f"/dashboard/{code_y}", f"/dashboard/{code_y}/results.csv", f"/dashboard/{code_y}/delete"]:
        response = second.get(path)
        assert response.status_code == 403, path
        assert "Yolanda" not in response.get_data(as_text=True) and "Group Y" not in response.get_data(as_text=True)
    assert "Yolanda" in dashboard_html(client, code_y)  # Y's own counselor still sees it


def test_a_deleted_client_name_is_left_nowhere_in_the_database_files(app, client, bank, database_url):
    code, _ = create_group(client)
    name = "Zebulon Q."
    join_and_finish(app, bank, code, name)
    link = re.search(rf'href="(/dashboard/{code}/results/\d+/delete)"', dashboard_html(client, code)).group(1)
    confirm = client.get(link).get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf_token(confirm)}).status_code == 303
    with app.app_context():
        assert db.session().scalar(select(Attempt.id).where(Attempt.client_name == name)) is None
    if database_url.startswith("sqlite"):
        # What an attacker with a copy of the files would read, while the app still runs.
        database = Path(database_url.removeprefix("sqlite:///"))
        files = [path for path in database.parent.glob(f"{database.name}*") if path.is_file()]
        for path in files:
            assert name.encode() not in path.read_bytes(), path.name
