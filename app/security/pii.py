"""Personal data at rest: ID and phone numbers are encrypted, with a keyed hash for look-ups.

AES-256-GCM from `cryptography` protects the value; HMAC-SHA256 under a key derived from a
data key gives a stable digest, so uniqueness and login by ID or phone work without ever
storing the plaintext.

Keys rotate. The service holds several data keys, each with an id (DATA_KEYS, oldest first):
new values are encrypted with the newest and carry its id ("<id>.<base64>"), values under an
older key stay readable, and `flask data-keys rotate` re-encrypts the stored ones in batches
(app/security/key_rotation.py). Values written before ids existed have no prefix: they are
read with each configured key in turn (GCM tells a wrong key from the right one).

The look-up digest is not rotated with the encryption key: it is keyed by the *first* data
key (DATA_LOOKUP_KEY_ID names another), because every stored digest would otherwise have to
be recomputed at once; that key stays configured after it stops encrypting anything.
"""
import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")

_keys = {}


def configure(data_keys, lookup_key_id=None):
    """Called by create_app. data_keys: {id: 32 bytes}, oldest first (the newest encrypts), or
    one key as bytes (id "1")."""
    if isinstance(data_keys, bytes | bytearray):
        data_keys = {"1": bytes(data_keys)}
    if not data_keys:
        raise ValueError("at least one data key is needed")
    ids = list(data_keys)
    lookup_key_id = lookup_key_id or ids[0]
    _keys.clear()
    _keys["enc"] = {key_id: AESGCM(_derive(key, b"izyz-pii-encrypt")) for key_id, key in data_keys.items()}
    _keys["current"] = ids[-1]
    _keys["mac"] = _derive(data_keys[lookup_key_id], b"izyz-pii-lookup")


def _derive(key, info):
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(key)


def _key(name):
    try:
        return _keys[name]
    except KeyError:
        raise RuntimeError("personal-data keys are not configured (create_app does it)") from None


def current_key_id():
    return _key("current")


def key_ids():
    return list(_key("enc"))


def encrypt(plaintext: str) -> str:
    key_id = current_key_id()
    nonce = os.urandom(12)
    sealed = _key("enc")[key_id].encrypt(nonce, plaintext.encode("utf-8"), None)
    return key_id + "." + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def key_id_of(token: str):
    """The id of the key a stored value was encrypted with; None for a value from before ids."""
    key_id, dot, _ = token.partition(".")
    return key_id if dot else None


def decrypt(token: str) -> str:
    key_id, dot, body = token.partition(".")
    ciphers = _key("enc")
    if dot:
        if key_id not in ciphers:
            raise RuntimeError(f"a value is encrypted with data key {key_id!r}, which is not configured")
        candidates = [ciphers[key_id]]
    else:
        body, candidates = token, list(ciphers.values())
    raw = base64.urlsafe_b64decode(body.encode("ascii"))
    for cipher in candidates:
        try:
            return cipher.decrypt(raw[:12], raw[12:], None).decode("utf-8")
        except InvalidTag:
            continue
    raise RuntimeError("a value cannot be decrypted with any configured data key")


def needs_rotation(token) -> bool:
    return bool(token) and key_id_of(token) != current_key_id()


def reencrypt(token: str) -> str:
    """The same value under the newest key (unchanged when it already is)."""
    return encrypt(decrypt(token)) if needs_rotation(token) else token


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


_LONG_NUMBER = re.compile(r"\d{7,}")


def redact_numbers(text: str) -> str:
    """For a provider's error text bound for a log line or a row: runs of 7+ digits (a phone
    number, an ID number, a code) become masked."""
    return _LONG_NUMBER.sub(lambda m: mask_phone(m.group(0)) if len(m.group(0)) == 11 else "*" * len(m.group(0)),
                            str(text))
