"""Rules for the fields of a registration (volunteer or organisation admin)."""
import re
from datetime import date

from app.domain.idcard import validate_mainland_id
from app.errors import DomainError

ID_TYPES = ("mainland_id", "hk_macao_permit", "taiwan_permit", "passport")
ID_TYPE_LABELS = {"mainland_id": "居民身份证", "hk_macao_permit": "港澳居民来往内地通行证",
                  "taiwan_permit": "台湾居民来往大陆通行证", "passport": "护照"}
GENDERS = ("male", "female")
EDUCATION_LEVELS = ("小学", "初中", "高中", "中专", "大专", "本科", "硕士", "博士", "其他")

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# Starts with a letter so that it can never be mistaken for a phone, ID or volunteer number.
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{3,31}$")
# Permits and passports: letters and digits, 5–20 characters (formats vary by issuer).
OTHER_ID_RE = re.compile(r"^[A-Z0-9]{5,20}$")


def normalise_id(id_type, value, today: date | None = None):
    """The stored form of an ID number; FieldProblem or, for a mainland ID, InvalidIdNumber (both
    DomainErrors: ID_TYPE_INVALID, ID_FORMAT, ID_BIRTH_DATE, ID_CHECK_DIGIT) when it is refused."""
    if id_type not in ID_TYPES:
        raise FieldProblem("ID_TYPE_INVALID")
    if id_type == "mainland_id":
        return validate_mainland_id(value, today=today)
    number = (value or "").strip().upper().replace(" ", "")
    if not OTHER_ID_RE.match(number):
        raise FieldProblem("ID_FORMAT")
    return number


def normalise_phone(value):
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.match(phone):
        raise FieldProblem("PHONE_FORMAT")
    return phone


def check_username(value):
    if value is None:
        return None
    if not USERNAME_RE.match(value):
        raise FieldProblem("USERNAME_FORMAT")
    return value


class FieldProblem(DomainError):
    """A field of a registration broke a rule; `code` says which (PHONE_FORMAT, USERNAME_FORMAT…)."""
