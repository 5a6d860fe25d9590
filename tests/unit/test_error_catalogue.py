"""The one error catalogue (codes and Chinese messages) and the API's statuses for its codes."""
import pytest

from app.errors import MESSAGES, DomainError
from miniprogram_api.errors import STATUS, status_of


def test_every_catalogue_code_has_an_api_status_and_every_status_a_code():
    assert sorted(set(MESSAGES) - set(STATUS)) == []
    assert sorted(set(STATUS) - set(MESSAGES)) == []


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_status_is_an_http_error_and_every_message_chinese(code):
    assert 400 <= status_of(code) <= 599
    assert MESSAGES[code].strip() and any("\u4e00" <= ch <= "\u9fff" for ch in MESSAGES[code])


def test_a_domain_error_knows_its_code_and_message_but_no_http_status():
    refused = DomainError("QUOTA_FULL")
    assert (refused.code, refused.message, refused.details) == ("QUOTA_FULL", "活动报名人数已满。", {})
    assert not hasattr(refused, "status")
    assert DomainError("CONFLICT", "帐号已是该状态。", state="x").message == "帐号已是该状态。"
    with pytest.raises(KeyError):
        DomainError("NO_SUCH_CODE")
