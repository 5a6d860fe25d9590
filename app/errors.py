"""Domain errors and the one catalogue of their codes and Chinese messages.

A rule that says no raises DomainError("CODE") — in a service, or in app/domain/ through one of
its subclasses there (RuleViolation, IllegalTransition, FieldProblem, InvalidIdNumber), which
carry their code the same way, so that nothing between a rule and an adapter translates them.
The adapters decide how a refusal is answered (app/errorhandlers.py): the mini-program API with
its HTTP status for the code (miniprogram_api/errors.py), the H5 pages with a page, the WeChat
callback with a polite reply. Nothing here knows HTTP: this module is plain Python, and the
domain may import it.

Keep every user-facing error text here so it can be reviewed in one place. Sections by area keep
additions from different features apart.
"""

MESSAGES = {
    # --- general ---
    "VALIDATION_ERROR": "请求参数有误，请检查后重试。",
    "BAD_JSON": "请求内容不是有效的 JSON。",
    "UNAUTHORIZED": "请先登录。",
    "TOKEN_EXPIRED": "登录已过期，请重新登录。",
    "FORBIDDEN": "没有权限进行此操作。",
    "NOT_FOUND": "请求的资源不存在。",
    "METHOD_NOT_ALLOWED": "不支持该请求方法。",
    "CONFLICT": "操作冲突，请刷新后重试。",
    "PAYLOAD_TOO_LARGE": "请求内容过大。",
    "UNSUPPORTED_MEDIA_TYPE": "请求内容类型不受支持。",
    "RATE_LIMITED": "操作过于频繁，请稍后再试。",
    "SERVICE_UNAVAILABLE": "服务暂时不可用，请稍后再试。",
    "INTERNAL_ERROR": "服务器开小差了，请稍后再试。",
    # --- accounts and login ---
    "INVALID_CREDENTIALS": "帐号或密码错误。",
    "ACCOUNT_LOCKED": "密码错误次数过多，帐号已暂时锁定，请稍后再试或找回密码。",
    "CAPTCHA_REQUIRED": "为保护您的帐号，请先完成图片验证（输入图中算式的结果）再登录。",
    "CAPTCHA_INVALID": "图片验证未通过，请重新获取图片后再试。",
    "ACCOUNT_PENDING": "您的帐号正在实名审批中，请耐心等待。",
    "ACCOUNT_REJECTED": "您的实名审核未通过，请完善资料后重新提交。",
    "ACCOUNT_DELETED": "帐号被删除。",
    "PASSWORD_CHANGE_REQUIRED": "首次登录或密码已被重置，请先修改密码。",
    "DEMO_ACCOUNT_DISABLED": "演示帐号仅在演示数据环境中可用。",
    "PASSWORD_NOT_SET": "该帐号由组织批量导入，尚未设置密码，请通过“忘记密码”用短信验证码设置密码。",
    "WEAK_PASSWORD": "密码需为 8–64 位，且同时包含字母和数字。",
    "WRONG_PASSWORD": "原密码不正确。",
    "ID_FORMAT": "证件号码格式不正确：身份证号应为 18 位，前 17 位为数字，最后一位为数字或 X。",
    "ID_BIRTH_DATE": "身份证号中的出生日期不是有效日期。",
    "ID_CHECK_DIGIT": "身份证号校验位不正确，请核对后重新输入。",
    "ID_TYPE_INVALID": "证件类型不受支持。",
    "PHONE_FORMAT": "手机号码格式不正确，应为 11 位中国大陆手机号。",
    "USERNAME_FORMAT": "用户名需为 4–32 位字母、数字、下划线或减号，且以字母开头。",
    "AGREEMENT_REQUIRED": "请阅读并同意《服务协议》。",
    "ID_NUMBER_EXISTS": "该证件号码已注册，请使用“忘记密码”找回帐号密码。",
    "PHONE_EXISTS": "手机号已存在，请使用“忘记密码”找回帐号密码。",
    "EMAIL_EXISTS": "邮箱已存在，请使用“忘记密码”找回帐号密码。",
    "USERNAME_EXISTS": "用户名已存在，如是本人帐号请使用“忘记密码”找回密码。",
    "CODE_INVALID": "验证码错误或已失效，请重新获取。",
    "CODE_RATE_LIMITED": "验证码获取过于频繁，请稍后再试。",
    "MINIPROGRAM_SESSION_REQUIRED": "请在 i志愿 小程序中登录后再订阅消息。",
    "NO_RECOVERY_CHANNEL": "该帐号没有可接收验证码的手机号或邮箱，请联系归属组织管理员重置密码。",
    "ACCOUNT_NOT_FOUND": "帐号不存在，请检查输入的帐号。",
    "REVIEW_NOT_ALLOWED": "身份信息校验通过或未知时方可审核。",
    "ALREADY_REVIEWED": "该注册已审核，无需重复审核。",
    "HOME_ORG_SAME": "新的归属组织与当前归属组织相同。",
    "HOME_ORG_CHANGE_PENDING": "已有一个待审核的归属组织变更申请。",
    "HOME_ORG_CHANGE_NOT_ALLOWED": "实名审核通过后方可申请变更归属组织。",
    "ALREADY_DECIDED": "该申请已处理。",
    "NO_PHONE_FOR_RESET": "该帐号没有手机号，无法发送临时密码。",
    # --- organisations ---
    "ORG_PENDING": "您的组织正在等待归属单位审核，请耐心等待。",
    "ORG_REJECTED": "您的组织注册审核未通过，请修改资料后重新提交。",
    "ORG_NOT_FOUND": "组织不存在或尚未通过审核。",
    "ORG_CATEGORY_INVALID": "组织类别不正确。",
    "PARENT_ORG_REQUIRED": "请选择归属单位。",
    "PHOTO_REQUIRED": "请上传手持证件照。",
    "PHOTO_TYPE": "证件照只能是 JPEG 或 PNG 图片。",
    "PHOTO_TOO_LARGE": "证件照不能超过 5 MB。",
    # --- wechat ---
    "WECHAT_ALREADY_BOUND": "该微信已绑定其他 i志愿 帐号，请先解除绑定。",
    "WECHAT_NOT_BOUND": "该微信尚未绑定 i志愿 帐号。",
    "WECHAT_CODE_INVALID": "微信登录凭证无效或已使用，请重新进入。",
    "WECHAT_UNAVAILABLE": "微信服务暂时不可用，请稍后再试。",
    "WECHAT_SESSION_REQUIRED": "请先通过微信登录。",
    # --- activities and enrollment ---
    "ENROLL_WINDOW_INVALID": "报名开始时间须早于报名截止时间。",
    "ENROLL_ENDS_AFTER_START": "报名截止时间不能晚于活动开始时间。",
    "ACTIVITY_ENDS_BEFORE_START": "活动结束时间须晚于活动开始时间。",
    "QUOTA_INVALID": "招募人数须为正整数。",
    "QUOTA_BELOW_TAKEN": "招募人数不能少于已报名人数。",
    "COORDINATES_INVALID": "活动地点坐标无效（纬度 -90~90，经度 -180~180，须同时填写）。",
    "REGION_UNKNOWN": "活动区域代码无效。",
    "POSITION_INVALID": "岗位名称不能为空且不能重复，岗位人数须为正整数。",
    "POSITIONS_EXCEED_QUOTA": "各岗位人数之和不能超过招募人数。",
    "POSITION_IN_USE": "该岗位已有志愿者报名，不能删除。",
    "ACTIVITY_NOT_FOUND": "活动不存在或已撤销。",
    "ACTIVITY_ENDED": "活动已结束。",
    "VOLUNTEER_NOT_APPROVED": "您的实名审核尚未通过，暂不能报名活动。",
    "ENROLLMENT_NOT_OPEN": "活动当前不在报名时间内。",
    "QUOTA_FULL": "活动报名人数已满。",
    "POSITION_REQUIRED": "请选择报名岗位。",
    "POSITION_NOT_FOUND": "岗位不存在。",
    "POSITION_FULL": "该岗位报名人数已满。",
    "TOO_MANY_PENDING": "您已有 5 个待录用的报名，请等待录用结果后再报名。",
    "ALREADY_ENROLLED": "您已报名该活动。",
    "ENROLLMENT_REMOVED": "您已被组织移出该活动，不能再次报名。",
    "NOT_ENROLLED": "您没有报名该活动。",
    "ENROLLMENT_NOT_PENDING": "该志愿者不是待录用状态。",
    "ENROLLMENT_NOT_ACTIVE": "该报名已取消或已被移除。",
    "CANCEL_TOO_LATE": "活动已开始，不能取消报名。",
    "VOLUNTEER_NOT_IN_ORG": "该志愿者不在本组织名下。",
    "ALREADY_INVITED": "已邀请过该志愿者。",
    "TOO_MANY_IDS": "一次最多处理 200 名志愿者。",
    "INVITATION_CLOSED": "活动报名已结束，不能再邀请志愿者。",
    # --- service hours ---
    "FACE_CHECK_DONE": "该志愿者已完成面验，无需重复面验。",
    "VOLUNTEER_NOT_ENROLLED": "该志愿者未报名此活动。",
    "CLOCK_CODE_INVALID": "二维码无效或已被篡改，请扫描现场出示的签到/签退码。",
    "CLOCK_CODE_EXPIRED": "二维码已过期，请扫描现场最新的二维码。",
    "CLOCK_NOT_ADMITTED": "您未被录用参加该活动，不能签到/签退。",
    "CLOCK_NOT_FACE_CHECKED": "您尚未完成面验，请先到现场管理员处面验。",
    "CLOCK_OUTSIDE_ACTIVITY_TIME": "不在活动时间内，不能签到/签退。",
    "CLOCK_TOO_FAR": "您不在活动地点附近，不能签到/签退。",
    "CLOCK_LOCATION_REQUIRED": "该活动签到/签退需要位置信息，请允许获取位置后重试。",
    "CLOCK_POSITION_INVALID": "位置坐标无效。",
    "CLOCK_POSITION_INACCURATE": "当前定位误差过大，请开启手机的精确定位（GPS）或到开阔处后重试。",
    "CLOCK_DAILY_LIMIT": "同一活动每天最多签到 3 次。",
    "CHECKOUT_WITHOUT_CHECKIN": "您今天尚未签到该活动，不能签退。",
    "CLOCK_NOT_A_VOLUNTEER": "只有注册志愿者可以签到/签退。",
    "NOT_A_VOLUNTEER": "该帐号不是注册志愿者。",
    "CARD_NOT_ELIGIBLE": "只有审核通过的注册志愿者可以申请志愿者证。",
    "CLOCK_CODE_NOT_YET": "活动尚未开始或已结束，不能生成签到/签退码。",
    "ACTIVITY_REVOKED": "该活动已撤销。",
    "WECHAT_CODE_FAILED": "生成微信二维码失败，请稍后再试。",
    "SUPPLEMENT_NOT_ADMITTED": "该志愿者未被录用参加此活动，不能补录时长。",
    "SUPPLEMENT_NOT_FACE_CHECKED": "该志愿者尚未面验，不能补录时长。",
    "SUPPLEMENT_TOO_EARLY": "活动开始后才能补录时长。",
    "SUPPLEMENT_MINUTES_INVALID": "补录时长无效：不能超过活动本身的时长。",
    "SUPPLEMENT_PROOF_REQUIRED": "补录时长需上传证明材料。",
    "SUPPLEMENT_PROOF_TYPE": "证明材料只支持 JPG、PNG 图片或 PDF 文件。",
    "SUPPLEMENT_PROOF_TOO_LARGE": "证明材料过大（每个文件不超过 5 MB，最多 5 个）。",
    "SUPPLEMENT_ALREADY_DECIDED": "该补录申请已处理。",
    "REASON_REQUIRED": "请填写原因。",
    "OBJECTION_RECORD_NOT_PUBLIC": "该时长记录不在公示期内。",
    "OBJECTION_ALREADY_RESOLVED": "该异议已处理。",
    "OBJECTION_MINUTES_INVALID": "修改后的时长无效：不能为负数，也不能超过活动本身的时长。",
    "RECORD_ALREADY_REVOKED": "该时长记录已删除。",
    "CARD_APPLICATION_EXISTS": "您已有一份志愿者证申请在办理中。",
    "CARD_ILLEGAL_TRANSITION": "当前进度下不能进行该操作。",
    "CARD_NOT_FOUND": "未找到该志愿者证，二维码可能有误或已失效。",
}


class DomainError(Exception):
    """A rule said no. `code` is stable for clients (a key of MESSAGES); `message` the Chinese text
    shown to the user; `details` extra fields for the client (e.g. the activity's state)."""

    def __init__(self, code, message=None, **details):
        if code not in MESSAGES:
            raise KeyError(f"unknown error code {code}")
        self.code = code
        self.message = message or MESSAGES[code]
        self.details = details
        super().__init__(f"{code}: {self.message}")
