"""Signed, compact codes: check-in / check-out codes, volunteers' rotating personal codes and
the volunteer card's link token. Pure functions: the key is passed in.

Clock code (what the admin's screen shows, and the scene of the mini-program code and of the
service account's parametric QR code): "C" + base64url of 21 bytes = 29 characters, under the
32-character limit of a mini-program code scene and the 64 of a QR_STR_SCENE:

    byte 0      version (high 4 bits) | kind (low 4 bits: 1 check-in, 2 check-out)
    bytes 1-4   activity id (unsigned, big-endian)
    bytes 5-8   expiry, Unix seconds
    bytes 9-12  random nonce (names the code: a repeated scan of it is the same scan)
    bytes 13-20 HMAC-SHA256 over "clock" + bytes 0-12, first 8 bytes

64 bits of MAC are plenty for a code that lives two minutes and is checked online (a forger
gets one guess per request, against rate limits, and 2^64 guesses to make).

Personal code (rotates every 30 s; an admin scans it): "P" + base64url of 21 bytes:
version, volunteer id (6 bytes), time step (4 bytes), HMAC over "personal" + the rest (10 bytes).

Card token (the volunteer QR code printed on the card; it opens the public card page):
base64url of volunteer id (6 bytes) + HMAC over "card" + id (9 bytes) = 20 characters.
"""
import base64
import binascii
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

from app.errors import DomainError

VERSION = 1
KINDS = {"checkin": 1, "checkout": 2}
KIND_NAMES = {v: k for k, v in KINDS.items()}
CLOCK_PREFIX = "C"
PERSONAL_PREFIX = "P"
CLOCK_CODE_LENGTH = 29
PERSONAL_CODE_LENGTH = 29
PERSONAL_STEP_SECONDS = 30


class CodeRefused(DomainError):
    """A refusal whose `code` (also `reason`) is the stable error code: CLOCK_CODE_INVALID or CLOCK_CODE_EXPIRED."""

    @property
    def reason(self):
        return self.code


@dataclass(frozen=True)
class ClockCode:
    kind: str
    activity_id: int
    expires_at: int  # Unix seconds
    nonce: str  # hex, 8 characters


@dataclass(frozen=True)
class PersonalCode:
    volunteer_id: int
    step: int


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CodeRefused("CLOCK_CODE_INVALID") from None


def _mac(key: bytes, label: bytes, body: bytes, length: int) -> bytes:
    return hmac.new(key, label + body, hashlib.sha256).digest()[:length]


# --- clock codes ---

def make_clock_code(key: bytes, *, activity_id: int, kind: str, expires_at: int, nonce: bytes = None) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if not 0 < activity_id < 2**32:
        raise ValueError("activity id out of range for a clock code")
    nonce = nonce if nonce is not None else os.urandom(4)
    body = struct.pack(">BII4s", (VERSION << 4) | KINDS[kind], activity_id, expires_at, nonce)
    return CLOCK_PREFIX + _b64(body + _mac(key, b"clock", body, 8))


def looks_like_clock_code(text) -> bool:
    """The shape of a clock code (not its signature): tells a scene or scan result apart."""
    if not isinstance(text, str):
        return False
    text = text.strip()
    if len(text) != CLOCK_CODE_LENGTH or not text.startswith(CLOCK_PREFIX):
        return False
    try:
        raw = _unb64(text[1:])
    except CodeRefused:
        return False
    return len(raw) == 21 and raw[0] >> 4 == VERSION


def looks_like_personal_code(text) -> bool:
    """The shape of a volunteer's personal code (not its signature)."""
    return isinstance(text, str) and len(text) == PERSONAL_CODE_LENGTH and text.startswith(PERSONAL_PREFIX)


def _open_signed(key, text, prefix, length, purpose, body_length):
    """The signed body of a code (prefix + base64url of 21 bytes: body, then a truncated MAC),
    or CodeRefused(CLOCK_CODE_INVALID) for anything malformed, forged or tampered with."""
    text = (text or "").strip()
    if len(text) != length or not text.startswith(prefix):
        raise CodeRefused("CLOCK_CODE_INVALID")
    raw = _unb64(text[1:])
    if len(raw) != 21:
        raise CodeRefused("CLOCK_CODE_INVALID")
    body, mac = raw[:body_length], raw[body_length:]
    if not hmac.compare_digest(mac, _mac(key, purpose, body, 21 - body_length)):
        raise CodeRefused("CLOCK_CODE_INVALID")
    return body


def read_clock_code(key: bytes, text: str, now: int | None) -> ClockCode:
    """Verify and decode; raises CodeRefused(CLOCK_CODE_INVALID | CLOCK_CODE_EXPIRED).

    now=None checks the signature only (the caller decides about expiry, e.g. after finding
    that the scan repeats one already recorded)."""
    body = _open_signed(key, text, CLOCK_PREFIX, CLOCK_CODE_LENGTH, b"clock", body_length=13)
    header, activity_id, expires_at, nonce = struct.unpack(">BII4s", body)
    if header >> 4 != VERSION or (header & 0x0F) not in KIND_NAMES:
        raise CodeRefused("CLOCK_CODE_INVALID")
    if now is not None and now > expires_at:
        raise CodeRefused("CLOCK_CODE_EXPIRED")
    return ClockCode(kind=KIND_NAMES[header & 0x0F], activity_id=activity_id, expires_at=expires_at,
                     nonce=nonce.hex())


# --- personal rotating codes ---

def personal_step(now: int) -> int:
    return now // PERSONAL_STEP_SECONDS


def make_personal_code(key: bytes, volunteer_id: int, now: int) -> str:
    body = struct.pack(">B6sI", VERSION, volunteer_id.to_bytes(6, "big"), personal_step(now))
    return PERSONAL_PREFIX + _b64(body + _mac(key, b"personal", body, 10))


def read_personal_code(key: bytes, text: str, now: int) -> PersonalCode:
    """A code of the current or the previous 30-second step (a scan may straddle the turn)."""
    body = _open_signed(key, text, PERSONAL_PREFIX, PERSONAL_CODE_LENGTH, b"personal", body_length=11)
    version, volunteer_bytes, step = struct.unpack(">B6sI", body)
    if version != VERSION:
        raise CodeRefused("CLOCK_CODE_INVALID")
    current = personal_step(now)
    if step > current + 1 or step < current - 1:  # one step of clock skew either way
        raise CodeRefused("CLOCK_CODE_EXPIRED")
    return PersonalCode(volunteer_id=int.from_bytes(volunteer_bytes, "big"), step=step)


# --- card tokens ---

def make_card_token(key: bytes, volunteer_id: int) -> str:
    body = volunteer_id.to_bytes(6, "big")
    return _b64(body + _mac(key, b"card", body, 9))


def read_card_token(key: bytes, token: str):
    """The volunteer id, or None for anything that is not a genuine card token."""
    if not isinstance(token, str) or len(token) != 20:
        return None
    try:
        raw = _unb64(token)
    except CodeRefused:
        return None
    if len(raw) != 15 or not hmac.compare_digest(raw[6:], _mac(key, b"card", raw[:6], 9)):
        return None
    return int.from_bytes(raw[:6], "big")
