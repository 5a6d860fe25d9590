"""完善资料 beyond registration: 背景经历, 特长, 服务信息 (service intentions, available times), the
avatar, and how complete the profile is."""

AVAILABLE_TIMES = {
    "weekday_daytime": "工作日白天",
    "weekday_evening": "工作日晚上",
    "weekend": "周末",
    "holiday": "节假日",
    "flexible": "时间灵活",
}
MAX_BACKGROUND_CHARS = 1000
MAX_SPECIALTIES = 10
MAX_SPECIALTY_CHARS = 20

# What a complete profile has, in the order the mini-program asks for it, with the label shown.
ITEMS = (
    ("avatar", "头像"),
    ("education", "学历"),
    ("background", "背景经历"),
    ("specialties", "特长"),
    ("service_intentions", "服务意向"),
    ("available_times", "可服务时间"),
    ("email", "邮箱"),
)


def completeness(values: dict) -> dict:
    """{"percent": 0–100, "missing": [{"field", "label"}]} of the ITEMS, given their values
    (an empty string or list counts as missing)."""
    missing = [{"field": field, "label": label} for field, label in ITEMS if not values.get(field)]
    percent = round(100 * (len(ITEMS) - len(missing)) / len(ITEMS))
    return {"percent": percent, "missing": missing}


def clean_list(values, max_items, max_chars):
    """Trimmed, de-duplicated, non-empty entries, or None when the list breaks the limits."""
    cleaned = list(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))
    if len(cleaned) > max_items or any(len(v) > max_chars for v in cleaned):
        return None
    return cleaned
