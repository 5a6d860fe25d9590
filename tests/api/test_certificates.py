"""志愿服务记录证明 through the API: issued with a random number, downloaded as a PDF that a PDF
reader parses back with its Chinese text, verified by anyone (masked name), 404 for an unknown
or altered number, superseded once a covered record is revoked, and announced in the inbox."""
import io

from pypdf import PdfReader

from app.domain import certificates as rules
from tests.api.takeaway_helpers import day, past_activity, record


def error_code(response):
    return response.json["error"]["code"]


def volunteer_with_records(factories, client):
    team = factories.org("东山街志愿服务队")
    activity = past_activity(factories, team, "社区长者探访", days_ago=40)
    other = past_activity(factories, team, "海珠湿地清洁", days_ago=10)
    volunteer = factories.volunteer(team, real_name="林晓琳", id_number="440104199503070023")
    first = record(volunteer, activity, 150, day=day("2026-10-10"))
    second = record(volunteer, other, 240, day=day("2026-11-12"))
    return team, volunteer, (activity, other), (first, second), factories.login(client, volunteer)


def test_issue_download_and_verify_a_certificate(client, factories, app):
    team, volunteer, _, _, headers = volunteer_with_records(factories, client)
    issued = client.post("/api/v1/me/certificates", json={}, headers=headers)
    assert issued.status_code == 201, issued.json
    cert = issued.json
    assert rules.normalise(cert["number"]) == cert["number"]
    assert cert["total_minutes"] == 390 and cert["record_count"] == 2
    assert cert["verify_url"] == f"{app.config['PUBLIC_BASE_URL']}/h5/certificates/{cert['number']}"

    pdf = client.get(cert["download_url"], headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("志愿服务记录证明", "林晓琳", "4401041995********", volunteer.volunteer_number, "6小时30分钟",
                     "社区长者探访", "海珠湿地清洁", "东山街志愿服务队", "2026-10-10", "2.5", "4.0", cert["number"],
                     "i志愿", cert["verify_url"]):
        assert expected in text, expected
    assert "440104199503070023" not in text

    checked = client.get(f"/api/v1/certificates/{cert['number']}")  # no login
    assert checked.status_code == 200, checked.json
    assert checked.json["valid"] is True and checked.json["status"] == "valid"
    assert checked.json["holder_name"] == "林**" and checked.json["total_hours"] == 6.5
    assert checked.json["issued_at"] == cert["issued_at"]

    page = client.get(f"/h5/certificates/{cert['number']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "有效" in html and "林**" in html and "6.5 小时" in html and "林晓琳" not in html


def test_an_altered_or_unknown_number_is_not_found(client, factories):
    _, _, _, _, headers = volunteer_with_records(factories, client)
    number = client.post("/api/v1/me/certificates", json={}, headers=headers).json["number"]
    last = number[-1]
    altered = number[:-1] + ("0" if last != "0" else "1")
    for wrong in (altered, number[:-2], "ZM-000000-000000-000000-000001", "1", "ZM-" + "I" * 27):
        response = client.get(f"/api/v1/certificates/{wrong}")
        assert response.status_code == 404 and error_code(response) == "CERTIFICATE_NOT_FOUND", wrong
    assert client.get(f"/h5/certificates/{altered}").status_code == 404
    # lower case and stray spaces are forgiven
    assert client.get(f"/api/v1/certificates/{number.lower()}").status_code == 200


def test_numbers_are_random_not_a_sequence(client, factories):
    _, _, _, _, headers = volunteer_with_records(factories, client)
    numbers = {client.post("/api/v1/me/certificates", json={}, headers=headers).json["number"] for _ in range(5)}
    assert len(numbers) == 5
    assert len({n[:9] for n in numbers}) > 1  # no shared running prefix


def test_a_period_covers_only_its_records_and_someone_elses_pdf_is_not_found(client, factories):
    team, _, _, _, headers = volunteer_with_records(factories, client)
    issued = client.post("/api/v1/me/certificates", json={"start": "2026-11-01", "end": "2026-11-30"},
                         headers=headers)
    assert issued.status_code == 201, issued.json
    assert issued.json["total_minutes"] == 240 and issued.json["record_count"] == 1
    assert issued.json["period"] == "2026-11-01 至 2026-11-30"
    empty = client.post("/api/v1/me/certificates", json={"start": "2026-01-01", "end": "2026-01-31"},
                        headers=headers)
    assert empty.status_code == 409 and error_code(empty) == "CERTIFICATE_NO_RECORDS"
    backwards = client.post("/api/v1/me/certificates", json={"start": "2026-11-30", "end": "2026-11-01"},
                            headers=headers)
    assert backwards.status_code == 422 and error_code(backwards) == "PERIOD_INVALID"
    stranger = factories.login(client, factories.volunteer(team))
    pdf = client.get(issued.json["download_url"], headers=stranger)
    assert pdf.status_code == 404 and error_code(pdf) == "CERTIFICATE_NOT_FOUND"


def test_revoking_a_covered_record_supersedes_the_certificate(client, factories):
    team, volunteer, (activity, _), (first, _), headers = volunteer_with_records(factories, client)
    number = client.post("/api/v1/me/certificates", json={}, headers=headers).json["number"]
    admin = factories.login(client, factories.admin(team))
    filed = client.post("/api/v1/objections", json={"record_id": first.id, "text": "当天并未到场服务"})
    assert filed.status_code == 201, filed.json
    resolved = client.post(f"/api/v1/admin/objections/{filed.json['id']}/resolution", headers=admin,
                           json={"action": "revoke", "note": "核实未到场"})
    assert resolved.status_code == 200, resolved.json
    checked = client.get(f"/api/v1/certificates/{number}")
    assert checked.status_code == 200
    assert checked.json["valid"] is False and checked.json["status"] == "superseded"
    assert checked.json["total_minutes"] == 390  # the certificate still says what it said
    assert "已失效" in client.get(f"/h5/certificates/{number}").get_data(as_text=True)
    again = client.post("/api/v1/me/certificates", json={}, headers=headers).json
    assert again["total_minutes"] == 240
    assert client.get(f"/api/v1/certificates/{again['number']}").json["valid"] is True
    mine = client.get("/api/v1/me/certificates", headers=headers).json
    assert [c["status"] for c in mine["items"]] == ["valid", "superseded"] and mine["total"] == 2


def test_the_certificate_notice_lands_in_the_inbox(client, factories):
    _, volunteer, _, _, headers = volunteer_with_records(factories, client)
    number = client.post("/api/v1/me/certificates", json={}, headers=headers).json["number"]
    inbox = client.get("/api/v1/me/messages", headers=headers).json
    newest = inbox["items"][0]
    assert newest["kind"] == "certificate_issued" and newest["fields"]["number"] == number
    assert newest["title"] == "志愿服务记录证明已开具"


def test_sections_from_providers_are_printed_when_they_exist(client, factories, monkeypatch):
    from app.services import certificates

    monkeypatch.setattr(certificates, "_SECTION_PROVIDERS", [])
    certificates.register_section(lambda volunteer_id, start, end: [
        {"title": "培训记录", "lines": ["2026-05-01 应急救护培训（8 学时）"]}])
    _, _, _, _, headers = volunteer_with_records(factories, client)
    cert = client.post("/api/v1/me/certificates", json={}, headers=headers).json
    text = PdfReader(io.BytesIO(client.get(cert["download_url"], headers=headers).data)).pages[0].extract_text()
    assert "培训记录" in text and "应急救护培训" in text


def test_a_non_volunteer_gets_no_certificate(client, factories):
    admin = factories.admin(factories.org())
    response = client.post("/api/v1/me/certificates", json={}, headers=factories.login(client, admin))
    assert error_code(response) == "NOT_A_VOLUNTEER"
