"""The card's public page in headless Chromium: what a stranger scanning the card sees."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.services import card
from tests.factories import Factories

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_card_page_in_chromium(app, live_server, factories: Factories):
    from playwright.sync_api import sync_playwright

    org = factories.org()
    volunteer = factories.volunteer(org, real_name="林晓琳", face_checked=True)
    volunteer.total_minutes = 36_630  # 610.5 h: 三星
    db.session.commit()
    link = card.card_link(volunteer.account)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        page = browser.new_page(viewport={"width": 390, "height": 640})
        response = page.goto(f"{live_server}/h5/card/{link['token']}")
        assert response.status == 200
        assert page.locator("#name").inner_text() == "林**"
        assert page.locator("#number").inner_text() == volunteer.volunteer_number
        assert page.locator("#hours").inner_text() == "610.5 小时"
        assert page.locator("#stars").inner_text() == "★★★☆☆"
        assert page.locator("#star-label").inner_text() == "三星"
        text = page.locator("body").inner_text()
        assert "林晓琳" not in text and volunteer.account.id_number not in text and volunteer.account.phone not in text
        page.screenshot(path=str(SHOTS / "card.png"), full_page=True)
        assert page.goto(f"{live_server}/h5/card/AAAAAAAAAAAAAAAAAAAA").status == 404
        browser.close()
    assert (SHOTS / "card.png").stat().st_size > 5000


def test_my_code_page_shows_the_rotating_personal_code(app, live_server, factories: Factories):
    from playwright.sync_api import sync_playwright

    from app.services.sessions import issue_token

    volunteer = factories.volunteer(factories.org(), face_checked=True)
    token, _ = issue_token(3600, account_id=volunteer.account_id)
    db.session.commit()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        page = browser.new_page(viewport={"width": 390, "height": 640})
        page.goto(f"{live_server}/h5/card/my-code#token={token}")
        page.wait_for_function("document.getElementById('code').getAttribute('src')")
        src = page.locator("#code").get_attribute("src")
        assert "/api/v1/attendance/codes/P" in src and src.endswith(".png")
        page.goto(f"{live_server}/h5/card/my-code")
        assert "请从 i志愿" in page.locator("#hint").inner_text()
        assert page.get_attribute("#session-code a", "href") == "/h5/me/code"  # the city-service pages' own
        browser.close()
