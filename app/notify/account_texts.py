"""SMS and email messages of the accounts area (registration codes, recovery, review results).

SMS texts are templates with parameters (app/notify/sms_templates.py holds their wording);
these helpers say which template and which parameters. One-time secrets (a code, a temporary
password) travel as the `secret` part: encrypted in the outbox, filled in at send time.
Email texts live here, rendered at send time from the outbox row.
"""
from app.notify.sms_templates import sms

CODE_PURPOSE_LABELS = {"register": "注册", "reset_password": "找回密码", "change_phone": "更换手机号"}


def code_sms(purpose, code, minutes):
    return sms("verification_code", purpose=CODE_PURPOSE_LABELS[purpose], minutes=minutes, secret={"code": code})


def code_email(purpose, code, minutes):
    subject = f"i志愿{CODE_PURPOSE_LABELS[purpose]}验证码"
    body = (
        f"您好！\n\n您的{CODE_PURPOSE_LABELS[purpose]}验证码为 {code}，{minutes} 分钟内有效。\n"
        "如非本人操作，请忽略本邮件。\n\ni志愿（广东志愿者信息管理服务平台）"
    )
    return subject, body


# Email kinds: kind → function(params) → (subject, body). Rendered by the delivery job.
EMAILS = {
    "verification_code": lambda p: code_email(p["purpose"], p["code"], p["minutes"]),
}


def review_result_sms(approved, reason=None):
    if approved:
        return sms("review_approved")
    return sms("review_rejected", reason=reason)


def identity_failed_sms():
    return sms("identity_failed")


IDENTITY_FAILED_REASON = "身份证件信息校验不通过"


def org_review_sms(org_name, approved, reason=None):
    if approved:
        return sms("org_review_approved", org=org_name)
    return sms("org_review_rejected", org=org_name, reason=reason)


def home_org_change_sms(org_name, approved, reason=None):
    if approved:
        return sms("home_org_changed", org=org_name)
    return sms("home_org_change_rejected", org=org_name, reason=reason)


def temporary_password_sms(password):
    return sms("password_reset", secret={"password": password})
