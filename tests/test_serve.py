"""scripts/serve as a newcomer runs it: one command, demo data, gunicorn, worker, emulator."""
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


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
