import pytest

from app.config import ConfigError, load_config, parse_boolean
from app.notify.sms_templates import REQUIRED_KINDS as SMS_KINDS

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
    # providers: SMS (Tencent Cloud), mail (SMTP); the identity checker stays at its default
    "SMS_PROVIDER": "tencent",
    "TENCENTCLOUD_SECRET_ID": "AKIDexample",
    "TENCENTCLOUD_SECRET_KEY": "tc-secret",
    "TENCENTCLOUD_SMS_SDK_APP_ID": "1400000001",
    "SMS_SIGN_NAME": "i志愿",
    "SMS_TEMPLATES": ",".join(f"{kind}={1000 + n}" for n, kind in enumerate(SMS_KINDS)),
    "MAIL_PROVIDER": "smtp",
    "SMTP_HOST": "smtp.example.org",
    "SMTP_FROM": "noreply@example.org",
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


# --- providers: production refuses an emulator gateway, an empty provider setting, the local checker ---

@pytest.mark.parametrize("changes,named", [
    ({"SMS_PROVIDER": "emulator"}, "SMS_PROVIDER"),
    ({"SMS_PROVIDER": ""}, "SMS_PROVIDER"),
    ({"SMS_PROVIDER": None}, "SMS_PROVIDER"),
    ({"TENCENTCLOUD_SECRET_KEY": ""}, "TENCENTCLOUD_SECRET_KEY"),
    ({"TENCENTCLOUD_SMS_SDK_APP_ID": None}, "TENCENTCLOUD_SMS_SDK_APP_ID"),
    ({"SMS_PROVIDER": "aliyun"}, "ALIYUN_ACCESS_KEY_ID"),
    ({"SMS_SIGN_NAME": ""}, "SMS_SIGN_NAME"),
    ({"SMS_TEMPLATES": "verification_code=1"}, "SMS_TEMPLATES has no template id for password_reset"),
    ({"MAIL_PROVIDER": "emulator"}, "MAIL_PROVIDER"),
    ({"MAIL_PROVIDER": None}, "MAIL_PROVIDER"),
    ({"SMTP_HOST": ""}, "SMTP_HOST"),
    ({"SMTP_SECURITY": "none"}, "SMTP_SECURITY"),
    ({"IDENTITY_CHECKER": "local"}, "IDENTITY_CHECKER=local"),
    ({"IDENTITY_CHECKER": ""}, "IDENTITY_CHECKER"),
    ({"IDENTITY_CHECKER": "http"}, "IDENTITY_API_URL"),
])
def test_production_refuses_an_unsafe_provider_setting_and_names_it(changes, named):
    env = dict(PRODUCTION)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    with pytest.raises(ConfigError, match=named):
        load_config(env=env)


def test_create_app_refuses_production_with_the_sms_emulator():
    from app import create_app

    with pytest.raises(ConfigError, match="SMS_PROVIDER"):
        create_app({**PRODUCTION, "SMS_PROVIDER": "emulator"})


def test_production_with_real_providers_starts():
    aliyun = {**PRODUCTION, "SMS_PROVIDER": "aliyun", "ALIYUN_ACCESS_KEY_ID": "LTAI", "ALIYUN_ACCESS_KEY_SECRET": "x",
              "IDENTITY_CHECKER": "http", "IDENTITY_API_URL": "https://idcheck.example.org/verify",
              "IDENTITY_API_KEY": "k", "IDENTITY_API_SECRET": "s", "SMTP_SECURITY": "ssl"}
    config = load_config(env=aliyun)
    assert config["SMS_PROVIDER"] == "aliyun" and config["IDENTITY_CHECKER"] == "http"
    assert config["SMTP_PORT"] == 465
    assert config["SMS_TEMPLATES"]["verification_code"] == "1000"


def test_data_keys_with_ids_newest_last():
    import base64

    old, new = base64.b64encode(b"o" * 32).decode(), base64.b64encode(b"n" * 32).decode()
    config = load_config(env={"DATA_KEYS": f"2025:{old},2026:{new}"})
    assert list(config["DATA_KEYS"]) == ["2025", "2026"]
    assert config["DATA_LOOKUP_KEY_ID"] == "2025"
    with pytest.raises(ConfigError, match="DATA_KEYS"):
        load_config(env={"DATA_KEYS": f"2025:{old},2026:c2hvcnQ="})
    with pytest.raises(ConfigError, match="twice"):
        load_config(env={"DATA_KEYS": f"a:{old},a:{new}"})
    with pytest.raises(ConfigError, match="DATA_LOOKUP_KEY_ID"):
        load_config(env={"DATA_KEYS": f"a:{old}", "DATA_LOOKUP_KEY_ID": "b"})
