import pytest

from app.domain.stars import star_level


@pytest.mark.parametrize("hours, minutes_extra, level", [
    (0, 0, 0), (99, 59, 0), (100, 0, 1), (299, 59, 1), (300, 0, 2), (599, 59, 2),
    (600, 0, 3), (999, 59, 3), (1000, 0, 4), (1499, 59, 4), (1500, 0, 5), (9000, 0, 5),
])
def test_star_level_thresholds(hours, minutes_extra, level):
    assert star_level(hours * 60 + minutes_extra) == level
