"""Mainland resident ID numbers (GB 11643-1999): 17 digits, a check character, a real birth date."""
from datetime import date

from app.errors import DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(DomainError):
    """The number is refused; its code is ID_FORMAT, ID_BIRTH_DATE or ID_CHECK_DIGIT."""

    @property
    def reason(self):
        """The code under this class's older name."""
        return self.code


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def validate_mainland_id(value: str, today: date | None = None) -> str:
    """Returns the normalised number (upper-case X) or raises InvalidIdNumber."""
    number = (value or "").strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("ID_FORMAT")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("ID_BIRTH_DATE") from None
    today = today or date.today()
    if born > today or born.year < 1900:
        raise InvalidIdNumber("ID_BIRTH_DATE")
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber("ID_CHECK_DIGIT")
    return number


def birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def is_guangdong(number: str) -> bool:
    """Guangdong's region codes start with 44; others are checked as 未知."""
    return number.startswith("44")


def make_id_number(region6: str, born: date, sequence3: int) -> str:
    """Builds a valid number (demo data and tests)."""
    first17 = f"{region6}{born:%Y%m%d}{sequence3:03d}"
    return first17 + check_char(first17)
