"""Hostile bodies over real HTTP, to the service as scripts/serve runs it (gunicorn, safe mode):
each is refused with a 4xx in under a second, and a signed message is answered after each."""
import select
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from handlers import replies
from scripts.wechat_play import DEV_APPID, DEV_TOKEN, WechatPeer
from tests.handlers.test_callback_safety import BOMB, EXTERNAL, HUGE, NOT_XML
from tests.handlers.wechat_sim import AES_KEY

ROOT = Path(__file__).resolve().parents[2]


def chunked(body, size=64 * 1024):
    """The body in HTTP/1.1 chunked encoding: no Content-Length for the server to refuse on."""
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


@contextmanager
def served(env, log_path):
    """scripts/serve until the block ends (SIGTERM), its output in log_path."""
    base = f"http://127.0.0.1:{env['PORT']}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(ROOT / "scripts" / "serve")], env=env, cwd=ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.time() + 90
            while True:
                try:
                    if requests.get(base + "/healthz", timeout=3).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still booting
                    pass
                if time.time() > deadline or process.poll() is not None:
                    pytest.fail(f"scripts/serve did not come up; its output:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def post_raw(port, path, head, body, timeout=10.0):
    """POST over a plain socket, reading while sending: a server that refuses a large body answers
    without reading it and closes, which a client that sends everything first would see as a reset.
    → (HTTP status or None, seconds until the status line arrived)."""
    started = time.monotonic()
    deadline = started + timeout
    answer, rest = b"", memoryview(body)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                     f"{head}\r\nConnection: close\r\n\r\n".encode())
        sock.setblocking(False)
        while b"\r\n" not in answer and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock] if rest else [], [], 0.05)
            try:
                if readable:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
                elif writable:
                    rest = rest[sock.send(rest[:256 * 1024]):]
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                rest = rest[:0]  # the server stopped reading; its answer, if any, is already here
                if not readable:
                    continue
                break
    seconds = time.monotonic() - started
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else None
    return status, seconds


HOSTILE = [
    ("entity bomb", BOMB, None),
    ("external entity", EXTERNAL, None),
    ("11 MB", HUGE, None),
    ("11 MB, chunked", HUGE, "chunked"),
    ("not XML", NOT_XML, None),
]


def test_hostile_bodies_over_http_are_refused_fast_and_the_served_service_keeps_answering(serve_env, tmp_path):
    serve_env["WECHAT_AES_KEY"] = AES_KEY  # safe mode, as production runs it
    peer = WechatPeer(DEV_TOKEN, DEV_APPID, AES_KEY)
    with served(serve_env, tmp_path / "serve.log") as base:
        session = requests.Session()

        def answered():
            query, body = peer.envelope(peer.text("hostile-watch", "帮助"))
            response = session.post(base + "/wechat/callback", params=query, data=body,
                                    headers={"Content-Type": "text/xml"}, timeout=5)
            assert response.status_code == 200, response.text[:200]
            return peer.read_reply(response.content)["Content"]

        assert answered() == replies.HELP
        for i, (name, body, encoding) in enumerate(HOSTILE):
            query = peer.query(str(int(time.time())), f"hostile-{i}")  # signed: the body gets parsed
            path = "/wechat/callback?" + "&".join(f"{k}={v}" for k, v in query.items())
            if encoding == "chunked":
                head, body = "Transfer-Encoding: chunked", chunked(body)
            else:
                head = f"Content-Length: {len(body)}"
            status, seconds = post_raw(int(serve_env["PORT"]), path, head, body)
            assert status is not None and 400 <= status < 500, (name, status)
            assert seconds < 1.0, (name, seconds)
            assert answered() == replies.HELP, name
