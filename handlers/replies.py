"""Every text the service account says to a user, in one place to review and change: the
callback's replies and the customer-service messages its jobs send later."""
from app.domain.stars import STAR_LABELS
from app.timeutil import local_date

WELCOME = "欢迎关注 i志愿！在这里可以报名志愿活动、扫码计时、查询服务时长。"
WELCOME_UNBOUND = WELCOME + "\n{bind_hint}"
BIND_HINT = "您还没有绑定 i志愿 帐号，绑定后可查询时长并接收录用、时长等通知：{url}"
BIND_LINK = "点击绑定 i志愿 帐号：{url}\n绑定后可接收活动录用、服务时长等通知。"
ALREADY_BOUND = "您的微信已绑定 i志愿 帐号（{name}）。如需更换，请在此解除绑定：{url}"
SCAN_WELCOME_BACK = "欢迎回来！"
HELP = ("您好！可以回复以下关键词：\n"
        "“时长” 查询服务时长与星级\n"
        "“活动” 查看我参加的活动\n"
        "“绑定” 绑定 i志愿 帐号\n"
        "“人工客服” 联系客服")
UNSUPPORTED = "暂时无法处理这类消息，请回复文字，或回复“帮助”查看可用的关键词。"
BUSY = "系统繁忙，请稍后再试。"
REFUSED = "抱歉，{message}"  # a rule said no; the message is app/errors.py's

HOURS = "{name}，您的累计服务时长为 {hours} 小时 {minutes} 分钟，星级：{stars}。"
HOURS_NEXT = "再服务 {hours} 小时可达{label}。"
NOT_A_VOLUNTEER = "您的帐号还不是注册志愿者，暂无服务时长。"

ACTIVITIES_QUEUED = "正在为您查询参加的活动，请稍候……"
ACTIVITIES_NONE = "您还没有报名任何活动，点击菜单“做志愿”去看看吧。"
ACTIVITIES_HEADER = "您最近的活动："
ACTIVITY_LINE = "· {title}（{start}，{status}）"
ENROLLMENT_STATUS = {"pending": "待录用", "admitted": "已录用", "removed": "已移除", "cancelled": "已取消"}

CLOCK_IN = "签到成功：{title}，时间 {at}。"
CLOCK_ACTIVITY_UNKNOWN = "活动"  # the title shown when the activity cannot be read
CLOCK_OUT = "签退成功：{title}，时间 {at}，本次服务 {minutes} 分钟。"
CLOCK_UNBOUND = "扫码计时需要先绑定 i志愿 帐号：{url}"
CLOCK_FAILED = "扫码计时未成功：{message}"
SCENE_UNKNOWN = "二维码已识别。如需扫码计时，请扫描活动现场的签到 / 签退二维码。"
SCANCODE_RESULT = "扫描结果：{text}"

LOCATION_NOTED = "已收到您的位置，扫码计时将用它核对活动地点（5 分钟内有效）。"
CUSTOMER_SERVICE = "正在为您转接人工客服，请稍候。"


def hours_text(name, total_minutes, level, next_threshold_hours=None):
    text = HOURS.format(name=name or "志愿者", hours=total_minutes // 60, minutes=total_minutes % 60,
                        stars=STAR_LABELS[level] or "暂无星级")
    if next_threshold_hours is not None:
        remaining = max(0, next_threshold_hours * 60 - total_minutes)
        text += HOURS_NEXT.format(hours=(remaining + 59) // 60, label=STAR_LABELS[level + 1])
    return text


def activities_text(items):
    """The customer-service message listing the volunteer's recent activities
    (items: [{"title", "start_at", "status"}], newest first)."""
    if not items:
        return ACTIVITIES_NONE
    lines = [ACTIVITIES_HEADER]
    for item in items:
        lines.append(ACTIVITY_LINE.format(title=item["title"], start=local_date(item["start_at"]).strftime("%m月%d日"),
                                          status=ENROLLMENT_STATUS.get(item["status"], item["status"])))
    return "\n".join(lines)
