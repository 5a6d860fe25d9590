"""SMS behind one small interface, with the provider chosen by SMS_PROVIDER.

    tencent   Tencent Cloud SMS through its SDK (tencentcloud-sdk-python-sms, API 2021-01-11)
    aliyun    Alibaba Cloud SMS through its SDK (alibabacloud-dysmsapi20170525)
    emulator  development and tests: posts the rendered text to the emulator's /sms/send

Every message is a registered template with parameters (app/notify/sms_templates.py); the
template ids per kind come from SMS_TEMPLATES and the sign name from SMS_SIGN_NAME. Each SDK
reaches its API through its endpoint setting (TENCENTCLOUD_SMS_ENDPOINT, ALIYUN_SMS_ENDPOINT),
which the tests point at the emulator, so the real SDKs sign and send there.

A provider's refusal becomes an SmsError that says whether a retry can help:

    rate limit (per number: 30 s / hour / day)   final: the number is told to wait (SmsLimited)
    bad template or sign name, bad number        final: given up with the reason
    balance, credentials, network, 5xx           retried with backoff (someone must act)
"""
import json
import logging
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import requests
from alibabacloud_dysmsapi20170525 import models as aliyun_models
from alibabacloud_dysmsapi20170525.client import Client as AliyunClient
from alibabacloud_tea_openapi import utils_models as aliyun_openapi
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from flask import current_app
from tencentcloud.common import credential as tencent_credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111 import sms_client as tencent_sms

from app.extensions import redis_store
from app.notify import sms_templates
from app.security import pii
from app.security.pii import redact_numbers
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# The SDKs log whole requests and answers at DEBUG (numbers and parameters in them), and urllib3
# logs every URL at DEBUG (Alibaba Cloud's carries PhoneNumbers): no phone number or code in any
# log line, whatever level the root logger is set to.
for _name in ("tencentcloud_sdk_common", "darabonba-core", "urllib3.connectionpool"):
    logging.getLogger(_name).setLevel(logging.INFO)

# What a refusal means for us: (retry?, our reason). Scopes of rate limits: how long the
# provider keeps refusing that number (seconds, or "day" until midnight in China).
RATE_LIMITED, BAD_TEMPLATE, BAD_NUMBER, NO_BALANCE, AUTH, TRANSIENT = (
    "rate_limited", "bad_template", "bad_number", "no_balance", "auth", "transient")
REASONS = {
    RATE_LIMITED: "短信服务商限频：该号码发送过于频繁",
    BAD_TEMPLATE: "短信模板或签名未审核通过或与参数不符",
    BAD_NUMBER: "手机号码无效",
    NO_BALANCE: "短信余额不足",
    AUTH: "短信服务商拒绝了我们的密钥或签名",
    TRANSIENT: "短信服务商暂时不可用",
}
RETRYABLE = {NO_BALANCE, AUTH, TRANSIENT}

TENCENT_CODES = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": (RATE_LIMITED, 30),
    "LimitExceeded.PhoneNumberOneHourLimit": (RATE_LIMITED, 3600),
    "LimitExceeded.PhoneNumberDailyLimit": (RATE_LIMITED, "day"),
    "LimitExceeded.DeliveryFrequencyLimit": (RATE_LIMITED, 60),
    "LimitExceeded.PhoneNumberSameContentDailyLimit": (RATE_LIMITED, "day"),
    "FailedOperation.TemplateIncorrectOrUnapproved": (BAD_TEMPLATE, None),
    "FailedOperation.SignatureIncorrectOrUnapproved": (BAD_TEMPLATE, None),
    "FailedOperation.MissingTemplateToModify": (BAD_TEMPLATE, None),
    "InvalidParameterValue.TemplateParameterFormatError": (BAD_TEMPLATE, None),
    "InvalidParameterValue.TemplateParameterLengthLimit": (BAD_TEMPLATE, None),
    "InvalidParameterValue.IncorrectPhoneNumber": (BAD_NUMBER, None),
    "FailedOperation.PhoneNumberInBlacklist": (BAD_NUMBER, None),
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": (BAD_NUMBER, None),
    "FailedOperation.InsufficientBalanceInSmsPackage": (NO_BALANCE, None),
    "AuthFailure.SignatureFailure": (AUTH, None),
    "AuthFailure.SecretIdNotFound": (AUTH, None),
    "AuthFailure.SignatureExpire": (AUTH, None),
}
ALIYUN_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL": (RATE_LIMITED, "day"),
    "isv.DAY_LIMIT_CONTROL": (RATE_LIMITED, "day"),
    "isv.MINUTE_LIMIT_CONTROL": (RATE_LIMITED, 60),
    "isv.SMS_TEMPLATE_ILLEGAL": (BAD_TEMPLATE, None),
    "isv.SMS_SIGNATURE_ILLEGAL": (BAD_TEMPLATE, None),
    "isv.SMS_SIGN_ILLEGAL": (BAD_TEMPLATE, None),
    "isv.TEMPLATE_MISSING_PARAMETERS": (BAD_TEMPLATE, None),
    "isv.TEMPLATE_PARAMS_ILLEGAL": (BAD_TEMPLATE, None),
    "isv.INVALID_JSON_PARAM": (BAD_TEMPLATE, None),
    "isv.PARAM_LENGTH_LIMIT": (BAD_TEMPLATE, None),
    "isv.MOBILE_NUMBER_ILLEGAL": (BAD_NUMBER, None),
    "isv.BLACK_KEY_CONTROL_LIMIT": (BAD_NUMBER, None),
    "isv.AMOUNT_NOT_ENOUGH": (NO_BALANCE, None),
    "isv.OUT_OF_SERVICE": (NO_BALANCE, None),
    "SignatureDoesNotMatch": (AUTH, None),
    "InvalidAccessKeyId.NotFound": (AUTH, None),
    "IncompleteSignature": (AUTH, None),
}


class SmsError(Exception):
    """A send that failed. kind: one of the constants above; retry: whether trying again can
    help; limit: for a rate limit, how long the number is refused (seconds or "day")."""

    def __init__(self, kind, provider_code, detail="", limit=None):
        self.kind = kind
        self.retry = kind in RETRYABLE
        self.provider_code = provider_code
        self.limit = limit
        # Provider texts may quote the number: never keep one in a row or a log line.
        self.detail = redact_numbers(detail)[:120]
        super().__init__(f"{provider_code}: {REASONS[kind]}")


def _classify(table, code, detail):
    kind, limit = table.get(code, (TRANSIENT, None))
    return SmsError(kind, code, detail, limit)


def _template_id(kind):
    templates = current_app.config["SMS_TEMPLATES"]
    template_id = templates.get(kind)
    if not template_id:
        raise SmsError(BAD_TEMPLATE, "NoTemplateConfigured", f"SMS_TEMPLATES has no template id for {kind}")
    return template_id


def _endpoint(url):
    """"https://sms.tencentcloudapi.com" → ("https", "sms.tencentcloudapi.com")."""
    parts = urlsplit(url if "://" in url else "https://" + url)
    return parts.scheme, parts.netloc


class TencentSmsGateway:
    def __init__(self, config):
        scheme, host = _endpoint(config["TENCENTCLOUD_SMS_ENDPOINT"])
        http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=max(1, int(config["SMS_TIMEOUT_SECONDS"])))
        cred = tencent_credential.Credential(config["TENCENTCLOUD_SECRET_ID"], config["TENCENTCLOUD_SECRET_KEY"])
        self.client = tencent_sms.SmsClient(cred, config["TENCENTCLOUD_SMS_REGION"], ClientProfile(httpProfile=http))
        self.app_id = config["TENCENTCLOUD_SMS_SDK_APP_ID"]
        self.sign = config["SMS_SIGN_NAME"]

    def send(self, phone, kind, params):
        request = tencent_models.SendSmsRequest()
        request.PhoneNumberSet = ["+86" + phone]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign
        request.TemplateId = _template_id(kind)
        request.TemplateParamSet = sms_templates.ordered_params(kind, params)
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            raise _classify(TENCENT_CODES, exc.get_code() or "", exc.get_message() or "") from None
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            raise _classify(TENCENT_CODES, status.Code, status.Message or "")
        return status.SerialNo


class AliyunSmsGateway:
    def __init__(self, config):
        scheme, host = _endpoint(config["ALIYUN_SMS_ENDPOINT"])
        timeout_ms = int(config["SMS_TIMEOUT_SECONDS"] * 1000)
        self.client = AliyunClient(aliyun_openapi.Config(
            access_key_id=config["ALIYUN_ACCESS_KEY_ID"], access_key_secret=config["ALIYUN_ACCESS_KEY_SECRET"],
            endpoint=host, protocol=scheme, read_timeout=timeout_ms, connect_timeout=timeout_ms))
        self.sign = config["SMS_SIGN_NAME"]

    def send(self, phone, kind, params):
        request = aliyun_models.SendSmsRequest(
            phone_numbers=phone, sign_name=self.sign, template_code=_template_id(kind),
            template_param=json.dumps({name: str(params.get(name, "-"))
                                       for name in sms_templates.TEMPLATES[kind][0]}, ensure_ascii=False))
        try:
            response = self.client.send_sms(request)
        except AlibabaCloudException as exc:
            raise _classify(ALIYUN_CODES, exc.code or "", exc.message or "") from None
        except Exception as exc:  # the SDK's own network errors: retried
            raise SmsError(TRANSIENT, type(exc).__name__, str(exc)) from None
        body = response.body
        if body.code != "OK":
            raise _classify(ALIYUN_CODES, body.code or "", body.message or "")
        return body.biz_id


class EmulatorSmsGateway:
    """Development and tests: the emulator records the rendered text for people and tests."""

    def __init__(self, config):
        self.base_url = config["SMS_EMULATOR_BASE"]
        self.timeout = config["SMS_TIMEOUT_SECONDS"]
        self.sign = config["SMS_SIGN_NAME"]

    def send(self, phone, kind, params):
        body = {"phone": phone, "text": sms_templates.render(kind, params, self.sign), "template": kind}
        try:
            response = requests.post(self.base_url + "/sms/send", json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise SmsError(TRANSIENT, type(exc).__name__, str(exc)) from None
        if response.status_code >= 500:
            raise SmsError(TRANSIENT, f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise SmsError(BAD_NUMBER, f"HTTP {response.status_code}", response.text)
        return response.json().get("msgid")


GATEWAYS = {"tencent": TencentSmsGateway, "aliyun": AliyunSmsGateway, "emulator": EmulatorSmsGateway}


def get_sms_gateway():
    config = current_app.config
    name = config["SMS_PROVIDER"]
    if name not in GATEWAYS:
        raise RuntimeError(f"SMS_PROVIDER must be one of {', '.join(GATEWAYS)}, not {name!r}")
    return GATEWAYS[name](config)


# --- the providers' own per-number limits, remembered so that we stop asking ---

def _limit_key(phone):
    return redis_store.key("sms-limited", pii.lookup_hash("phone", phone))


def remember_provider_limit(phone, limit):
    """The provider refused this number for `limit` (seconds, or "day": until midnight in China)."""
    if limit == "day":
        now = utcnow() + timedelta(hours=8)  # Asia/Shanghai has no daylight saving
        seconds = int((datetime.combine(now.date() + timedelta(days=1), time()) - now).total_seconds())
    else:
        seconds = int(limit or 60)
    redis_store.client.set(_limit_key(phone), 1, ex=max(1, seconds))


def provider_limited(phone):
    """True while the provider is known to refuse SMS to this number."""
    return bool(redis_store.client.exists(_limit_key(phone)))
