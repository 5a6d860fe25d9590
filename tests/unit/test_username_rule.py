"""The username-change rule without the app: once per 180 days."""
from datetime import timedelta

import pytest

from app.domain.username_change import INTERVAL, check_change
from app.errors import DomainError
from app.timeutil import utcnow

NOW = utcnow()


@pytest.mark.parametrize("last", [None, NOW - timedelta(days=180), NOW - timedelta(days=400)])
def test_allowed_first_and_after_180_days(last):
    assert check_change("old01", "new01", last, NOW) == "new01"


@pytest.mark.parametrize("last", [NOW, NOW - timedelta(days=179, hours=23)])
def test_refused_within_180_days_with_the_date_it_becomes_possible(last):
    with pytest.raises(DomainError) as refused:
        check_change("old01", "new01", last, NOW)
    assert refused.value.code == "USERNAME_CHANGE_TOO_SOON"
    assert refused.value.details["next_allowed_at"] == last + INTERVAL


@pytest.mark.parametrize(("new", "code"), [("OLD01", "USERNAME_SAME"), ("1abc", "USERNAME_FORMAT")])
def test_same_or_malformed(new, code):
    with pytest.raises(DomainError) as refused:
        check_change("old01", new, None, NOW)
    assert refused.value.code == code
