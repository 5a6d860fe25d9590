"""The one door from every WeChat surface to the clock service.

The service account's callback (SCAN, subscribe with qrscene_, scancode_* results), the H5
scan page and the mini-program API all hand a scanned text here; app/services/attendance.py
decides. Callers pass plain values only.
"""


def is_clock_scene(text: str) -> bool:
    """True when a scanned text or QR scene is one of our check-in / check-out codes."""
    from app.services.attendance import is_clock_code

    return is_clock_code(text)


def clock_from_scene(*, account_id, text, source, latitude=None, longitude=None):
    """Clock the account in or out with a scanned code.

    source: "miniprogram", "mp_scan" (SCAN / subscribe event), "mp_scancode" (scancode_*),
    "h5". Returns {"kind": "checkin"|"checkout", "activity_id", "at", "minutes"?}; raises
    DomainError with the attendance error codes. A repeated scan returns the first result.
    """
    from app.services.attendance import scan

    return scan(account_id=account_id, code=text, source=source, latitude=latitude, longitude=longitude)
