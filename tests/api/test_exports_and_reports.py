"""Exports and reports through the API: an activity's roster opens in openpyxl with the right rows,
CSV carries a BOM, personal numbers are masked unless the admin's role allows (then audited), an
organisation's hours cover its subtree only under regional authority, 100 000 rows stream, and
the report agrees with the records it summarises."""
import csv
import io
import tracemalloc

from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditLog, CardApplication
from app.services import exports, reports, tables
from tests.api.takeaway_helpers import day, past_activity, record

ID_A, ID_B = "440104199503070023", "440104199811120016"


def error_code(response):
    return response.json["error"]["code"]


def setup(factories, client):
    city = factories.org("市志愿者协会", category="city", regional_authority=True)
    team = factories.org("东山街志愿服务队", parent=city)
    other = factories.org("西关街志愿服务队", parent=city)
    activity = past_activity(factories, team, "社区长者探访", category="社区服务")
    a = factories.volunteer(team, real_name="林晓琳", id_number=ID_A, phone="13912345678")
    b = factories.volunteer(team, real_name="陈大文", id_number=ID_B, phone="13800001111")
    factories.enroll(activity, a)
    factories.enroll(activity, b)
    record(a, activity, 120, day=day("2026-10-10"))
    record(a, activity, 90, day=day("2026-10-11"))
    record(b, activity, 60, day=day("2026-10-10"))
    elsewhere = past_activity(factories, other, "西关助学", category="助学支教")
    c = factories.volunteer(other, real_name="黄小明")
    record(c, elsewhere, 300, day=day("2026-11-05"))
    return {"city": city, "team": team, "other": other, "activity": activity, "a": a, "b": b, "c": c,
            "team_admin": factories.login(client, factories.admin(team)),
            "city_admin": factories.login(client, factories.admin(city))}


def sheet_rows(data, sheet=None):
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)]
    book.close()
    return rows


def test_roster_export_opens_in_openpyxl_with_the_right_rows(client, factories):
    s = setup(factories, client)
    response = client.get(f"/api/v1/admin/activities/{s['activity'].id}/export?format=xlsx", headers=s["team_admin"])
    assert response.status_code == 200
    assert response.mimetype == tables.XLSX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    rows = sheet_rows(response.data)
    assert rows[0] == list(exports.ROSTER_HEADERS)
    assert rows[1:] == [
        ["林晓琳", s["a"].volunteer_number, "4401041995********", "139****5678", "已录用", 2, 210, 3.5],
        ["陈大文", s["b"].volunteer_number, "4401041998********", "138****1111", "已录用", 1, 60, 1.0]]
    sessions = sheet_rows(response.data, "服务记录")
    assert [(r[0], r[2], r[4]) for r in sessions[1:]] == [
        ("林晓琳", "2026-10-10", 120), ("林晓琳", "2026-10-11", 90), ("陈大文", "2026-10-10", 60)]
    assert ID_A not in response.data.decode("latin-1")


def test_csv_has_a_bom_and_full_numbers_only_for_the_own_organisation_audited(client, factories):
    s = setup(factories, client)
    url = f"/api/v1/admin/activities/{s['activity'].id}/export?format=csv"
    masked = client.get(url, headers=s["team_admin"])
    assert masked.status_code == 200 and masked.mimetype == "text/csv"
    assert masked.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(masked.data.decode("utf-8-sig"))))
    assert rows[0] == list(exports.ROSTER_HEADERS) and rows[1][:4] == ["林晓琳", s["a"].volunteer_number,
                                                                     "4401041995********", "139****5678"]
    full = client.get(url + "&full_numbers=true", headers=s["team_admin"])
    rows = list(csv.reader(io.StringIO(full.data.decode("utf-8-sig"))))
    assert rows[1][2:4] == [ID_A, "13912345678"]
    # The city sees the team's roster by regional authority, masked only.
    assert client.get(url, headers=s["city_admin"]).status_code == 200
    refused = client.get(url + "&full_numbers=true", headers=s["city_admin"])
    assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN"
    audits = db.session.execute(db.select(AuditLog).filter_by(action="export.activity_roster")
                                .order_by(AuditLog.id)).scalars().all()
    assert [a.detail["full_numbers"] for a in audits] == [False, True, False]
    outsider = factories.login(client, factories.admin(factories.org("别的队")))
    assert client.get(url, headers=outsider).status_code == 404


def test_organisation_hours_cover_the_subtree_only_with_regional_authority(client, factories):
    s = setup(factories, client)
    by_volunteer = client.get(f"/api/v1/admin/organisations/{s['city'].id}/hours-export",
                              query_string={"start": "2026-10-01", "end": "2026-11-30"}, headers=s["city_admin"])
    rows = sheet_rows(by_volunteer.data)
    assert rows[0] == list(exports.BY_VOLUNTEER_HEADERS)
    assert sorted((r[0], r[3], r[4], r[5]) for r in rows[1:]) == [
        ("林晓琳", "东山街志愿服务队", 2, 210), ("陈大文", "东山街志愿服务队", 1, 60),
        ("黄小明", "西关街志愿服务队", 1, 300)]
    october = client.get(f"/api/v1/admin/organisations/{s['city'].id}/hours-export",
                         query_string={"start": "2026-10-01", "end": "2026-10-10", "by": "activity",
                                       "format": "csv"}, headers=s["city_admin"])
    rows = list(csv.reader(io.StringIO(october.data.decode("utf-8-sig"))))
    assert rows[1][0:2] == ["社区长者探访", "东山街志愿服务队"] and rows[1][3:6] == ["2", "2", "180"] and len(rows) == 2
    # The team (no regional authority) asking for the city's figures: not found.
    assert client.get(f"/api/v1/admin/organisations/{s['city'].id}/hours-export",
                      headers=s["team_admin"]).status_code == 404
    own = sheet_rows(client.get(f"/api/v1/admin/organisations/{s['team'].id}/hours-export",
                                headers=s["team_admin"]).data)
    assert {r[0] for r in own[1:]} == {"林晓琳", "陈大文"}


def test_a_team_without_regional_authority_exports_only_its_own_records(client, factories):
    team = factories.org("东山街志愿服务队")
    child = factories.org("东山街第一小组", parent=team)
    activity = past_activity(factories, child, "小组活动")
    record(factories.volunteer(child), activity, 60)
    admin = factories.login(client, factories.admin(team))
    rows = sheet_rows(client.get(f"/api/v1/admin/organisations/{team.id}/hours-export", headers=admin).data)
    assert rows[1:] == []


def test_a_hundred_thousand_rows_stream_without_being_held(app):
    rows = (("志愿者", f"44{n:010d}", "4401041995********", "东山街志愿服务队", 1, 60, 1.0) for n in range(100_000))
    tracemalloc.start()
    size = 0
    first = None
    for chunk in tables.csv_chunks(exports.BY_VOLUNTEER_HEADERS, rows):
        first = first or chunk
        size += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert first.startswith(b"\xef\xbb\xbf") and size > 5_000_000
    assert peak < 2_000_000  # the file is ~7 MB; what is held at once stays a chunk's worth
    # xlsx: openpyxl's write-only sheets spool rows to disk; the file goes out in chunks.
    chunks = list(tables.xlsx_chunks([("s", ("a", "b"), ((n, "行") for n in range(5_000)))]))
    assert max(len(c) for c in chunks) <= tables.CHUNK_BYTES
    assert len(sheet_rows(b"".join(chunks))) == 5_001


def test_the_report_agrees_with_the_records(client, factories):
    s = setup(factories, client)
    db.session.add(CardApplication(volunteer_id=s["a"].id, bank="boc", card_type="debit", delivery_name="林晓琳",
                                   delivery_phone_enc="x", delivery_address="广州市越秀区", status="issued"))
    db.session.commit()
    reports.refresh_rollups()
    report = client.get(f"/api/v1/admin/organisations/{s['city'].id}/report",
                        query_string={"start": "2026-10-01"}, headers=s["city_admin"])  # to today
    assert report.status_code == 200, report.json
    body = report.json
    assert body["organisations_in_scope"] == 3 and body["as_of"]
    assert body["hours"]["total_minutes"] == 570 and body["hours"]["records"] == 4
    months = {m["month"]: m for m in body["hours"]["by_month"]}
    assert (months["2026-10"]["minutes"], months["2026-10"]["records"]) == (270, 3)
    assert (months["2026-11"]["minutes"], months["2026-11"]["records"]) == (300, 1)
    assert sum(m["volunteers_registered"] for m in months.values()) == 3  # all registered today
    assert body["hours"]["by_category"] == [{"category": "助学支教", "label": "助学支教", "minutes": 300},
                                            {"category": "社区服务", "label": "社区服务", "minutes": 270}]
    assert body["top_organisations"] == [{"org_id": s["other"].id, "name": "西关街志愿服务队", "minutes": 300},
                                         {"org_id": s["team"].id, "name": "东山街志愿服务队", "minutes": 270}]
    v = body["volunteers"]
    assert (v["registered"], v["approved"], v["with_card"], v["card_rate"]) == (3, 3, 1, 0.3333)
    assert v["registered_in_period"] == 3 and v["active_in_period"] == 3
    assert body["activities"] == {"published": 2, "held": 2}
    # Before anyone registered, nobody was registered: the figures are as of the period's end.
    october = client.get(f"/api/v1/admin/organisations/{s['city'].id}/report",
                         query_string={"start": "2026-10-01", "end": "2026-10-31"}, headers=s["city_admin"]).json
    assert october["volunteers"]["registered"] == 0 and october["hours"]["total_minutes"] == 270
    team_view = client.get(f"/api/v1/admin/organisations/{s['team'].id}/report",
                           query_string={"start": "2026-10-01"}, headers=s["team_admin"]).json
    assert team_view["hours"]["total_minutes"] == 270 and team_view["volunteers"]["active_in_period"] == 2
    assert client.get(f"/api/v1/admin/organisations/{s['city'].id}/report",
                      headers=s["team_admin"]).status_code == 404

    book = client.get(f"/api/v1/admin/organisations/{s['city'].id}/report",
                      query_string={"start": "2026-10-01", "format": "xlsx"},
                      headers=s["city_admin"])
    assert book.status_code == 200 and book.mimetype == tables.XLSX_MIMETYPE
    overview = dict((r[0], r[1]) for r in sheet_rows(book.data, "概览"))
    assert overview["期间服务时长（小时）"] == 9.5 and overview["持证志愿者"] == 1
    assert [r[:2] for r in sheet_rows(book.data, "按月")[1:3]] == [["2026-10", 270], ["2026-11", 300]]
