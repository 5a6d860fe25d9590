"""SMS through the real SDKs (Tencent Cloud, Alibaba Cloud) to the emulator, which checks their
request signatures and answers with the providers' documented error codes."""
import pytest

from app.extensions import db
from app.models import OutboxMessage
from app.notify import account_texts
from app.notify.outbox import queue_sms
from app.security import pii
from tests.api.accounts_helpers import error_code, register, request_code
from tests.providers.sms_helpers import TEMPLATE_IDS, fail, use_provider

PROVIDERS = ["tencent", "aliyun"]
LIMIT = {"tencent": "LimitExceeded.PhoneNumberDailyLimit", "aliyun": "isv.BUSINESS_LIMIT_CONTROL"}
BALANCE = {"tencent": "FailedOperation.InsufficientBalanceInSmsPackage", "aliyun": "isv.AMOUNT_NOT_ENOUGH"}
SECRET = {"tencent": "TENCENTCLOUD_SECRET_KEY", "aliyun": "ALIYUN_ACCESS_KEY_SECRET"}


def sms_rows():
    db.session.rollback()
    query = db.select(OutboxMessage).filter_by(channel="sms").order_by(OutboxMessage.id)
    return db.session.execute(query).scalars().all()


def send_notice(phone, kind="review_approved", key="n1"):
    texts = {"review_approved": account_texts.review_result_sms(True),
             "password_reset": account_texts.temporary_password_sms("Temp12345a")}
    queue_sms(kind=kind, phone_enc=pii.encrypt(phone), text=texts[kind], dedupe_key=key)
    db.session.commit()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_registration_code_goes_through_the_providers_sdk_with_a_valid_signature(
        provider, app, client, factories, emulator, run_jobs, monkeypatch):
    use_provider(app, monkeypatch, emulator, provider)
    response, body = register(client, emulator, run_jobs, factories.org())
    assert response.status_code == 201, response.json
    [sms] = [m for m in emulator.state.sent if m["channel"] == "sms"]
    # the emulator accepted the SDK's signature (TC3-HMAC-SHA256 / ACS3-HMAC-SHA256) and template
    assert sms["provider"] == provider and sms["phone"] == body["phone"]
    assert sms["template_id"] == TEMPLATE_IDS["verification_code"] and sms["sign"] == "i志愿"
    assert body["sms_code"] in (sms["params"] if provider == "tencent" else sms["params"].values())
    [row] = sms_rows()
    assert row.status == "sent" and row.secret_enc is None  # the code is erased once sent
    assert body["sms_code"] not in str(row.payload) and body["phone"] not in row.recipient


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_wrong_secret_fails_the_signature_check_and_is_retried(provider, app, factories, emulator, run_jobs,
                                                                 monkeypatch):
    use_provider(app, monkeypatch, emulator, provider)
    monkeypatch.setitem(app.config, SECRET[provider], "not-the-secret")
    send_notice("13912345678")
    run_jobs()
    [row] = sms_rows()
    assert emulator.state.sent == []
    assert row.status == "failed" and "密钥或签名" in row.last_error  # someone must fix the key; it retries


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_providers_daily_limit_gives_up_and_holds_the_numbers_code_requests_back(
        provider, app, client, factories, emulator, run_jobs, monkeypatch):
    use_provider(app, monkeypatch, emulator, provider)
    emulator.app.extensions["emulator_state"].sms_per_day = 1
    phone = "13912345001"
    send_notice(phone)
    run_jobs()
    assert request_code(client, phone).status_code == 202
    run_jobs()
    notice, code = sms_rows()
    assert notice.status == "sent"
    assert code.status == "given_up" and LIMIT[provider] in code.last_error and "限频" in code.last_error
    assert code.secret_enc is None
    # the provider refuses that number until tomorrow: we say so at once instead of sending in vain
    again = client.post("/api/v1/verification-codes", json={"phone": phone, "purpose": "register"},
                        environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert again.status_code == 429 and error_code(again) == "CODE_RATE_LIMITED"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unapproved_template_and_a_bad_number_are_given_up_with_the_reason(provider, app, factories, emulator,
                                                                              run_jobs, monkeypatch):
    use_provider(app, monkeypatch, emulator, provider,
                 SMS_TEMPLATES={**TEMPLATE_IDS, "review_approved": "99999"})
    send_notice("13912345002", key="t1")
    send_notice("10012345", kind="password_reset", key="t2")
    run_jobs()
    template, number = sms_rows()
    assert template.status == "given_up" and "模板" in template.last_error
    assert number.status == "given_up" and "号码无效" in number.last_error
    assert number.secret_enc is None and emulator.state.sent == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_balance_and_an_outage_are_retried(provider, app, factories, emulator, run_jobs, monkeypatch):
    use_provider(app, monkeypatch, emulator, provider)
    fail(emulator, api=f"{provider}_sms", code=BALANCE[provider])
    fail(emulator, api=f"{provider}_sms", status=503)
    send_notice("13912345003", kind="password_reset", key="b1")
    run_jobs()
    [row] = sms_rows()
    assert row.status == "failed" and "余额不足" in row.last_error
    assert row.secret_enc is not None  # kept (encrypted) for the retry
    for expected in ("failed", "sent"):  # the outage, then the message goes
        db.session.execute(db.update(OutboxMessage).values(next_attempt_at=None))
        db.session.commit()
        from app.notify.delivery import deliver_message

        deliver_message(row.id)
        [row] = sms_rows()
        assert row.status == expected
    assert row.secret_enc is None
    assert "Temp12345a" in emulator.state.sent[-1]["text"]
