"""The deployment files, checked as far as this machine can without a Docker daemon or systemd as
PID 1: the compose file through the compose CLI's own `config` (the `docker compose` plugin, or the
standalone `docker-compose`), the systemd units through `systemd-analyze verify`, the Dockerfile's
shape read as text, and the image's entrypoint run as it is, without Docker."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from scripts.scratch import free_port

pytestmark = pytest.mark.hosts

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = {"SECRET_KEY": "k" * 32, "DATA_KEY": "ZGV2LWRhdGEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE=",
            "MARIADB_PASSWORD": "p", "WECHAT_APPID": "wx1", "WECHAT_SECRET": "s", "WECHAT_TOKEN": "t",
            "MINIPROGRAM_APPID": "wx2", "MINIPROGRAM_SECRET": "m", "PUBLIC_BASE_URL": "https://izyz.example.org"}


def compose_cli():
    """The compose command this machine has: Docker's plugin, else the standalone one, else None."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_the_compose_file_is_valid_and_runs_two_web_two_workers_mariadb_and_redis():
    cli = compose_cli()
    if cli is None:
        pytest.skip("no compose CLI here (`docker compose` plugin or docker-compose)")
    command = cli + ["-f", str(DEPLOY / "compose.yaml")]
    env = {**{k: v for k, v in os.environ.items() if k not in SETTINGS}, **SETTINGS}
    checked = subprocess.run(command + ["config", "-q"], capture_output=True, text=True, env=env, timeout=60)
    assert checked.returncode == 0, checked.stderr
    services = subprocess.run(command + ["config", "--services"], capture_output=True, text=True, env=env,
                              timeout=60).stdout.split()
    assert set(services) == {"mariadb", "redis", "migrate", "web1", "web2", "worker1", "worker2"}
    # A secret left out is refused, not defaulted.
    without = {k: v for k, v in env.items() if k != "SECRET_KEY"}
    refused = subprocess.run(command + ["config", "-q"], capture_output=True, text=True, env=without, timeout=60)
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr


def test_the_systemd_units_verify(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("no systemd-analyze here")
    units = sorted((DEPLOY / "systemd").glob("izyz-*"))
    assert {u.name for u in units} == {"izyz-web.service", "izyz-worker.service", "izyz-scheduler.service",
                                       "izyz-scheduler.timer"}
    for unit in units:  # installed where this checkout is, instead of /opt/izyz
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/izyz", str(ROOT)))
    verified = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                              capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == "", verified.stderr


def test_the_dockerfile_is_multi_stage_non_root_with_a_healthcheck():
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    assert len(stages) >= 2
    final = lines[stages[-1]:]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK") for line in final) and any("/healthz" in line for line in final)
    assert any(line.startswith("COPY --from=") for line in final)
    for line in final:
        if line.startswith("COPY ") and not line.startswith("COPY --from"):
            assert (ROOT / line.split()[1]).exists(), line
    assert 'ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]' in final
    assert os.access(DEPLOY / "docker-entrypoint.sh", os.X_OK)


def test_the_entrypoint_runs_without_docker_serves_and_drains_on_sigterm(app, tmp_path):
    entrypoint = str(DEPLOY / "docker-entrypoint.sh")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PROMETHEUS_"))}
    env.update({"PYTHON": sys.executable, "APP_ENV": "testing", "PORT": str(port), "HOST": "127.0.0.1",
                "WEB_CONCURRENCY": "1", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "REDIS_URL": app.config["REDIS_URL"], "REDIS_PREFIX": app.config["REDIS_PREFIX"],
                "DRAIN_SECONDS": "1", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")})
    assert subprocess.run([entrypoint, "bogus"], env=env, capture_output=True, timeout=30).returncode == 64
    migrated = subprocess.run([entrypoint, "migrate"], env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    log = open(tmp_path / "web.log", "wb")
    web = subprocess.Popen([entrypoint, "web"], env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.time() < deadline and web.poll() is None, (tmp_path / "web.log").read_text()[-2000:]
            time.sleep(0.2)
        assert "izyz_http_requests_total" in requests.get(base + "/metrics", timeout=5).text
        web.send_signal(signal.SIGTERM)  # the entrypoint exec'd gunicorn: the signal reaches its master
        time.sleep(0.3)
        draining = requests.get(base + "/healthz", timeout=2)
        assert draining.status_code == 503 and draining.json()["status"] == "draining"
        assert web.wait(timeout=40) == 0
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
        log.close()
