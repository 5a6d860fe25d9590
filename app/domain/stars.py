"""Star volunteers (星级志愿者): 一星 100 h, 二星 300 h, 三星 600 h, 四星 1000 h, 五星 1500 h
of recorded service (中国注册志愿者管理办法 and the provincial rules)."""

STAR_THRESHOLDS_HOURS = (100, 300, 600, 1000, 1500)
STAR_LABELS = ("未评星", "一星", "二星", "三星", "四星", "五星")


def star_level(total_minutes: int) -> int:
    """0 (no star yet) to 5, from the total recorded minutes."""
    level = 0
    for hours in STAR_THRESHOLDS_HOURS:
        if total_minutes >= hours * 60:
            level += 1
    return level
