"""培训 and 表彰: what an organisation records for its volunteers (我的培训, 我的表彰), and what
the service-proof certificate shows beside the hours."""
from datetime import date

from app.errors import DomainError

COMMENDATION_LEVELS = {
    "national": "国家级",
    "provincial": "省级",
    "city": "市级",
    "district": "区县级",
    "organisation": "组织级",
}
MAX_TRAINING_MINUTES = 7 * 24 * 60


def check_training(title, held_on: date, minutes, today: date):
    if not (title or "").strip():
        raise DomainError("VALIDATION_ERROR", fields={"title": ["不能为空。"]})
    if held_on > today:
        raise DomainError("ACHIEVEMENT_DATE_FUTURE")
    if minutes is not None and not 0 < minutes <= MAX_TRAINING_MINUTES:
        raise DomainError("VALIDATION_ERROR", fields={"minutes": ["培训时长无效。"]})


def check_commendation(title, level, awarded_on: date, issuer, today: date):
    if not (title or "").strip() or not (issuer or "").strip():
        raise DomainError("VALIDATION_ERROR", fields={"title": ["表彰名称与颁发单位不能为空。"]})
    if level not in COMMENDATION_LEVELS:
        raise DomainError("VALIDATION_ERROR", fields={"level": ["未知的表彰级别。"]})
    if awarded_on > today:
        raise DomainError("ACHIEVEMENT_DATE_FUTURE")
