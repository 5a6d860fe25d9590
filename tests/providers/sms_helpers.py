"""Point the service's SMS at a provider played by the emulator, through the provider's SDK."""
import requests

from app.notify.sms_templates import REQUIRED_KINDS, provider_forms
from scripts.emulator import SMS_KEYS, TENCENT_SDK_APP_ID

TEMPLATE_IDS = {kind: str(2000 + n) for n, kind in enumerate(REQUIRED_KINDS)}


def use_provider(app, monkeypatch, emulator, provider, **extra):
    """Approve our templates at the emulated provider and configure the app to use its SDK."""
    index = 0 if provider == "tencent" else 1
    templates = {TEMPLATE_IDS[kind]: provider_forms(kind)[index] for kind in REQUIRED_KINDS}
    requests.post(emulator.url + "/__emulator__/sms-templates",
                  json={"provider": provider, "templates": templates, "signs": ["i志愿"]}, timeout=5).raise_for_status()
    [(key_id, secret)] = SMS_KEYS[provider].items()
    settings = {"SMS_PROVIDER": provider, "SMS_TEMPLATES": dict(TEMPLATE_IDS), "SMS_SIGN_NAME": "i志愿",
                "SMS_TIMEOUT_SECONDS": 5}
    if provider == "tencent":
        settings.update(TENCENTCLOUD_SECRET_ID=key_id, TENCENTCLOUD_SECRET_KEY=secret,
                        TENCENTCLOUD_SMS_SDK_APP_ID=TENCENT_SDK_APP_ID, TENCENTCLOUD_SMS_ENDPOINT=emulator.url)
    else:
        settings.update(ALIYUN_ACCESS_KEY_ID=key_id, ALIYUN_ACCESS_KEY_SECRET=secret, ALIYUN_SMS_ENDPOINT=emulator.url)
    settings.update(extra)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)


def fail(emulator, **spec):
    requests.post(emulator.url + "/__emulator__/fail", json=spec, timeout=5).raise_for_status()
