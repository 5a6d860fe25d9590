"""The certificate's verification page in headless Chromium: what someone scanning the PDF's QR
code sees, valid and then superseded; an altered number is not found."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.models import ServiceRecord
from app.services import certificates
from tests.api.takeaway_helpers import day, past_activity, record
from tests.browser.conftest import CHROMIUM_ARGS

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_certificate_page_in_chromium(app, live_server, factories):
    from playwright.sync_api import sync_playwright

    team = factories.org("东山街志愿服务队")
    volunteer = factories.volunteer(team, real_name="林晓琳")
    covered = record(volunteer, past_activity(factories, team, "社区长者探访"), 390, day=day("2026-10-10"))
    number = certificates.issue_certificate(volunteer.account_id)["number"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 640})
        assert page.goto(f"{live_server}/h5/certificates/{number}").status == 200
        assert page.locator("#verdict").inner_text() == "有效"
        assert page.locator("#name").inner_text() == "林**"
        assert page.locator("#hours").inner_text() == "6.5 小时"
        assert page.locator("#number").inner_text() == number
        assert "林晓琳" not in page.locator("body").inner_text()
        page.screenshot(path=str(SHOTS / "certificate-verify.png"), full_page=True)

        db.session.execute(db.update(ServiceRecord).where(ServiceRecord.id == covered.id).values(status="deleted"))
        db.session.commit()
        page.goto(f"{live_server}/h5/certificates/{number}")
        assert "已失效" in page.locator("#verdict").inner_text()
        altered = number[:-1] + ("0" if number[-1] != "0" else "1")
        assert page.goto(f"{live_server}/h5/certificates/{altered}").status == 404
        browser.close()
    assert (SHOTS / "certificate-verify.png").stat().st_size > 5000
