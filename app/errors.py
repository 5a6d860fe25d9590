"""Domain errors and the one catalogue of their codes, HTTP statuses and Chinese messages.

Services raise DomainError("CODE"); the adapters (mini-program API, H5 pages, WeChat replies)
translate it. Keep every user-facing error text here so it can be reviewed in one place.
Sections by area keep additions from different features apart.
"""

ERRORS = {
    # --- general ---
    "VALIDATION_ERROR": (422, "请求参数有误，请检查后重试。"),
    "BAD_JSON": (400, "请求内容不是有效的 JSON。"),
    "UNAUTHORIZED": (401, "请先登录。"),
    "TOKEN_EXPIRED": (401, "登录已过期，请重新登录。"),
    "FORBIDDEN": (403, "没有权限进行此操作。"),
    "NOT_FOUND": (404, "请求的资源不存在。"),
    "METHOD_NOT_ALLOWED": (405, "不支持该请求方法。"),
    "CONFLICT": (409, "操作冲突，请刷新后重试。"),
    "PAYLOAD_TOO_LARGE": (413, "请求内容过大。"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "请求内容类型不受支持。"),
    "RATE_LIMITED": (429, "操作过于频繁，请稍后再试。"),
    "SERVICE_UNAVAILABLE": (503, "服务暂时不可用，请稍后再试。"),
    "INTERNAL_ERROR": (500, "服务器开小差了，请稍后再试。"),
    # --- accounts and login ---
    "INVALID_CREDENTIALS": (401, "帐号或密码错误。"),
    "ACCOUNT_LOCKED": (429, "密码错误次数过多，帐号已暂时锁定，请稍后再试或找回密码。"),
    "ACCOUNT_PENDING": (403, "您的帐号正在实名审批中，请耐心等待。"),
    "ACCOUNT_REJECTED": (403, "您的实名审核未通过，请完善资料后重新提交。"),
    "ACCOUNT_DELETED": (403, "帐号被删除。"),
    "PASSWORD_CHANGE_REQUIRED": (403, "首次登录或密码已被重置，请先修改密码。"),
    "DEMO_ACCOUNT_DISABLED": (403, "演示帐号仅在演示数据环境中可用。"),
    # --- organisations ---
    # --- wechat ---
    "WECHAT_ALREADY_BOUND": (409, "该微信已绑定其他 i志愿 帐号，请先解除绑定。"),
    "WECHAT_NOT_BOUND": (409, "该微信尚未绑定 i志愿 帐号。"),
    "WECHAT_CODE_INVALID": (400, "微信登录凭证无效或已使用，请重新进入。"),
    "WECHAT_UNAVAILABLE": (503, "微信服务暂时不可用，请稍后再试。"),
    "WECHAT_SESSION_REQUIRED": (401, "请先通过微信登录。"),
    # --- activities and enrollment ---
    # --- service hours ---
}


class DomainError(Exception):
    """A rule said no. `code` is stable for clients; `details` are extra fields for the client."""

    def __init__(self, code, message=None, **details):
        if code not in ERRORS:
            raise KeyError(f"unknown error code {code}")
        status, default_message = ERRORS[code]
        self.code = code
        self.status = status
        self.message = message or default_message
        self.details = details
        super().__init__(f"{code}: {self.message}")
