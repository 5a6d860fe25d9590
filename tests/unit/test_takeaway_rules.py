"""Pure rules of certificates, the record-transfer document and report periods."""
import os
from datetime import date

import pytest

from app.domain import certificates, record_transfer, reports
from app.errors import DomainError


def test_certificate_numbers_are_random_and_of_one_shape():
    numbers = {certificates.new_number(os.urandom(certificates.RANDOM_BYTES)) for _ in range(1000)}
    assert len(numbers) == 1000
    assert all(certificates.normalise(n) == n and len(n) == 30 for n in numbers)
    assert certificates.new_number(bytes(15)) == "ZM-000000-000000-000000-000000"
    with pytest.raises(ValueError):
        certificates.new_number(b"short")


@pytest.mark.parametrize("text, expected", [
    (" zm-abcdef-ghjkmn-pqrstv-wxyz01 ", "ZM-ABCDEF-GHJKMN-PQRSTV-WXYZ01"),
    ("ZM-ABCDEF-GHJKMN-PQRSTV-WXYZ0I", None),  # I is not in the alphabet
    ("ZM-ABCDEF-GHJKMN-PQRSTV", None), ("1", None), ("", None), (None, None),
    ("ZM-ABCDEF-GHJKMN-PQRSTV-WXYZ01-", None), ("../../etc/passwd", None),
])
def test_normalise(text, expected):
    assert certificates.normalise(text) == expected


def test_a_certificate_is_superseded_once_a_covered_record_changes():
    covered = {1: 60, 2: 90}
    assert certificates.status_of(covered, {1: 60, 2: 90, 3: 10}) == certificates.VALID
    assert certificates.status_of(covered, {1: 60}) == certificates.SUPERSEDED  # 2 revoked
    assert certificates.status_of(covered, {1: 60, 2: 30}) == certificates.SUPERSEDED  # 2 amended
    assert certificates.status_of({}, {}) == certificates.VALID


def test_period_label():
    assert certificates.period_label(None, None, date(2026, 12, 2)) == "首次服务起 至 2026-12-02"
    assert certificates.period_label(date(2026, 1, 1), date(2026, 6, 30), date(2026, 12, 2)) == \
        "2026-01-01 至 2026-06-30"


def document(records, **extra):
    return record_transfer.build(platform="广西志愿服务信息系统", region="450000",
                                 exported_at="2026-11-01T10:00:00+08:00",
                                 volunteer={"id_number_masked": "4401041995********"}, records=records) | extra


def test_the_transfer_document_round_trips():
    doc = document([{"id": "a", "activity": "社区服务", "organisation": "队", "service_day": "2026-01-02",
                     "minutes": 60}])
    person, records = record_transfer.parse(doc)
    assert person["id_number_masked"] == "4401041995********"
    assert records == [{"id": "a", "activity": "社区服务", "organisation": "队", "service_day": date(2026, 1, 2),
                        "minutes": 60}]


@pytest.mark.parametrize("records, extra", [
    ([], {}),
    ([{"id": "a", "activity": "x", "minutes": 0}], {}),
    ([{"id": "a", "activity": "x", "minutes": 1441}], {}),
    ([{"id": "a", "activity": "x", "minutes": True}], {}),
    ([{"id": "a", "activity": "x", "minutes": 30}, {"id": "a", "activity": "y", "minutes": 30}], {}),
    ([{"id": "a", "activity": "", "minutes": 30}], {}),
    ([{"id": "a", "activity": "x", "minutes": 30, "service_day": "2026-02-30"}], {}),
    ([{"id": "a", "activity": "x", "minutes": 30}], {"total_minutes": 31}),
    ([{"id": "a", "activity": "x", "minutes": 30}], {"version": 2}),
    ([{"activity": "x", "minutes": 30}], {}),
])
def test_a_document_that_does_not_add_up_is_refused(records, extra):
    doc = {**record_transfer.build(platform="p", region="r", exported_at="", volunteer={}, records=[]),
           "records": records, "total_minutes": sum(r["minutes"] for r in records
                                                    if isinstance(r.get("minutes"), int)), **extra}
    with pytest.raises(DomainError) as refused:
        record_transfer.parse(doc)
    assert refused.value.code == "TRANSFER_DOCUMENT_INVALID"


@pytest.mark.parametrize("masked, full, same", [
    ("4401041995********", "440104199503070023", True),
    ("4401041996********", "440104199503070023", False),
    ("4401041995********", "44010419950307002", False),
    ("", "440104199503070023", False),
    ("******************", "440104199503070023", False),  # nothing shown, nothing proven
    ("440104************", "440104199503070023", True),
])
def test_same_person(masked, full, same):
    assert record_transfer.same_person(masked, full) is same


def test_months_and_rates():
    assert reports.months_between(date(2025, 11, 15), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01",
                                                                           "2026-02"]
    assert reports.months_between(date(2026, 3, 1), date(2026, 3, 31)) == ["2026-03"]
    assert reports.rate(1, 3) == 0.3333 and reports.rate(1, 0) == 0.0
    assert reports.category_label("transfer") == "转入记录" and reports.category_label("助老") == "助老"
