"""记录转移 through the API: a volunteer exports their records in the documented format, the
other region reads the document in, the receiving organisation approves, the records arrive
marked with their origin and count toward totals and stars — once, even when approved twice."""
import io

from pypdf import PdfReader

from app.domain.record_transfer import FORMAT
from app.extensions import db
from app.models import AuditLog, Organisation, TransferredRecord, Volunteer
from tests.api.takeaway_helpers import day, past_activity, record

ID_NUMBER = "440104199503070023"


def error_code(response):
    return response.json["error"]["code"]


SIX_RECORDS = ((1, 240), (2, 1200), (3, 1200), (4, 1200), (5, 1200), (6, 1200))  # 104 小时


def document_from_elsewhere(records=SIX_RECORDS):
    """What another region's platform exports for the same person (the format we export)."""
    rows = [{"id": f"gx-{n}", "activity": f"外地活动{n}", "organisation": "南宁市志愿者协会",
             "service_day": f"2025-0{n}-01", "minutes": minutes} for n, minutes in records]
    return {"format": FORMAT, "version": 1, "platform": "广西志愿服务信息系统", "region": "450000",
            "exported_at": "2026-11-01T10:00:00+08:00",
            "volunteer": {"name": "林晓琳", "id_number_masked": "4401041995********", "volunteer_number": "45000001"},
            "records": rows, "total_minutes": sum(r["minutes"] for r in rows)}


def totals(volunteer, org):
    db.session.expire_all()
    return db.session.get(Volunteer, volunteer.id).total_minutes, db.session.get(Organisation, org.id).total_minutes


def setup(factories, client):
    team = factories.org("东山街志愿服务队")
    volunteer = factories.volunteer(team, real_name="林晓琳", id_number=ID_NUMBER)
    return team, volunteer, factories.login(client, volunteer), factories.login(client, factories.admin(team))


def test_the_outbound_export_is_read_by_the_inbound_side(client, factories):
    team, volunteer, headers, _ = setup(factories, client)
    record(volunteer, past_activity(factories, team, "社区长者探访"), 180, day=day("2026-10-10"))
    exported = client.get("/api/v1/me/records/export", headers=headers)
    assert exported.status_code == 200, exported.json
    doc = exported.json
    assert doc["format"] == FORMAT and doc["version"] == 1 and doc["platform"] == "i志愿"
    assert doc["volunteer"]["id_number_masked"] == "4401041995********" and ID_NUMBER not in str(doc)
    assert doc["records"] == [{"id": doc["records"][0]["id"], "activity": "社区长者探访",
                               "organisation": "东山街志愿服务队", "service_day": "2026-10-10", "minutes": 180}]
    assert doc["total_minutes"] == 180
    # Our own region's document cannot be brought in again (it is already counted here)...
    own = client.post("/api/v1/me/record-transfers", headers=headers, json={"document": doc})
    assert own.status_code == 422 and error_code(own) == "TRANSFER_DOCUMENT_INVALID"
    # ...but the same document from another region is read as it is.
    doc = doc | {"platform": "i志愿", "region": "450000"}
    accepted = client.post("/api/v1/me/record-transfers", headers=headers, json={"document": doc})
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["record_count"] == 1 and accepted.json["total_minutes"] == 180


def test_a_transfer_approved_twice_counts_once(client, factories):
    team, volunteer, headers, admin = setup(factories, client)
    asked = client.post("/api/v1/me/record-transfers", headers=headers, json={"document": document_from_elsewhere()})
    assert asked.status_code == 201, asked.json
    assert asked.json["status"] == "pending" and asked.json["receiving_org_id"] == team.id
    assert totals(volunteer, team) == (0, 0)
    pending = client.get("/api/v1/admin/record-transfers", headers=admin).json["items"]
    assert [t["id"] for t in pending] == [asked.json["id"]] and pending[0]["volunteer_name"] == "林**"

    for _ in range(2):
        approved = client.post(f"/api/v1/admin/record-transfers/{asked.json['id']}/decision", headers=admin,
                               json={"approve": True})
        assert approved.status_code == 200, approved.json
        assert approved.json["status"] == "approved"
    assert totals(volunteer, team) == (6240, 6240)
    me = client.get("/api/v1/me/records", headers=headers).json
    assert me["total_minutes"] == 6240 and me["star_level"] == 1  # 100 小时: 一星
    arrived = db.session.execute(db.select(TransferredRecord)).scalars().all()
    assert {(r.origin_platform, r.origin_region, r.origin_record_id) for r in arrived} == {
        ("广西志愿服务信息系统", "450000", f"gx-{n}") for n in range(1, 7)}
    assert db.session.execute(db.select(db.func.count(AuditLog.id)).filter_by(
        action="record_transfer.approve")).scalar_one() == 1

    # The same records in a second request: approved, but nothing counted again.
    again = client.post("/api/v1/me/record-transfers", headers=headers, json={"document": document_from_elsewhere()})
    approved = client.post(f"/api/v1/admin/record-transfers/{again.json['id']}/decision", headers=admin,
                           json={"approve": True})
    assert approved.status_code == 200 and approved.json["added_minutes"] == 0
    assert totals(volunteer, team) == (6240, 6240)
    rejected = client.post(f"/api/v1/admin/record-transfers/{asked.json['id']}/decision", headers=admin,
                           json={"approve": False, "reason": "重复"})
    assert rejected.status_code == 409 and error_code(rejected) == "TRANSFER_ALREADY_DECIDED"

    # The certificate carries them, marked with their origin; the inbox says so.
    cert = client.post("/api/v1/me/certificates", json={}, headers=headers).json
    assert cert["total_minutes"] == 6240 and cert["record_count"] == 6
    pdf = client.get(cert["download_url"], headers=headers).data
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\n", "")
    assert "转入自 广西志愿服务信息系统（450000）" in text
    kinds = [m["kind"] for m in client.get("/api/v1/me/messages", headers=headers).json["items"]]
    assert "record_transfer" in kinds


def test_rejection_needs_a_reason_and_counts_nothing(client, factories):
    team, volunteer, headers, admin = setup(factories, client)
    asked = client.post("/api/v1/me/record-transfers", headers=headers, json={"document": document_from_elsewhere()})
    url = f"/api/v1/admin/record-transfers/{asked.json['id']}/decision"
    assert error_code(client.post(url, headers=admin, json={"approve": False})) == "REASON_REQUIRED"
    rejected = client.post(url, headers=admin, json={"approve": False, "reason": "材料不全"})
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert totals(volunteer, team) == (0, 0)
    mine = client.get("/api/v1/me/record-transfers", headers=headers).json["items"]
    assert mine[0]["status"] == "rejected" and mine[0]["reason"] == "材料不全"


def test_documents_that_do_not_add_up_or_name_someone_else_are_refused(client, factories):
    team, _, headers, _ = setup(factories, client)
    bad_total = document_from_elsewhere() | {"total_minutes": 1}
    someone_else = document_from_elsewhere()
    someone_else["volunteer"] = someone_else["volunteer"] | {"id_number_masked": "4401041990********"}
    negative = document_from_elsewhere(records=((1, -30),))
    for doc, code in ((bad_total, "TRANSFER_DOCUMENT_INVALID"), (someone_else, "TRANSFER_NOT_SAME_PERSON"),
                      (negative, "TRANSFER_DOCUMENT_INVALID"), ({"format": "other"}, "TRANSFER_DOCUMENT_INVALID")):
        response = client.post("/api/v1/me/record-transfers", headers=headers, json={"document": doc})
        assert response.status_code == 422 and error_code(response) == code, response.json


def test_another_branch_cannot_decide(client, factories):
    _, _, headers, _ = setup(factories, client)
    outsider = factories.login(client, factories.admin(factories.org("别的队")))
    asked = client.post("/api/v1/me/record-transfers", headers=headers, json={"document": document_from_elsewhere()})
    assert client.get("/api/v1/admin/record-transfers", headers=outsider).json["items"] == []
    refused = client.post(f"/api/v1/admin/record-transfers/{asked.json['id']}/decision", headers=outsider,
                          json={"approve": True})
    assert refused.status_code == 404
