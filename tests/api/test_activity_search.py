"""GET /api/v1/activities: filters in SQL, the same states as the pure rule, soonest start first."""
from datetime import timedelta
from urllib.parse import quote

import pytest

from app.domain import activity_state as st
from app.extensions import db
from app.models import Activity
from app.services.activity_search import state_condition
from app.timeutil import to_iso, utcnow
from tests.activity_helpers import code


@pytest.fixture
def spread(factories):
    """One activity in each displayed state (the start times make the expected order obvious)."""
    org = factories.org()
    now = utcnow()
    d = timedelta(days=1)
    made = {
        st.ENDED: factories.activity(org, title="已结束的", starts_in=-5 * d, enroll_open=False),
        st.IN_PROGRESS: factories.activity(org, title="执行中的", starts_in=-timedelta(hours=1), enroll_open=False),
        st.OPEN: factories.activity(org, title="马上报名的", starts_in=2 * d),
        st.CLOSED: factories.activity(org, title="报名结束的", starts_in=3 * d, enroll_start=now - 3 * d,
                                      enroll_end=now - d),
        st.NOT_OPEN: factories.activity(org, title="报名未开始的", starts_in=20 * d, enroll_open=False),
        st.REVOKED: factories.activity(org, title="撤销的", starts_in=4 * d, revoked_at=now),
    }
    return org, made


def ids(response):
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_no_filter_lists_every_activity_not_revoked_soonest_start_first(client, spread):
    _, made = spread
    response = client.get("/api/v1/activities")
    assert ids(response) == [made[s].id for s in (st.ENDED, st.IN_PROGRESS, st.OPEN, st.CLOSED, st.NOT_OPEN)]
    assert response.json["total"] == 5
    assert [item["state"] for item in response.json["items"]] == ["ended", "in_progress", "open", "closed",
                                                                  "not_open"]
    assert response.json["items"][2]["state_label"] == "马上报名"


@pytest.mark.parametrize("state", st.STATES)
def test_each_state_filter(client, spread, state):
    _, made = spread
    response = client.get(f"/api/v1/activities?state={state}")
    assert ids(response) == [made[state].id]
    assert response.json["items"][0]["state_label"] == st.label(state)


def test_sql_state_conditions_agree_with_the_pure_rule_at_every_boundary(factories):
    """Activities whose times sit exactly on `now`: the SQL filter and activity_state() agree."""
    org = factories.org()
    now = utcnow().replace(microsecond=0)
    h = timedelta(hours=1)
    cases = [(now, now + h, now + 2 * h, now + 3 * h), (now - h, now, now + h, now + 2 * h),
             (now - 2 * h, now - h, now, now + h), (now - 3 * h, now - 2 * h, now - h, now),
             (now - h, now + h, now + h, now + 2 * h), (now - 2 * h, now, now, now + h)]
    for es, ee, sa, ea in cases:
        db.session.add(Activity(org_id=org.id, title="t", enroll_start=es, enroll_end=ee, start_at=sa, end_at=ea,
                                quota=1))
    db.session.commit()
    rows = db.session.execute(db.select(Activity)).scalars().all()
    for state in st.STATES:
        in_sql = set(db.session.execute(db.select(Activity.id).where(state_condition(state, now))).scalars())
        by_rule = {a.id for a in rows if st.activity_state(st.times_of(a), now) == state}
        assert in_sql == by_rule, state


def test_region_keyword_and_family_filters(client, factories):
    tianhe = factories.org()
    a = factories.activity(tianhe, title="天河图书馆服务", region_code="440106", address="天河路")
    b = factories.activity(tianhe, title="越秀敬老", region_code="440104", is_family=True)
    c = factories.activity(tianhe, title="深圳湾清洁", region_code="440305", starts_in=timedelta(days=4))
    assert set(ids(client.get("/api/v1/activities?region=440100"))) == {a.id, b.id}  # a city: its districts
    assert ids(client.get("/api/v1/activities?region=440104")) == [b.id]
    assert set(ids(client.get("/api/v1/activities?region=440000"))) == {a.id, b.id, c.id}
    assert ids(client.get("/api/v1/activities?keyword=" + quote("敬老"))) == [b.id]
    assert ids(client.get("/api/v1/activities?keyword=" + quote("天河路"))) == [a.id]  # the address too
    assert ids(client.get("/api/v1/activities?keyword=" + quote("100%"))) == []  # LIKE wildcards escaped
    for true in ("true", "1"):
        assert ids(client.get(f"/api/v1/activities?family={true}")) == [b.id]
    for false in ("false", "0"):
        assert set(ids(client.get(f"/api/v1/activities?family={false}"))) == {a.id, c.id}
    response = client.get("/api/v1/activities?region=110101")
    assert response.status_code == 422 and code(response) == "REGION_UNKNOWN"
    response = client.get("/api/v1/activities?family=maybe")
    assert response.status_code == 422 and code(response) == "VALIDATION_ERROR"


def test_time_range_takes_iso_times_with_offset(client, factories):
    org = factories.org()
    near = factories.activity(org, starts_in=timedelta(days=1))
    far = factories.activity(org, starts_in=timedelta(days=10))
    middle = to_iso(utcnow() + timedelta(days=5))  # e.g. 2026-11-30T05:21:03+08:00
    assert ids(client.get("/api/v1/activities?start_from=" + quote(middle))) == [far.id]
    assert ids(client.get("/api/v1/activities?start_to=" + quote(middle))) == [near.id]
    # an unencoded '+' arrives as a space: read as the offset it was meant to be
    assert ids(client.get("/api/v1/activities?start_to=" + middle.replace("+", "%20"))) == [near.id]
    utc_text = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client.get("/api/v1/activities?start_from=" + utc_text)) == [far.id]
    response = client.get("/api/v1/activities?start_from=2026-11-22T09:30:00")
    assert response.status_code == 422 and code(response) == "VALIDATION_ERROR"


def test_paging(client, factories):
    org = factories.org()
    made = [factories.activity(org, starts_in=timedelta(days=1, hours=i)) for i in range(5)]
    first = client.get("/api/v1/activities?per_page=2").json
    third = client.get("/api/v1/activities?per_page=2&page=3").json
    assert first["total"] == 5 and [i["id"] for i in first["items"]] == [made[0].id, made[1].id]
    assert [i["id"] for i in third["items"]] == [made[4].id]
    assert client.get("/api/v1/activities?page=0").status_code == 422
    assert client.get("/api/v1/activities?per_page=500").status_code == 422


def test_organisation_page_lists_its_own_activities(client, factories):
    org, other = factories.org(), factories.org()
    mine = factories.activity(org)
    factories.activity(other)
    factories.activity(org, revoked_at=utcnow())
    body = client.get(f"/api/v1/organisations/{org.id}/activities").json
    assert [i["id"] for i in body["items"]] == [mine.id]
    assert body["organisation"]["name"] == org.name
    assert client.get("/api/v1/organisations/999999/activities").status_code == 404
    assert client.get(f"/api/v1/organisations/{org.id}/activities?state=ended").json["items"] == []


def test_activity_page(client, factories):
    activity = factories.activity(factories.org())
    body = client.get(f"/api/v1/activities/{activity.id}").json
    assert body["id"] == activity.id and body["state"] == "open" and body["my_enrollment"] is None
    response = client.get("/api/v1/activities/999999")
    assert response.status_code == 404 and code(response) == "ACTIVITY_NOT_FOUND"
