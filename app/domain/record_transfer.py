"""The record-transfer document (记录转移 / 接续): what one platform region exports and another
reads. Pure functions; the format is documented in README ("Certificates, exports, transfers…").

    {"format": "izyz-service-records", "version": 1,
     "platform": "i志愿", "region": "440000", "exported_at": "2026-11-30T10:00:00+08:00",
     "volunteer": {"name": "林晓琳", "id_number_masked": "4401041995********",
                   "volunteer_number": "440000001234"},
     "records": [{"id": "1234", "activity": "社区服务", "organisation": "东山街志愿服务队",
                  "service_day": "2026-10-01", "minutes": 240}],
     "total_minutes": 240}

Only effective records are exported; `id` is the record's id on the exporting platform, so the
receiving side counts each record once however often it is sent.
"""
from datetime import date

from app.errors import DomainError

FORMAT, VERSION = "izyz-service-records", 1
MAX_RECORDS = 5000
MAX_MINUTES = 24 * 60
MIN_SHOWN = 6  # digits of the ID number a masked one must show to be compared at all


def build(*, platform, region, exported_at, volunteer, records):
    records = list(records)
    return {"format": FORMAT, "version": VERSION, "platform": platform, "region": region,
            "exported_at": exported_at, "volunteer": volunteer, "records": records,
            "total_minutes": sum(r["minutes"] for r in records)}


def _problem(message):
    return DomainError("TRANSFER_DOCUMENT_INVALID", fields={"document": [message]})


def parse(document):
    """→ (volunteer part, [records with service_day as a date]); TRANSFER_DOCUMENT_INVALID when
    the document is not one of ours or does not add up."""
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        raise _problem(f"不是 {FORMAT} 第 {VERSION} 版格式的文件。")
    records = document.get("records")
    if not isinstance(records, list) or not records or len(records) > MAX_RECORDS:
        raise _problem(f"records 须为 1–{MAX_RECORDS} 条记录。")
    parsed, seen = [], set()
    for n, item in enumerate(records, 1):
        try:
            record_id = str(item["id"]).strip()
            minutes = item["minutes"]
            day = date.fromisoformat(item["service_day"]) if item.get("service_day") else None
            title = str(item["activity"]).strip()[:120]
            org = str(item.get("organisation") or "").strip()[:120]
        except (KeyError, TypeError, ValueError):
            raise _problem(f"第 {n} 条记录缺少字段或格式有误。") from None
        if not record_id or len(record_id) > 64 or record_id in seen or not title:
            raise _problem(f"第 {n} 条记录的编号或活动名称有误。")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= MAX_MINUTES:
            raise _problem(f"第 {n} 条记录的时长有误。")
        seen.add(record_id)
        parsed.append({"id": record_id, "activity": title, "organisation": org, "service_day": day,
                       "minutes": minutes})
    if document.get("total_minutes") != sum(r["minutes"] for r in parsed):
        raise _problem("total_minutes 与各条记录的时长之和不符。")
    volunteer = document.get("volunteer")
    if not isinstance(volunteer, dict):
        raise _problem("缺少 volunteer。")
    return volunteer, parsed


def same_person(masked_in_document, id_number):
    """The document's masked ID number agrees with the requester's full one where it shows digits
    (at least MIN_SHOWN of them)."""
    masked = (masked_in_document or "").strip().upper()
    full = (id_number or "").strip().upper()
    if not masked or len(masked) != len(full) or len(masked.replace("*", "")) < MIN_SHOWN:
        return False
    return all(m == "*" or m == f for m, f in zip(masked, full, strict=True))
