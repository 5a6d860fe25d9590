"""统计报表 arithmetic: month keys of a period and the rates shown. Pure functions."""
from datetime import date

CATEGORY_NONE = ""
CATEGORY_TRANSFER = "transfer"
CATEGORY_LABELS = {CATEGORY_NONE: "未分类", CATEGORY_TRANSFER: "转入记录"}


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(start: date, end: date):
    """["2026-01", …, "2026-03"] for 2026-01-15 … 2026-03-02 (both months included)."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def rate(part, whole):
    """A share as a fraction with four decimals (持证率 = with a card / approved); 0 when whole is 0."""
    return round(part / whole, 4) if whole else 0.0


def category_label(category):
    return CATEGORY_LABELS.get(category, category)
