"""Personal data at rest: ID and phone numbers are encrypted, with a keyed hash for look-ups.

AES-256-GCM from `cryptography` protects the value; HMAC-SHA256 under a key derived from the
same secret gives a stable digest, so uniqueness and login by ID or phone work without ever
storing the plaintext.
"""
import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_keys = {}


def configure(data_key: bytes):
    """Called by create_app with DATA_KEY (32 bytes)."""
    _keys["enc"] = _derive(data_key, b"izyz-pii-encrypt")
    _keys["mac"] = _derive(data_key, b"izyz-pii-lookup")


def _derive(key, info):
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(key)


def _key(name):
    try:
        return _keys[name]
    except KeyError:
        raise RuntimeError("personal-data keys are not configured (create_app does it)") from None


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key("enc")).encrypt(nonce, plaintext.encode("utf-8"), None)
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    raw = base64.urlsafe_b64decode(token.encode("ascii"))
    return AESGCM(_key("enc")).decrypt(raw[:12], raw[12:], None).decode("utf-8")


def lookup_hash(kind: str, value: str) -> str:
    """Keyed digest of a normalised value; `kind` keeps an ID and a phone with equal digits apart."""
    message = f"{kind}:{normalise(kind, value)}".encode()
    return hmac.new(_key("mac"), message, hashlib.sha256).hexdigest()


def normalise(kind, value):
    value = value.strip()
    if kind == "id":
        return value.upper()
    if kind == "phone":
        return value.replace(" ", "").replace("-", "")
    return value


def mask_id(value: str) -> str:
    """4412032000******** style: region and birth year stay, the rest is hidden."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    keep = 10 if len(value) == 18 else max(1, len(value) // 3)
    return value[:keep] + "*" * (len(value) - keep)


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "****" + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**; shown on public boards and card pages."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
