"""志愿服务记录证明 numbers and what a verification says. Pure functions.

A number carries 120 random bits (the caller passes them in), in Crockford's base-32 without the
letters that read like digits: ZM-XXXXXX-XXXXXX-XXXXXX-XXXXXX. Not a sequence, not derived from
the volunteer: the next or previous number of a real one is not a real one, and guessing one
means trying 2^120 of them. A number that is not of this shape is refused before any lookup.
"""
import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "ZM"
GROUPS, GROUP_LEN = 4, 6
RANDOM_BYTES = 15  # 120 bits → 24 characters of 5 bits
_SHAPE = re.compile(rf"^{PREFIX}(-[{ALPHABET}]{{{GROUP_LEN}}}){{{GROUPS}}}$")

VALID, SUPERSEDED = "valid", "superseded"
STATUS_LABELS = {VALID: "有效", SUPERSEDED: "已失效：证明所列记录其后已被撤销或更正，请重新开具"}


def new_number(random_bytes: bytes) -> str:
    if len(random_bytes) != RANDOM_BYTES:
        raise ValueError(f"a certificate number needs {RANDOM_BYTES} random bytes")
    value = int.from_bytes(random_bytes, "big")
    chars = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(GROUPS * GROUP_LEN))
    groups = [chars[i:i + GROUP_LEN] for i in range(0, len(chars), GROUP_LEN)]
    return "-".join([PREFIX, *groups])


def normalise(number: str):
    """The number as stored, or None when it cannot be one (lower case and spaces forgiven)."""
    text = (number or "").strip().upper().replace(" ", "")
    return text if _SHAPE.match(text) else None


def status_of(covered, current):
    """covered: {record key: minutes} as printed; current: {record key: minutes} of the records
    that are still effective now. Superseded as soon as one covered record was revoked or its
    minutes changed since the certificate was issued."""
    for key, minutes in covered.items():
        if current.get(key) != minutes:
            return SUPERSEDED
    return VALID


def period_label(start, end, issued_day):
    """"2026-01-01 至 2026-11-30"; an open start reads 首次服务起."""
    left = start.isoformat() if start else "首次服务起"
    right = (end or issued_day).isoformat()
    return f"{left} 至 {right}"
