"""培训 and 表彰: recorded by the organisation's admin for its own volunteers; 我的培训 and 我的表彰;
the service function the certificate uses."""
import io
from datetime import date, timedelta

from pypdf import PdfReader

from app.extensions import db
from app.models import OrgMembership
from app.services import achievements
from tests.api.accounts_helpers import error_code
from tests.api.test_certificates import volunteer_with_records


def test_trainings_are_recorded_and_volunteers_see_theirs(client, factories):
    org, elsewhere = factories.org("东山街志愿服务队"), factories.org()
    admin = factories.login(client, factories.admin(org))
    own, member, outsider = factories.volunteer(org), factories.volunteer(elsewhere), factories.volunteer(elsewhere)
    db.session.add(OrgMembership(org_id=org.id, volunteer_id=member.id, status="joined"))
    db.session.commit()

    made = client.post(f"/api/v1/admin/organisations/{org.id}/trainings",
                       json={"title": "急救技能培训", "held_on": "2026-11-01", "minutes": 180}, headers=admin)
    assert made.status_code == 201 and made.json["org"]["name"] == "东山街志愿服务队"
    training_id = made.json["id"]
    recorded = client.post(f"/api/v1/admin/trainings/{training_id}/completions",
                           json={"volunteer_ids": [own.id, member.id, outsider.id, own.id]}, headers=admin).json
    assert recorded["recorded"] == [own.id, member.id]
    assert [(r["volunteer_id"], r["code"]) for r in recorded["refused"]] == [(outsider.id, "VOLUNTEER_NOT_IN_ORG")]
    again = client.post(f"/api/v1/admin/trainings/{training_id}/completions", json={"volunteer_ids": [own.id]},
                        headers=admin).json
    assert again == {"recorded": [], "refused": []}  # already recorded: nothing twice

    [mine] = client.get("/api/v1/me/trainings", headers=factories.login(client, member)).json["items"]
    assert (mine["title"], mine["held_on"], mine["minutes"]) == ("急救技能培训", "2026-11-01", 180)
    assert mine["completed_at"]
    assert client.get("/api/v1/me/trainings", headers=factories.login(client, outsider)).json["items"] == []
    assert [t["id"] for t in client.get(f"/api/v1/admin/organisations/{org.id}/trainings",
                                        headers=admin).json["items"]] == [training_id]

    stranger = factories.login(client, factories.admin(elsewhere))
    assert client.post(f"/api/v1/admin/trainings/{training_id}/completions", json={"volunteer_ids": [own.id]},
                       headers=stranger).status_code == 404
    future = (date.today() + timedelta(days=30)).isoformat()
    assert error_code(client.post(f"/api/v1/admin/organisations/{org.id}/trainings",
                                  json={"title": "未来", "held_on": future}, headers=admin)) == \
        "ACHIEVEMENT_DATE_FUTURE"


def test_commendations_are_recorded_and_shown(client, factories):
    org = factories.org()
    admin = factories.login(client, factories.admin(org))
    volunteer = factories.volunteer(org)
    body = {"volunteer_id": volunteer.id, "title": "优秀志愿者", "level": "city", "awarded_on": "2026-10-01",
            "issuer": "广州市志愿者协会"}
    made = client.post(f"/api/v1/admin/organisations/{org.id}/commendations", json=body, headers=admin)
    assert made.status_code == 201 and made.json["level_label"] == "市级"
    [mine] = client.get("/api/v1/me/commendations", headers=factories.login(client, volunteer)).json["items"]
    assert (mine["title"], mine["issuer"], mine["awarded_on"]) == ("优秀志愿者", "广州市志愿者协会", "2026-10-01")

    outsider = factories.volunteer(factories.org())
    refused = client.post(f"/api/v1/admin/organisations/{org.id}/commendations",
                          json=body | {"volunteer_id": outsider.id}, headers=admin)
    assert error_code(refused) == "VOLUNTEER_NOT_IN_ORG"
    assert client.post(f"/api/v1/admin/organisations/{org.id}/commendations", json=body | {"level": "galactic"},
                       headers=admin).status_code == 422
    assert client.post(f"/api/v1/admin/organisations/{org.id}/commendations", json=body,
                       headers=factories.login(client, factories.admin(factories.org()))).status_code == 404

    # what the service-proof certificate reads
    listed = achievements.of_volunteer(volunteer.id)
    assert [c.title for c in listed["commendations"]] == ["优秀志愿者"] and listed["trainings"] == []


def test_the_certificate_prints_training_and_commendations(client, factories):
    team, volunteer, _, _, headers = volunteer_with_records(factories, client)
    admin = factories.login(client, factories.admin(team))
    training_id = client.post(f"/api/v1/admin/organisations/{team.id}/trainings",
                              json={"title": "应急救护培训", "held_on": "2026-10-01", "minutes": 480},
                              headers=admin).json["id"]
    client.post(f"/api/v1/admin/trainings/{training_id}/completions", json={"volunteer_ids": [volunteer.id]},
                headers=admin)
    client.post(f"/api/v1/admin/organisations/{team.id}/commendations",
                json={"volunteer_id": volunteer.id, "title": "优秀志愿者", "level": "city",
                      "awarded_on": "2026-10-20", "issuer": "广州市志愿者协会"}, headers=admin)
    cert = client.post("/api/v1/me/certificates", json={}, headers=headers).json
    pdf = client.get(cert["download_url"], headers=headers)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("培训记录", "应急救护培训", "表彰记录", "优秀志愿者", "广州市志愿者协会"):
        assert expected in text, expected
    # a period before both leaves the sections out
    assert achievements.certificate_sections(volunteer.id, date(2026, 1, 1), date(2026, 9, 30)) == []
