"""Every Chinese text the city-service pages show besides the error catalogue (app/errors.py):
page titles, confirmations and the H5-only error pages, in one place to review."""

TITLES = {
    "home": "i志愿 · 志愿服务",
    "activities": "做志愿",
    "family": "亲子体验",
    "activity": "活动详情",
    "orgs": "找组织",
    "org": "组织详情",
    "me": "我的",
    "my_activities": "我的活动",
    "records": "服务记录",
    "scans": "扫码记录",
    "board": "时长公示",
    "objection": "我有异议",
    "profile": "修改资料",
    "password": "修改密码",
    "card": "志愿者证",
    "code": "我的签到码",
    "need_account": "需要 i志愿 帐号",
    "admin_activities": "活动管理",
    "admin_activity": "活动考勤与录用",
    "clock_code": "签到码",
    "clock_code_checkout": "签退码",
    "admin_scan": "扫志愿者签到码",
    "invite": "邀请志愿者",
    "reviews": "志愿者注册审核",
    "error": "出错了",
}

MESSAGES = {
    "enrolled": "报名成功，请等待组织录用。",
    "cancelled": "已取消报名。",
    "profile_saved": "资料已保存。",
    "password_changed": "密码已修改，请牢记新密码。",
    "card_applied": "志愿者证申请已提交，可在本页查看办理进度。",
    "objection_filed": "异议已提交，活动组织方会尽快核实处理。",
    "face_checked": "{name} 已面验。",
    "admitted": "已录用 {count} 人。",
    "removed": "已移除 {count} 人。",
    "invited": "已邀请 {count} 人。",
    "refused": "{name}：{message}",
    "none_chosen": "请先勾选志愿者。",
    "approved": "已通过 {name} 的注册。",
    "rejected": "已驳回 {name} 的注册。",
    "scan_checkin": "签到成功。",
    "scan_checkout": "签退成功，本次服务 {minutes} 分钟。",
    "need_account": "此功能需要先绑定 i志愿 帐号。已有帐号请点击下方按钮绑定，绑定后会回到本页面。",
    "register_hint": "还没有帐号？请在微信中搜索“i志愿”小程序，注册成为志愿者后再回来绑定。",
    "need_admin": "此页面仅供组织管理员使用。请用管理员帐号绑定后再试。",
    "not_volunteer": "当前帐号不是注册志愿者，无法使用此功能。",
}

ERRORS = {
    "not_found": ("页面不存在", "您要找的页面不存在或已被删除。", "请返回首页重新进入。"),
    "method": ("无法完成操作", "该页面不支持这种操作方式。", "请返回首页重新进入。"),
    "csrf": ("页面已过期", "为保护您的帐号安全，过期页面上的表单不能提交。", "请返回上一页，刷新后重新提交。"),
    "oauth": ("微信授权失败", "微信授权已失效或被重复使用。", "请点击下方按钮重新进入。"),
    "wechat_down": ("暂时无法连接微信", "微信授权服务暂时不可用。", "请稍后重新进入。"),
    "server": ("服务器开小差了", "系统出现了意外的错误，我们已经记录下来。", "请稍后再试，或返回首页。"),
    "domain": ("无法完成操作", "{message}", "请返回上一页查看，或返回首页。"),
}

NAV = {"home": "返回首页", "back": "返回上一页", "retry": "重新进入", "bind": "绑定帐号", "register": "注册志愿者"}
