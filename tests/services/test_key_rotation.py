"""Data-key rotation: new data under the newest key, old data readable, and `flask data-keys
rotate` re-encrypting a populated database in resumable batches while the service answers."""
import base64
import os
import threading
import time

from app.extensions import db
from app.models import Account, OutboxMessage
from app.notify import account_texts
from app.notify.outbox import queue_sms
from app.security import key_rotation, pii
from tests.api.accounts_helpers import login

NEW_KEY = os.urandom(32)


def use_keys(app, keys):
    pii.configure(keys, "1")


def test_rotation_re_encrypts_a_populated_database_while_the_service_answers(app, client, factories):
    org = factories.org()
    volunteers = [factories.volunteer(org) for _ in range(40)]
    expected = {v.account.username: (v.account.phone, v.account.id_number) for v in volunteers}
    # a value from before key ids: plain base64, no "<id>." prefix
    legacy_raw = base64.urlsafe_b64decode(pii.encrypt("13700000001").split(".", 1)[1])
    legacy = base64.urlsafe_b64encode(legacy_raw).decode()
    volunteers[0].account.phone = "13700000001"  # its lookup digest
    volunteers[0].account.phone_enc = legacy
    expected[volunteers[0].account.username] = ("13700000001", expected[volunteers[0].account.username][1])
    queue_sms(kind="password_reset", phone_enc=pii.encrypt("13700000002"),
              text=account_texts.temporary_password_sms("Waiting123"), dedupe_key="rot-1")
    db.session.commit()
    old_keys = dict(app.config["DATA_KEYS"])
    try:
        use_keys(app, {**old_keys, "2": NEW_KEY})
        assert pii.key_id_of(pii.encrypt("x")) == "2"  # new data under the newest key
        assert db.session.get(Account, volunteers[1].account_id).phone == expected[volunteers[1].account.username][0]

        failures, answered, stop = [], [], threading.Event()

        def keep_asking():
            """The service answering throughout: logins by phone and profiles read back."""
            names = list(expected)
            i = 0
            while not stop.is_set():
                username = names[i % len(names)]
                phone, id_number = expected[username]
                with app.test_client() as c:
                    # many people's logins, each from an address of its own (one address is rate-limited)
                    c.environ_base["REMOTE_ADDR"] = f"10.{i // 62500 % 250}.{i // 250 % 250}.{i % 250 + 1}"
                    response = login(c, phone, "Passw0rd!")
                    if response.status_code != 200:
                        failures.append((username, response.status_code, response.get_json()))
                    else:
                        profile = c.get("/api/v1/me/profile",
                                        headers={"Authorization": f"Bearer {response.json['token']}"})
                        if (profile.status_code, profile.json.get("phone"), profile.json.get("id_number")) != (
                                200, phone, id_number):
                            failures.append((username, profile.status_code, profile.get_json()))
                        answered.append(username)
                i += 1

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            # a run stopped after three batches, then resumed where it stopped
            pause = lambda *args: time.sleep(0.2)  # noqa: E731 - a long run: requests meet it midway
            first = key_rotation.rotate(batch_size=7, max_batches=3, progress=pause)
            assert first == {"accounts.phone_enc": 21}
            # the legacy value (the first row) was among them
            assert key_rotation.census()["accounts.phone_enc"] == {"2": 21, "1": 19}
            rest = key_rotation.rotate(batch_size=7, progress=pause)
            assert rest["accounts.phone_enc"] == 19 and rest["accounts.id_number_enc"] == 40
        finally:
            stop.set()
            asker.join(timeout=30)
        assert failures == [] and len(answered) >= 3

        census = key_rotation.census()
        assert census["accounts.phone_enc"] == {"2": 40} and census["accounts.id_number_enc"] == {"2": 40}
        assert census["outbox_messages.secret_enc"] == {"2": 1} and census["outbox_messages.recipient"] == {"2": 1}
        assert key_rotation.rotate() == {column: 0 for column in census}  # nothing left to do

        # the old key is no longer needed to read anything
        pii.configure({"2": NEW_KEY})
        db.session.expire_all()
        for volunteer in volunteers:
            account = db.session.get(Account, volunteer.account_id)
            assert (account.phone, account.id_number) == expected[account.username]
        row = db.session.execute(db.select(OutboxMessage)).scalar_one()
        assert pii.decrypt(row.recipient) == "13700000002" and "Waiting123" in pii.decrypt(row.secret_enc)
    finally:
        pii.configure(old_keys, app.config["DATA_LOOKUP_KEY_ID"])
