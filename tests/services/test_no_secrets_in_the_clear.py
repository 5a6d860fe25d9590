"""No secrets in the clear: the flows that handle codes, temporary passwords and phone numbers
run (registration code, recovery by SMS and by mail, an admin's reset, every notice, an objection
with a contact phone, an admin's search by phone), then the database files (or every table, on
MariaDB), every Redis key of ours (RQ's job data decompressed) and the captured log lines are
scanned for each secret and phone number used."""
import logging
import re
import zlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from app.extensions import db, redis_store
from app.models import Objection, ServiceRecord
from app.notify import account_texts
from app.notify.outbox import queue_message
from app.notify.templates import sms_text
from app.timeutil import utcnow
from tests.activity_helpers import bind_mp
from tests.api.accounts_helpers import last_code, register, request_code
from tests.providers.sms_helpers import use_provider

NOTICE = {"title": "海珠湿地清洁", "result": "已录用", "start": "2026-12-01 09:00", "place": "海珠湿地",
          "org": "东山街志愿服务队", "reason": "天气原因", "name": "李小明", "activity": "海珠湿地清洁",
          "minutes": "3 小时", "total": "10 小时", "volunteer": "李小明", "text": "时长有误"}


def database_text(app):
    """Everything the database holds, as bytes: the SQLite files themselves (freed pages included),
    or every row of every table on MariaDB."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    if url.startswith("sqlite:///"):
        db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
        path = Path(url[len("sqlite:///"):])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    dump = []
    for table in db.metadata.sorted_tables:
        dump += [repr(tuple(row)) for row in db.session.execute(table.select())]
    return "\n".join(dump).encode()


def redis_text():
    """Every value under our prefix and every RQ key of our queue, RQ's compressed job data opened."""
    client, prefix = redis_store.client, redis_store.prefix
    keys = set(client.scan_iter(match=prefix + "*")) | set(client.scan_iter(match=f"rq:*{prefix}*"))
    found = []
    for key in keys:
        kind = client.type(key).decode()
        if kind == "string":
            found.append(client.get(key))
        elif kind == "hash":
            for field, value in client.hgetall(key).items():
                found += [field, value]
                if field == b"data":
                    try:
                        found.append(zlib.decompress(value))
                    except zlib.error:
                        pass
        elif kind == "list":
            found += client.lrange(key, 0, -1)
        elif kind == "set":
            found += list(client.smembers(key))
        elif kind == "zset":
            found += client.zrange(key, 0, -1)
        found.append(key)
    return b"\n".join(v if isinstance(v, bytes) else str(v).encode() for v in found)


def test_secrets_and_phone_numbers_are_nowhere_in_the_clear(app, client, factories, emulator, run_jobs,
                                                           monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    use_provider(app, monkeypatch, emulator, "tencent")  # the real SDK, its own logging included
    org = factories.org()
    admin = factories.admin(org)
    admin_headers = factories.login(client, admin)
    secrets, phones = [], []

    # registration code
    response, body = register(client, emulator, run_jobs, org)
    assert response.status_code == 201, response.json
    secrets.append(body["sms_code"])
    phones.append(body["phone"])

    # recovery by SMS and by mail
    volunteer = factories.volunteer(org)
    volunteer.account.email = "li@example.org"
    db.session.commit()
    phones.append(volunteer.account.phone)
    by_sms = client.post("/api/v1/password-recovery/code", json={"account": volunteer.account.username})
    assert by_sms.status_code == 202
    assert client.post("/api/v1/password-recovery/code",
                       json={"account": "li@example.org", "channel": "email"}).status_code == 202
    run_jobs()
    secrets.append(last_code(emulator, phone=volunteer.account.phone))
    secrets.append(last_code(emulator, email="li@example.org"))

    # an admin's reset: the temporary password by SMS
    other = factories.volunteer(org)
    phones.append(other.account.phone)
    assert client.post(f"/api/v1/admin/volunteers/{other.id}/password-reset", headers=admin_headers).status_code == 200
    run_jobs()
    temporary = re.search(r"临时密码为 (\w+)", emulator.state.sent[-1]["text"]).group(1)
    secrets.append(temporary)

    # every notice, by template message and SMS
    bind_mp(volunteer)
    for n, kind in enumerate(("review_result", "invitation", "admission", "removal", "activity_revoked",
                              "hours_recorded", "objection_filed")):
        queue_message(kind=kind, account_id=volunteer.account_id, fields=NOTICE, dedupe_key=f"notice:{n}",
                      sms_text=sms_text(kind, NOTICE) if kind in ("invitation", "admission", "removal",
                                                                  "activity_revoked")
                      else account_texts.review_result_sms(False, "资料不全") if kind == "review_result" else None)
    db.session.commit()
    request_code(client, "13655556666", purpose="register", ip="10.1.1.1")  # and a code to a new number
    phones.append("13655556666")
    run_jobs()

    # an objection with the objector's phone; an admin's search by phone
    activity = factories.activity(org)
    record = ServiceRecord(volunteer_id=volunteer.id, activity_id=activity.id, org_id=org.id, minutes=60,
                           source="clock", status="effective", recorded_at=utcnow(),
                           public_until=utcnow() + timedelta(days=30))
    db.session.add(record)
    db.session.flush()
    db.session.add(Objection(record_id=record.id, text="不是他", contact="13522223333"))
    db.session.commit()
    phones.append("13522223333")
    searched = client.get(f"/api/v1/admin/volunteers?keyword={other.account.phone}", headers=admin_headers)
    assert searched.status_code == 200
    assert len([m for m in emulator.state.sent if m["channel"] == "sms"]) >= 8  # the flows really sent

    stored, cached, logged = database_text(app), redis_text(), caplog.text.encode()
    for secret in secrets + phones:
        needle = secret.encode()
        assert needle not in stored, f"{secret} in the database"
        assert needle not in cached, f"{secret} in Redis"
        assert needle not in logged, f"{secret} in a log line"
    # one-time secrets are erased once sent: no encrypted copy waits either
    assert db.session.execute(text("SELECT COUNT(*) FROM outbox_messages WHERE secret_enc IS NOT NULL")).scalar() == 0


def test_the_access_log_line_has_no_query_string():
    """gunicorn's line for an admin's search by phone, as deploy/gunicorn.conf.py's logger writes it
    (app/logging_setup.GunicornLogger: the route, never the path's query string or the referrer)."""
    import io
    import json
    from types import SimpleNamespace

    from gunicorn.config import Config

    from app.logging_setup import GunicornLogger

    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(stream)
    request = SimpleNamespace(headers=[], method="GET", path="/api/v1/admin/volunteers",
                              query="keyword=13812345678", uri="/api/v1/admin/volunteers?keyword=13812345678",
                              version=(1, 1))
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    environ = {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/admin/volunteers",
               "QUERY_STRING": "keyword=13812345678", "RAW_URI": "/api/v1/admin/volunteers?keyword=13812345678",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": "https://x/?phone=13812345678",
               "izyz.route": "/api/v1/admin/volunteers"}
    logger.access(response, request, environ, timedelta(milliseconds=5))
    line = stream.getvalue()
    assert json.loads(line)["route"] == "/api/v1/admin/volunteers" and "13812345678" not in line
