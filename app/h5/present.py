"""How the city-service pages show values: times in Shanghai, minutes as hours, stars."""
from datetime import UTC

from app.domain.regions import region_name
from app.services.records import format_minutes
from app.timeutil import SHANGHAI

WEEKDAYS = "一二三四五六日"


def local_time(dt, with_date=True):
    """Naive UTC → "11月22日 周六 09:30" in Shanghai."""
    if dt is None:
        return ""
    local = dt.replace(tzinfo=UTC).astimezone(SHANGHAI)
    if not with_date:
        return local.strftime("%H:%M")
    return f"{local.month}月{local.day}日 周{WEEKDAYS[local.weekday()]} {local:%H:%M}"


def time_range(start, end):
    if start is None or end is None:
        return ""
    same_day = local_time(start).split(" ")[0] == local_time(end).split(" ")[0]
    return f"{local_time(start)} – {local_time(end, with_date=not same_day)}"


def stars(level):
    level = int(level or 0)
    return "★" * level + "☆" * (5 - level)


FILTERS = {"local_time": local_time, "time_range": time_range, "minutes": format_minutes, "stars": stars,
           "region_name": lambda code: region_name(code) or "" if code else ""}


def register(bp):
    for name, func in FILTERS.items():
        bp.add_app_template_filter(func, name)
