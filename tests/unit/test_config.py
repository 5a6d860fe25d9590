import pytest

from app.config import ConfigError, load_config, parse_boolean

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 32,
    "DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "DATABASE_URL": "mysql+pymysql://u:p@db/izyz",
    "REDIS_URL": "redis://cache:6379/0",
    "WECHAT_APPID": "wx1",
    "WECHAT_SECRET": "sec",
    "WECHAT_TOKEN": "tok",
    "MINIPROGRAM_APPID": "wx2",
    "MINIPROGRAM_SECRET": "sec2",
    "PUBLIC_BASE_URL": "https://izyz.example.org",
}


def test_development_starts_with_no_configuration():
    config = load_config(env={})
    assert config["APP_ENV"] == "development"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["REDIS_URL"] == ""  # → embedded Redis beside the SQLite file
    assert config["EMBEDDED_REDIS_FILE"].endswith("izyz.redis.db")
    assert config["CLOCK_CODE_SECONDS"] == 120


def test_production_with_every_secret_starts():
    config = load_config(env=PRODUCTION)
    assert config["APP_ENV"] == "production"
    assert config["WECHAT_API_BASE"] == "https://api.weixin.qq.com"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_KEY", "WECHAT_SECRET", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_config(env=env)


def test_production_never_takes_the_development_secret():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    with pytest.raises(ConfigError):
        load_config(env=env)


def test_production_refuses_demo_data():
    with pytest.raises(ConfigError, match="DEMO_DATA"):
        load_config(env={**PRODUCTION, "DEMO_DATA": "1"})


def test_create_app_refuses_production_without_secrets():
    from app import create_app

    with pytest.raises(ConfigError):
        create_app({"APP_ENV": "production", "SECRET_KEY": ""})


def test_unknown_mode_and_bad_values_are_refused():
    with pytest.raises(ConfigError):
        load_config(env={"APP_ENV": "staging"})
    with pytest.raises(ConfigError):
        load_config(env={"CLOCK_CODE_SECONDS": "two minutes"})
    with pytest.raises(ConfigError):
        load_config(env={"DATA_KEY": "c2hvcnQ="})


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("0", False), ("false", False), ("", False)])
def test_parse_boolean(raw, expected):
    assert parse_boolean(raw, "X") is expected


def test_parse_boolean_refuses_what_it_does_not_know():
    with pytest.raises(ConfigError):
        parse_boolean("maybe", "X")


def test_the_h5_cookie_is_https_only_when_the_public_origin_is_https():
    assert load_config(env=PRODUCTION)["SESSION_COOKIE_SECURE"] is True
    development = load_config(env={})
    assert development["SESSION_COOKIE_SECURE"] is False  # http://127.0.0.1 in development
    assert development["SESSION_COOKIE_HTTPONLY"] is True and development["SESSION_COOKIE_SAMESITE"] == "Lax"
