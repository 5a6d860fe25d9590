"""SMS and email texts of the accounts area (registration codes, recovery, review results).

Every user-facing text of these messages lives here, so it can be reviewed in one place.
"""

CODE_PURPOSE_LABELS = {"register": "注册", "reset_password": "找回密码", "change_phone": "更换手机号"}


def code_sms(purpose, code, minutes):
    label = CODE_PURPOSE_LABELS[purpose]
    return f"【i志愿】您的{label}验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。"


def code_email(purpose, code, minutes):
    subject = f"i志愿{CODE_PURPOSE_LABELS[purpose]}验证码"
    body = (
        f"您好！\n\n您的{CODE_PURPOSE_LABELS[purpose]}验证码为 {code}，{minutes} 分钟内有效。\n"
        "如非本人操作，请忽略本邮件。\n\ni志愿（广东志愿者信息管理服务平台）"
    )
    return subject, body


def review_result_sms(approved, reason=None):
    if approved:
        return "【i志愿】您的志愿者注册已通过归属组织审核，欢迎使用 i志愿。"
    return f"【i志愿】您的注册审核未通过，需要修改注册资料。原因：{reason}。请登录 i志愿 完善资料后重新提交。"


def identity_failed_sms():
    return "【i志愿】身份证件信息校验不通过，需要修改注册资料。请登录 i志愿 完善资料后重新提交。"


IDENTITY_FAILED_REASON = "身份证件信息校验不通过"


def org_review_sms(org_name, approved, reason=None):
    if approved:
        return f"【i志愿】您注册的组织“{org_name}”已通过归属单位审核。"
    return f"【i志愿】您注册的组织“{org_name}”审核未通过，原因：{reason}。"


def home_org_change_sms(org_name, approved, reason=None):
    if approved:
        return f"【i志愿】您的归属组织已变更为“{org_name}”。"
    return f"【i志愿】您变更归属组织为“{org_name}”的申请未通过，原因：{reason}。"


def temporary_password_sms(password):
    return (
        f"【i志愿】组织管理员已为您重置密码，临时密码为 {password}。请尽快登录并修改密码；"
        "如非本人申请，请联系归属组织。"
    )
