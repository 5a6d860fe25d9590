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
    # --- activities and enrollment ---
    "ENROLL_WINDOW_INVALID": (422, "报名开始时间须早于报名截止时间。"),
    "ENROLL_ENDS_AFTER_START": (422, "报名截止时间不能晚于活动开始时间。"),
    "ACTIVITY_ENDS_BEFORE_START": (422, "活动结束时间须晚于活动开始时间。"),
    "QUOTA_INVALID": (422, "招募人数须为正整数。"),
    "QUOTA_BELOW_TAKEN": (409, "招募人数不能少于已报名人数。"),
    "COORDINATES_INVALID": (422, "活动地点坐标无效（纬度 -90~90，经度 -180~180，须同时填写）。"),
    "REGION_UNKNOWN": (422, "活动区域代码无效。"),
    "POSITION_INVALID": (422, "岗位名称不能为空且不能重复，岗位人数须为正整数。"),
    "POSITIONS_EXCEED_QUOTA": (422, "各岗位人数之和不能超过招募人数。"),
    "POSITION_IN_USE": (409, "该岗位已有志愿者报名，不能删除。"),
    "ACTIVITY_NOT_FOUND": (404, "活动不存在或已撤销。"),
    "ACTIVITY_REVOKED": (409, "活动已撤销。"),
    "ACTIVITY_ENDED": (409, "活动已结束。"),
    "NOT_A_VOLUNTEER": (403, "只有注册志愿者可以报名活动。"),
    "VOLUNTEER_NOT_APPROVED": (403, "您的实名审核尚未通过，暂不能报名活动。"),
    "ENROLLMENT_NOT_OPEN": (409, "活动当前不在报名时间内。"),
    "QUOTA_FULL": (409, "活动报名人数已满。"),
    "POSITION_REQUIRED": (422, "请选择报名岗位。"),
    "POSITION_NOT_FOUND": (404, "岗位不存在。"),
    "POSITION_FULL": (409, "该岗位报名人数已满。"),
    "TOO_MANY_PENDING": (409, "您已有 5 个待录用的报名，请等待录用结果后再报名。"),
    "ALREADY_ENROLLED": (409, "您已报名该活动。"),
    "ENROLLMENT_REMOVED": (409, "您已被组织移出该活动，不能再次报名。"),
    "NOT_ENROLLED": (404, "您没有报名该活动。"),
    "ENROLLMENT_NOT_PENDING": (409, "该志愿者不是待录用状态。"),
    "ENROLLMENT_NOT_ACTIVE": (409, "该报名已取消或已被移除。"),
    "CANCEL_TOO_LATE": (409, "活动已开始，不能取消报名。"),
    "VOLUNTEER_NOT_IN_ORG": (404, "该志愿者不在本组织名下。"),
    "ALREADY_INVITED": (409, "已邀请过该志愿者。"),
    "TOO_MANY_IDS": (422, "一次最多处理 200 名志愿者。"),
    "INVITATION_CLOSED": (409, "活动报名已结束，不能再邀请志愿者。"),
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
