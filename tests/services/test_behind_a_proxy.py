"""TRUSTED_PROXIES: behind a load balancer, the client's address is the one the proxy saw."""
from flask import request

from app import create_app
from tests import conftest


def whoami_app(database_url, redis_url, emulator, tmp_path, **extra):
    application = create_app(conftest.test_config(database_url, redis_url, emulator, upload_dir=tmp_path, **extra))
    application.add_url_rule("/__whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    return application


def test_forwarded_headers_count_only_behind_the_configured_proxies(database_url, redis_url, emulator, tmp_path):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    behind = whoami_app(database_url, redis_url, emulator, tmp_path, TRUSTED_PROXIES="1")
    assert behind.test_client().get("/__whoami", headers=headers).text == "203.0.113.7 https"
    # Without a configured proxy the headers are the client's own words: ignored, so nobody
    # escapes a per-address rate limit by sending them.
    direct = whoami_app(database_url, redis_url, emulator, tmp_path)
    assert direct.test_client().get("/__whoami", headers=headers).text == "127.0.0.1 http"
