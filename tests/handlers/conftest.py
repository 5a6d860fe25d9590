"""Fixtures for the callback: WeChat's server in plain mode and in safe mode."""
import pytest

from app import create_app
from tests.conftest import test_config
from tests.handlers.wechat_sim import AES_KEY, WechatServer


@pytest.fixture(scope="session")
def safe_app(app, database_url, redis_url, emulator, tmp_path_factory):
    """A second app on the same database and Redis, configured for safe mode."""
    return create_app(test_config(database_url, redis_url, emulator, WECHAT_AES_KEY=AES_KEY,
                                  upload_dir=tmp_path_factory.mktemp("uploads-safe")))


@pytest.fixture
def plain_wechat(app, client):
    return WechatServer(client, app.config)


@pytest.fixture
def safe_wechat(safe_app, app):
    return WechatServer(safe_app.test_client(), safe_app.config, aes_key=AES_KEY)


@pytest.fixture(params=["plain", "safe"])
def wechat(request, app, client, safe_app):
    """Each test using it runs twice: as WeChat sends in plain mode and in safe mode."""
    if request.param == "plain":
        return WechatServer(client, app.config)
    return WechatServer(safe_app.test_client(), safe_app.config, aes_key=AES_KEY)
