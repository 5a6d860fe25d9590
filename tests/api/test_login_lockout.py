"""Guessing stops without letting a stranger lock the owner out: a lock per account and client
address, and past a few wrong passwords on the account from anywhere, a captcha the owner can
read and a script cannot guess past."""
import base64
import io

from PIL import Image

from app.extensions import redis_store
from app.services import captcha
from tests.factories import PASSWORD


def login(client, username, password, ip, **captcha_fields):
    return client.post("/api/v1/auth/login", json={"account": username, "password": password, **captcha_fields},
                       environ_base={"REMOTE_ADDR": ip})


def solved_captcha(client):
    """A captcha and its answer (read back from what the service stored, as a person reads the picture)."""
    served = client.post("/api/v1/auth/captcha").json
    digest = redis_store.client.get(redis_store.key("captcha", served["captcha_id"])).decode()
    return {"captcha_id": served["captcha_id"], "captcha_answer": captcha._answer_for(digest)}


def code(response):
    return response.json["error"]["code"]


def test_a_stranger_guessing_from_elsewhere_does_not_lock_the_owner_out(client, factories):
    volunteer = factories.volunteer(factories.org())
    username = volunteer.account.username
    for i in range(5):
        assert code(login(client, username, f"guess{i}", "203.0.113.9")) == "INVALID_CREDENTIALS"
    locked = login(client, username, PASSWORD, "203.0.113.9")
    assert locked.status_code == 429 and code(locked) == "ACCOUNT_LOCKED"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    # The owner, at home: asked to prove they are a person, then in.
    owner = login(client, username, PASSWORD, "198.51.100.7")
    assert owner.status_code == 403 and code(owner) == "CAPTCHA_REQUIRED"
    owner = login(client, username, PASSWORD, "198.51.100.7", **solved_captcha(client))
    assert owner.status_code == 200, owner.json
    assert owner.json["account"]["username"] == username
    # The stranger's address stays locked.
    assert code(login(client, username, PASSWORD, "203.0.113.9", **solved_captcha(client))) == "ACCOUNT_LOCKED"


def test_guessing_from_many_addresses_goes_on_only_through_captchas(client, factories):
    volunteer = factories.volunteer(factories.org())
    username = volunteer.account.username
    answers = [login(client, username, f"guess{i}", f"192.0.2.{i}") for i in range(5)]
    assert [code(a) for a in answers] == ["INVALID_CREDENTIALS"] * 5
    assert answers[3].json["error"].get("captcha_required") is None
    assert answers[4].json["error"]["captcha_required"] is True  # the client shows one next time
    # A new address: no password is checked without a captcha, not even the right one.
    assert code(login(client, username, PASSWORD, "192.0.2.50")) == "CAPTCHA_REQUIRED"
    assert code(login(client, username, "guess-more", "192.0.2.51")) == "CAPTCHA_REQUIRED"
    wrong = solved_captcha(client)
    wrong["captcha_answer"] = str(int(wrong["captcha_answer"]) + 1)
    assert code(login(client, username, PASSWORD, "192.0.2.52", **wrong)) == "CAPTCHA_INVALID"
    # A captcha is good for one attempt, whatever its answer.
    assert code(login(client, username, PASSWORD, "192.0.2.52", **{**wrong, "captcha_answer": "0"})) == \
        "CAPTCHA_INVALID"
    once = solved_captcha(client)
    assert code(login(client, username, "guess-again", "192.0.2.53", **once)) == "INVALID_CREDENTIALS"
    assert code(login(client, username, PASSWORD, "192.0.2.53", **once)) == "CAPTCHA_INVALID"
    assert login(client, username, PASSWORD, "192.0.2.53", **solved_captcha(client)).status_code == 200


def test_the_captcha_is_a_picture_of_a_small_sum(client):
    served = client.post("/api/v1/auth/captcha")
    assert served.status_code == 200 and served.json["expires_in"] == 300
    assert served.json["image"].startswith("data:image/png;base64,")
    picture = Image.open(io.BytesIO(base64.b64decode(served.json["image"].split(",", 1)[1])))
    assert picture.format == "PNG" and picture.size == (160, 56)
    assert len({served.json["captcha_id"], client.post("/api/v1/auth/captcha").json["captcha_id"]}) == 2
