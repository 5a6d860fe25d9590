"""Signed, compact codes: check-in / check-out codes, volunteers' rotating personal codes and
the volunteer card's link token. Pure functions: the keys are passed in (a Keyring for the
clock and personal codes, whose keys rotate; one key for card tokens, which are printed).

Clock code (what the admin's screen shows, and the scene of the mini-program code and of the
service account's parametric QR code): "C" + base64url of 22 bytes = 31 characters, under the
32-character limit of a mini-program code scene and the 64 of a QR_STR_SCENE:

    byte 0      version 2 (high 4 bits) | kind (low 4 bits: 1 check-in, 2 check-out)
    byte 1      the id of the key that signed it (Keyring)
    bytes 2-5   activity id (unsigned, big-endian)
    bytes 6-9   expiry, Unix seconds
    bytes 10-13 random nonce (names the code: a repeated scan of it is the same scan)
    bytes 14-21 HMAC-SHA256 over "clock" + bytes 0-13, first 8 bytes

Version 1 (29 characters: no key id byte, signed with key 0) is still read, so the codes on
screens when this version was deployed work for the rest of their life.

Keys rotate (Keyring): the newest key signs; the one before it is retired at `rotated_at` and
accepted only for codes that expire within `grace` seconds of that (CLOCK_CODE_SECONDS plus a
little clock skew), so a code already on a screen works for its life and no later.

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

VERSION = 1  # personal codes; clock codes of version 1 are still read
CLOCK_VERSION = 2
KINDS = {"checkin": 1, "checkout": 2}
KIND_NAMES = {v: k for k, v in KINDS.items()}
CLOCK_PREFIX = "C"
PERSONAL_PREFIX = "P"
CLOCK_CODE_LENGTH = 31
CLOCK_CODE_V1_LENGTH = 29
PERSONAL_CODE_LENGTH = 29
PERSONAL_STEP_SECONDS = 30


class CodeRefused(DomainError):
    """A refusal whose `code` (also `reason`) is the stable error code: CLOCK_CODE_INVALID or CLOCK_CODE_EXPIRED."""

    @property
    def reason(self):
        return self.code


@dataclass(frozen=True)
class SigningKey:
    id: int  # 0-255: carried in the code's byte 1
    secret: bytes


@dataclass(frozen=True)
class Keyring:
    """The clock and personal codes' keys, oldest first.

    The last key signs from `rotated_at` (Unix seconds) on; before that moment the one before it
    still signs, so every host can learn a new key before any host signs with it. The key before
    the last is retired at `rotated_at`: accepted only until `rotated_at + grace` and only on codes
    that expire by then (a code minted later with it is a forgery). Keys before those two are
    accepted no more. One key needs no `rotated_at`."""
    keys: tuple[SigningKey, ...]
    rotated_at: int | None = None
    grace: int = 0

    def __post_init__(self):
        if not self.keys:
            raise ValueError("a keyring needs a key")
        if len({k.id for k in self.keys}) != len(self.keys) or not all(0 <= k.id < 256 for k in self.keys):
            raise ValueError("key ids are distinct numbers 0-255")
        if len(self.keys) > 1 and self.rotated_at is None:
            raise ValueError("several keys need the time the last one took over (rotated_at)")

    @classmethod
    def of(cls, secret: bytes, key_id: int = 0) -> "Keyring":
        return cls((SigningKey(key_id, secret),))

    @property
    def _retired(self):
        return self.keys[-2] if len(self.keys) > 1 else None

    def signing(self, now: int) -> SigningKey:
        """The key that signs at `now`."""
        if self._retired is not None and now < self.rotated_at:
            return self._retired
        return self.keys[-1]

    def accepting(self, now: int | None, expires_at: int | None = None) -> list[SigningKey]:
        """The keys a code read at `now` (None: any time) that expires at `expires_at` (None: a
        code with no expiry of its own, e.g. a personal code) may be signed with."""
        keys = [self.keys[-1]]
        retired = self._retired
        if retired is not None:
            limit = self.rotated_at + self.grace
            if (now is None or now <= limit) and (expires_at is None or expires_at <= limit):
                keys.append(retired)
        return keys


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

def make_clock_code(keyring: Keyring, *, activity_id: int, kind: str, expires_at: int, now: int,
                    nonce: bytes = None) -> str:
    """A code signed with the key that signs at `now`."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if not 0 < activity_id < 2**32:
        raise ValueError("activity id out of range for a clock code")
    key = keyring.signing(now)
    nonce = nonce if nonce is not None else os.urandom(4)
    body = struct.pack(">BBII4s", (CLOCK_VERSION << 4) | KINDS[kind], key.id, activity_id, expires_at, nonce)
    return CLOCK_PREFIX + _b64(body + _mac(key.secret, b"clock", body, 8))


def looks_like_clock_code(text) -> bool:
    """The shape of a clock code (not its signature): tells a scene or scan result apart."""
    if not isinstance(text, str):
        return False
    text = text.strip()
    if len(text) not in (CLOCK_CODE_LENGTH, CLOCK_CODE_V1_LENGTH) or not text.startswith(CLOCK_PREFIX):
        return False
    try:
        raw = _unb64(text[1:])
    except CodeRefused:
        return False
    version = CLOCK_VERSION if len(text) == CLOCK_CODE_LENGTH else VERSION
    return len(raw) == (len(text) - 1) * 6 // 8 and raw[0] >> 4 == version


def looks_like_personal_code(text) -> bool:
    """The shape of a volunteer's personal code (not its signature)."""
    return isinstance(text, str) and len(text) == PERSONAL_CODE_LENGTH and text.startswith(PERSONAL_PREFIX)


def _raw(text, prefix, lengths):
    """The bytes of a code (prefix + base64url), or CodeRefused(CLOCK_CODE_INVALID)."""
    text = (text or "").strip() if isinstance(text, str) or text is None else ""
    if len(text) not in lengths or not text.startswith(prefix):
        raise CodeRefused("CLOCK_CODE_INVALID")
    raw = _unb64(text[1:])
    # Canonical only: a 31-character code's last character has four unused bits, so several
    # spellings would decode to the same bytes; one code has one spelling.
    if len(raw) != (len(text) - 1) * 6 // 8 or _b64(raw) != text[1:]:
        raise CodeRefused("CLOCK_CODE_INVALID")
    return raw


def _signed_by(keys, raw, purpose, body_length):
    """The body of `raw` when one of `keys` signed it; CodeRefused(CLOCK_CODE_INVALID) otherwise."""
    body, mac = raw[:body_length], raw[body_length:]
    for key in keys:
        if hmac.compare_digest(mac, _mac(key.secret, purpose, body, len(raw) - body_length)):
            return body
    raise CodeRefused("CLOCK_CODE_INVALID")


def read_clock_code(keyring: Keyring, text: str, now: int | None) -> ClockCode:
    """Verify and decode; raises CodeRefused(CLOCK_CODE_INVALID | CLOCK_CODE_EXPIRED).

    now=None checks the signature only (the caller decides about expiry, e.g. after finding
    that the scan repeats one already recorded); a retired key's code is still refused when it
    expires after the key's grace."""
    raw = _raw(text, CLOCK_PREFIX, (CLOCK_CODE_LENGTH, CLOCK_CODE_V1_LENGTH))
    if len(raw) == 22:
        header, key_id, activity_id, expires_at, nonce = struct.unpack(">BBII4s", raw[:14])
        version, body_length = CLOCK_VERSION, 14
    else:
        header, activity_id, expires_at, nonce = struct.unpack(">BII4s", raw[:13])
        key_id, version, body_length = 0, VERSION, 13  # before key ids: the first key, 0
    if header >> 4 != version or (header & 0x0F) not in KIND_NAMES:
        raise CodeRefused("CLOCK_CODE_INVALID")
    keys = [k for k in keyring.accepting(now, expires_at) if k.id == key_id]
    _signed_by(keys, raw, b"clock", body_length)
    if now is not None and now > expires_at:
        raise CodeRefused("CLOCK_CODE_EXPIRED")
    return ClockCode(kind=KIND_NAMES[header & 0x0F], activity_id=activity_id, expires_at=expires_at,
                     nonce=nonce.hex())


# --- personal rotating codes ---

def personal_step(now: int) -> int:
    return now // PERSONAL_STEP_SECONDS


def make_personal_code(keyring: Keyring, volunteer_id: int, now: int) -> str:
    body = struct.pack(">B6sI", VERSION, volunteer_id.to_bytes(6, "big"), personal_step(now))
    return PERSONAL_PREFIX + _b64(body + _mac(keyring.signing(now).secret, b"personal", body, 10))


def read_personal_code(keyring: Keyring, text: str, now: int) -> PersonalCode:
    """A code of the current or the previous 30-second step (a scan may straddle the turn),
    signed by a key the keyring accepts now (it carries no key id: each is tried)."""
    body = _signed_by(keyring.accepting(now), _raw(text, PERSONAL_PREFIX, (PERSONAL_CODE_LENGTH,)),
                      b"personal", body_length=11)
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
