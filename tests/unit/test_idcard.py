from datetime import date

import pytest

from app.domain.idcard import InvalidIdNumber, is_guangdong, make_id_number, validate_mainland_id


def test_a_real_format_number_passes_and_x_is_upper_cased():
    assert validate_mainland_id("11010519491231002x") == "11010519491231002X"  # GB 11643 sample


@pytest.mark.parametrize("number,reason", [
    ("4401041990010112", "ID_FORMAT"),  # too short
    ("44010419900101123A", "ID_FORMAT"),
    ("440104199002301234", "ID_BIRTH_DATE"),  # 30 February
    ("440104209901011234", "ID_BIRTH_DATE"),  # born in the future
    ("110105194912310021", "ID_CHECK_DIGIT"),
])
def test_malformed_numbers_are_refused_with_a_reason(number, reason):
    with pytest.raises(InvalidIdNumber) as info:
        validate_mainland_id(number, today=date(2026, 11, 25))
    assert info.value.reason == reason


def test_made_numbers_are_valid_and_guangdong_is_recognised():
    number = make_id_number("440104", date(2000, 2, 29), 7)
    assert validate_mainland_id(number) == number
    assert is_guangdong(number)
    assert not is_guangdong(make_id_number("110105", date(2000, 1, 1), 7))
