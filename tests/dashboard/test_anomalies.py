"""Spend anomaly episodes on the dashboard (SPEC §9): the organisation page's list with its drivers, the
manager's mark (POST, CSRF, audited, 404 for anyone else's organisation) and the portfolio's badge."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.dashboard_data import signed_in
from tests.factories import make_org
from tests.helpers import csrf_token
from tests.read_model.anomaly_series import make_episode
from webapp.extensions import db
from webapp.models import AuditEvent, SpendAnomaly
from webapp.models.types import utcnow


def mark(client, org, episode, value: str, *, token: str | None = None):
    url = f"/orgs/{org.id}/anomalies/{episode.id}/mark"
    return client.post(url, data={"csrf_token": token or csrf_token(client, f"/orgs/{org.id}"), "mark": value})


def test_the_organisation_page_lists_episodes_with_their_drivers(app, client):
    org = make_org(name="Acme")
    make_episode(org.id)
    make_episode(org.id, scope="storage", status="closed", opened_on=utcnow().date() - timedelta(days=60))
    db.session.commit()
    signed_in(client, organizations=[org])
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    section = page.split('id="anomalies"', 1)[1].split("</section>", 1)[0]
    assert "whole organisation" in section and "storage" in section
    assert "€10.00" in section and "€110.00" in section  # the currency's usual decimals
    assert 'title="110.004 EUR"' in section  # the exact stored value beside it
    assert "compute" in section and "+€80.00" in section
    assert section.count("Operators:") == 1  # the organisation's episode only
    operators = " ".join(section.split("Operators:", 1)[1].split("</div>", 1)[0].split())
    assert operators.startswith("</span> Ana <span") and "+€60.00</span>, Ben <span" in operators
    assert "+€10.00" in operators
    assert section.index("whole organisation") < section.index("storage")  # open first


def test_a_page_without_episodes_says_so(app, client):
    org = make_org()
    signed_in(client, organizations=[org])
    assert "No spend anomalies found." in client.get(f"/orgs/{org.id}").get_data(as_text=True)


def test_a_manager_marks_an_episode_and_it_is_audited(app, client):
    org = make_org()
    episode = make_episode(org.id)
    user = signed_in(client, organizations=[org])
    response = mark(client, org, episode, "expected")
    assert response.status_code == 303 and f"/orgs/{org.id}" in response.headers["Location"]
    db.session.expire_all()
    stored = db.session.get(SpendAnomaly, episode.id)
    assert (stored.mark, stored.marked_by_id) == ("expected", user.id) and stored.marked_at is not None
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "anomaly_marked")).one()
    assert (audit.target, audit.actor_user_id) == (f"organization:{org.id}", user.id)
    assert audit.details == {
        "episode": episode.id,
        "scope": "whole organisation",
        "opened_on": episode.opened_on.isoformat(),
        "mark": "expected",
        "previous": None,
    }
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert f"Marked by {user.email}" in page
    assert mark(client, org, episode, "unexpected").status_code == 303
    db.session.expire_all()
    assert db.session.get(SpendAnomaly, episode.id).mark == "unexpected"


def test_a_bad_mark_is_a_clear_400_and_a_missing_token_is_refused(app, client):
    org = make_org()
    episode = make_episode(org.id)
    signed_in(client, organizations=[org])
    response = mark(client, org, episode, "maybe")
    assert response.status_code == 400 and "expected or unexpected" in response.get_data(as_text=True)
    response = client.post(f"/orgs/{org.id}/anomalies/{episode.id}/mark", data={"mark": "expected"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(SpendAnomaly, episode.id).mark is None


def test_someone_elses_episode_is_a_404(app, client):
    mine, theirs = make_org(), make_org()
    their_episode = make_episode(theirs.id)
    signed_in(client, organizations=[mine])
    token = csrf_token(client, f"/orgs/{mine.id}")
    assert mark(client, theirs, their_episode, "expected", token=token).status_code == 404
    # their episode's id under my organisation's URL: still a 404
    assert mark(client, mine, their_episode, "expected", token=token).status_code == 404
    db.session.expire_all()
    assert db.session.get(SpendAnomaly, their_episode.id).mark is None
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "anomaly_marked")).first() is None


def test_the_portfolio_badges_organisations_with_an_open_episode_only(app, client):
    spiking, calm, past = make_org(name="Spiking"), make_org(name="Calm"), make_org(name="Past")
    make_episode(spiking.id)
    make_episode(past.id, status="closed")
    signed_in(client, organizations=[spiking, calm, past])
    page = client.get("/").get_data(as_text=True)
    rows = {name: row for name in ("Spiking", "Calm", "Past") for row in page.split("<tr") if f">{name}</a>" in row}
    assert ">anomaly</span>" in rows["Spiking"] and ">ok</span>" not in rows["Spiking"]
    assert ">anomaly</span>" not in rows["Calm"] and ">anomaly</span>" not in rows["Past"]
