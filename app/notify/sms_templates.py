"""SMS templates: every SMS the service sends, as China's SMS rules want it.

A provider (Tencent Cloud SMS, Alibaba Cloud SMS) sends only a registered template with a
registered sign name (签名, shown as 【i志愿】) and parameters, never free text. Each kind below
is one template to register with the provider, in the provider's placeholder form:

    Tencent Cloud: the parameters in order as {1}, {2}…  (TemplateParamSet, a list)
    Alibaba Cloud: the parameters by name as ${name}     (TemplateParam, a JSON object)

and its template id goes into SMS_TEMPLATES (kind=id,…). The texts here are what the user
reads (the emulator renders them; `flask sms-templates` prints both forms for registering).
Every user-facing SMS text lives here. Pure data: no Flask, no SQL.
"""
from dataclasses import dataclass, field

SIGN = "i志愿"

# kind → (parameter names in order, text with {name} placeholders)
TEMPLATES = {
    "verification_code": (("purpose", "code", "minutes"),
                          "您的{purpose}验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。"),
    "password_reset": (("password",),
                       "组织管理员已为您重置密码，临时密码为 {password}。"
                       "请尽快登录并修改密码；如非本人申请，请联系归属组织。"),
    "review_approved": ((), "您的志愿者注册已通过归属组织审核，欢迎使用 i志愿。"),
    "review_rejected": (("reason",),
                        "您的注册审核未通过，需要修改注册资料。原因：{reason}。请登录 i志愿 完善资料后重新提交。"),
    "identity_failed": ((), "身份证件信息校验不通过，需要修改注册资料。请登录 i志愿 完善资料后重新提交。"),
    "org_review_approved": (("org",), "您注册的组织“{org}”已通过归属单位审核。"),
    "org_review_rejected": (("org", "reason"), "您注册的组织“{org}”审核未通过，原因：{reason}。"),
    "home_org_changed": (("org",), "您的归属组织已变更为“{org}”。"),
    "home_org_change_rejected": (("org", "reason"), "您变更归属组织为“{org}”的申请未通过，原因：{reason}。"),
    "invitation": (("org", "title", "start", "place"),
                   "{org}邀请您参加志愿活动「{title}」（{start}，{place}），请登录 i志愿 报名。"),
    "admission": (("title", "start", "place"),
                  "您报名的志愿活动「{title}」已录用，活动时间 {start}，地点 {place}，请准时参加。"),
    "removal": (("title",), "很抱歉，您未被志愿活动「{title}」录用（或已被移出），感谢您的关注。"),
    "activity_revoked": (("title", "start", "reason"),
                         "您报名的志愿活动「{title}」（{start}）已被撤销，原因：{reason}。"),
    # Development and tests only: a free text, which no provider accepts.
    "text": (("text",), "{text}"),
}

# Kinds a production deployment must have a provider template id for.
REQUIRED_KINDS = tuple(kind for kind in TEMPLATES if kind != "text")

# A template variable longer than this is cut (Alibaba Cloud: 35 characters; Tencent: similar).
MAX_PARAM_LENGTH = 35


@dataclass(frozen=True)
class SmsText:
    """One SMS to send: a template kind and its parameters. `secret` holds the one-time
    parameters (a code, a temporary password): stored encrypted, filled in at send time."""

    kind: str
    params: dict = field(default_factory=dict)
    secret: dict = field(default_factory=dict)


def sms(kind, secret=None, **params):
    if kind not in TEMPLATES:
        raise KeyError(f"no SMS template {kind!r}")
    names = TEMPLATES[kind][0]
    secret = dict(secret or {})
    unknown = set(params) | set(secret)
    if unknown - set(names):
        raise KeyError(f"SMS template {kind!r} has no parameter {sorted(unknown - set(names))}")
    limit = None if kind == "text" else MAX_PARAM_LENGTH
    return SmsText(kind, {k: _param(v, limit) for k, v in params.items()}, {k: str(v) for k, v in secret.items()})


def _param(value, limit):
    text = "-" if value in (None, "") else str(value)
    return text[:limit]


def ordered_params(kind, params):
    """Tencent Cloud's TemplateParamSet: the values in the template's order."""
    return [str(params.get(name, "-")) for name in TEMPLATES[kind][0]]


def render(kind, params, sign=SIGN):
    """The text the user reads: 【sign】 and the template filled in."""
    names, text = TEMPLATES[kind]
    body = text.format(**{name: params.get(name, "-") for name in names})
    return body if kind == "text" else f"【{sign}】{body}"


def provider_forms(kind):
    """→ (Tencent Cloud template text, Alibaba Cloud template text) for registering `kind`."""
    names, text = TEMPLATES[kind]
    tencent = text.format(**{name: f"{{{i + 1}}}" for i, name in enumerate(names)})
    aliyun = text.format(**{name: f"${{{name}}}" for name in names})
    return tencent, aliyun
