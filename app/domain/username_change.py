"""Changing one's username (PATCH /api/v1/me/username): at most once per 180 days."""
from datetime import datetime, timedelta

from app.domain.registration import check_username
from app.errors import DomainError

INTERVAL = timedelta(days=180)


def next_change_allowed_at(last_changed_at: datetime | None) -> datetime | None:
    """When the next change may be made; None: now."""
    return last_changed_at + INTERVAL if last_changed_at is not None else None


def check_change(current: str | None, new: str, last_changed_at: datetime | None, now: datetime) -> str:
    """The new username, or USERNAME_FORMAT / USERNAME_SAME / USERNAME_CHANGE_TOO_SOON.
    The first change of an account (never changed before) is always allowed."""
    check_username(new)
    if current is not None and new.lower() == current.lower():
        raise DomainError("USERNAME_SAME")
    allowed_at = next_change_allowed_at(last_changed_at)
    if allowed_at is not None and now < allowed_at:
        raise DomainError("USERNAME_CHANGE_TOO_SOON", next_allowed_at=allowed_at)
    return new
