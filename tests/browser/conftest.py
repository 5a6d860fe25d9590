"""Shared pieces of the page tests: Chromium's flags here, and the app on a real port."""
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from tests.conftest import test_config as config_for_tests

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def oauth_live_server(app, database_url, redis_url, emulator, tmp_path_factory):
    """The app on a real port, with PUBLIC_BASE_URL pointing at that port (OAuth returns there)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    live_app = create_app(config_for_tests(database_url, redis_url, emulator, PUBLIC_BASE_URL=base,
                                      upload_dir=tmp_path_factory.mktemp("uploads-live")))
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


