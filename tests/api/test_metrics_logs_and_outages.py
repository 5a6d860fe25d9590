"""GET /metrics, request ids, JSON log lines without personal data, and 503 when a dependency is down
(in process; the served, multiprocess side is in tests/hosts/)."""
import io
import json
import logging
import time

import pytest

from app import create_app, logging_setup, request_id
from app.config import ConfigError
from app.extensions import jobs
from app.redis_url import RedisUrlError, parse_sentinel_url
from scripts.scratch import free_port
from tests import conftest
from tests.activity_helpers import bearer, bind_mp

config = conftest.test_config  # (imported by name, pytest would collect it as a test)


def test_metrics_are_served_to_loopback_in_prometheus_text(client, factories):
    org = factories.org()
    client.get(f"/api/v1/organisations/{org.id}")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=0.0.4")
    text = response.get_data(as_text=True)
    assert 'izyz_http_requests_total{method="GET",route="/api/v1/organisations/<int:org_id>",status="200"}' in text
    for name in ("izyz_http_request_duration_seconds_bucket", "izyz_outbox_messages", "izyz_job_queue_length",
                 "izyz_outbox_oldest_due_age_seconds", "izyz_callback_messages", "izyz_clock_ins",
                 "izyz_deliveries", "izyz_wechat_token_refreshes", "izyz_db_pool_connections"):
        assert name in text, name


def test_metrics_are_refused_to_other_addresses_also_behind_a_trusted_proxy(app, client, database_url, redis_url,
                                                                            emulator, tmp_path):
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 403 and outside.json["error"]["code"] == "FORBIDDEN"
    proxied = create_app(config(database_url, redis_url, emulator, upload_dir=tmp_path, TRUSTED_PROXIES="1",
                                     METRICS_ALLOW="10.0.0.0/8"))
    with proxied.test_client() as behind:
        # The load balancer (loopback here) forwards an outside client: refused.
        assert behind.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
        assert behind.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
    with pytest.raises(ConfigError):
        create_app(config(database_url, redis_url, emulator, upload_dir=tmp_path, METRICS_ALLOW="nowhere"))


def test_each_request_gets_an_id_and_a_proxy_s_only_when_trusted(client, database_url, redis_url, emulator, tmp_path):
    first, second = client.get("/healthz"), client.get("/healthz", headers={"X-Request-Id": "from-a-client"})
    assert len(first.headers["X-Request-Id"]) == 16
    assert second.headers["X-Request-Id"] not in ("from-a-client", first.headers["X-Request-Id"])
    proxied = create_app(config(database_url, redis_url, emulator, upload_dir=tmp_path, TRUSTED_PROXIES="1"))
    answer = proxied.test_client().get("/healthz", headers={"X-Request-Id": "lb-7f3a"})
    assert answer.headers["X-Request-Id"] == "lb-7f3a"
    odd = proxied.test_client().get("/healthz", headers={"X-Request-Id": "bad id; with=spaces"})
    assert odd.headers["X-Request-Id"] != "bad id; with=spaces"


def test_jobs_queued_by_a_request_carry_its_id(client, factories):
    org = factories.org()
    activity = factories.activity(org)
    volunteer = factories.volunteer(org)
    bind_mp(volunteer)
    factories.enroll(activity, volunteer, status="pending")
    response = client.post(f"/api/v1/admin/activities/{activity.id}/admissions",
                           json={"volunteer_ids": [volunteer.id]}, headers=bearer(factories.admin(org)))
    assert response.status_code == 200
    queued = jobs.queue.get_jobs()
    assert queued and {job.meta.get("request_id") for job in queued} == {response.headers["X-Request-Id"]}
    assert {job.description for job in queued} == {"app.notify.delivery.deliver_message(…)"}  # no arguments
    with request_id.bound("job-parent"):
        child = jobs.enqueue(time.time)
    assert child.meta["request_id"] == "job-parent"


def test_log_lines_are_json_with_the_request_id_and_no_personal_data_or_secrets():
    logging_setup.add_secrets("a-very-secret-wechat-secret")
    stream = io.StringIO()
    logger = logging.getLogger("izyz.test.json")
    logger.propagate = False
    logger.addHandler(logging_setup.json_handler(stream))
    logger.setLevel(logging.INFO)
    with request_id.bound("abc123"):
        logger.warning("sms to 13912345678 for 李 with ID 44010419950101123X, mail li.ming@example.org, "
                       "GET /cgi-bin/token?appid=wx1&secret=a-very-secret-wechat-secret, Bearer tok.en-1, "
                       "/sns/jscode2session?js_code=0a1b&openid=o-123")
    line = stream.getvalue().strip()
    record = json.loads(line)
    assert record["request_id"] == "abc123" and record["level"] == "WARNING" and "time" in record
    for leaked in ("13912345678", "44010419950101123X", "li.ming@", "a-very-secret", "tok.en-1", "0a1b", "o-123"):
        assert leaked not in line, leaked
    assert "139****5678" in record["message"]


def test_an_unreachable_database_answers_503_in_the_envelope_at_once(database_url, redis_url, emulator, tmp_path):
    down = create_app(config(f"mysql+pymysql://root@127.0.0.1:{free_port()}/nowhere", redis_url, emulator,
                                  upload_dir=tmp_path))
    started = time.monotonic()
    response = down.test_client().get("/api/v1/activities")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json["error"]["code"] == "SERVICE_UNAVAILABLE" and response.headers["Retry-After"] == "1"
    health = down.test_client().get("/healthz")
    assert health.status_code == 503 and health.json["database"].startswith("down")


def test_an_unreachable_redis_answers_503_in_the_envelope(database_url, emulator, tmp_path):
    down = create_app(config(database_url, f"redis://127.0.0.1:{free_port()}/0", emulator, upload_dir=tmp_path))
    response = down.test_client().post("/api/v1/verification-codes",
                                       json={"phone": "13912345678", "purpose": "register"})
    assert response.status_code == 503 and response.json["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_sentinel_urls_are_read_or_refused():
    settings = parse_sentinel_url("redis+sentinel://:pw@10.0.0.1:26379,10.0.0.2,[::1]:26380/izyz/2"
                                  "?sentinel_password=sp")
    assert settings.sentinels == [("10.0.0.1", 26379), ("10.0.0.2", 26379), ("::1", 26380)]
    assert (settings.service, settings.db, settings.password, settings.sentinel_password) == ("izyz", 2, "pw", "sp")
    for bad in ("redis+sentinel:///izyz", "redis+sentinel://h:1", "redis+sentinel://h:x/izyz",
                "redis+sentinel://h:1/izyz/x"):
        with pytest.raises(RedisUrlError):
            parse_sentinel_url(bad)
