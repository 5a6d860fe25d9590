"""星级志愿者: the star level by total recorded service time (中国注册志愿者管理办法 and the
provincial rules): 一星 100 h, 二星 300 h, 三星 600 h, 四星 1000 h, 五星 1500 h."""

STAR_THRESHOLDS_HOURS = (100, 300, 600, 1000, 1500)
STAR_THRESHOLDS_MINUTES = tuple(hours * 60 for hours in STAR_THRESHOLDS_HOURS)
STAR_LABELS = ("", "一星", "二星", "三星", "四星", "五星")


def star_level(total_minutes: int) -> int:
    """0 (no star yet) to 5 for a total in minutes."""
    return sum(1 for threshold in STAR_THRESHOLDS_MINUTES if total_minutes >= threshold)


def star_label(total_minutes: int) -> str:
    return STAR_LABELS[star_level(total_minutes)]


def minutes_to_next_star(total_minutes: int):
    """Minutes still needed for the next level, or None at 五星."""
    for threshold in STAR_THRESHOLDS_MINUTES:
        if total_minutes < threshold:
            return threshold - total_minutes
    return None
