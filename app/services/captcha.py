"""The login captcha: a picture of a small sum, served by POST /api/v1/auth/captcha, answered
with the login (captcha_id, captcha_answer). Kept in Redis as a keyed digest of the answer for
CAPTCHA_SECONDS, good for one try whatever the answer (a wrong answer needs a new picture)."""
import base64
import hashlib
import hmac
import io
import random
import secrets

from flask import current_app
from PIL import Image, ImageDraw, ImageFont

from app.domain.captcha import answer_matches, make_challenge
from app.extensions import redis_store

CAPTCHA_SECONDS = 300
_SIZE = (160, 56)


def _key(captcha_id):
    return redis_store.key("captcha", captcha_id)


def _digest(answer):
    return hmac.new(current_app.config["SECRET_KEY"].encode(), f"captcha:{answer}".encode(), hashlib.sha256).hexdigest()


def new_captcha():
    """→ {"captcha_id", "image" (a data: URL of a PNG), "expires_in"}."""
    rng = random.SystemRandom()
    challenge = make_challenge(rng.randint(1, 20), rng.randint(1, 20), rng.random() < 0.5)
    captcha_id = secrets.token_urlsafe(16)
    redis_store.client.set(_key(captcha_id), _digest(challenge.answer), ex=CAPTCHA_SECONDS)
    png = _picture(challenge.text, rng)
    return {"captcha_id": captcha_id, "image": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            "expires_in": CAPTCHA_SECONDS}


def solved(captcha_id, answer):
    """True when the answer is right; the captcha is spent either way."""
    if not isinstance(captcha_id, str) or not captcha_id or len(captcha_id) > 64:
        return False
    stored = redis_store.client.getdel(_key(captcha_id))
    if stored is None:
        return False
    expected = _answer_for(stored.decode())
    return expected is not None and answer_matches(expected, answer)


def _answer_for(digest):
    """The answers are 0..40: find the one whose digest was stored."""
    for candidate in range(0, 41):
        if hmac.compare_digest(_digest(str(candidate)), digest):
            return str(candidate)
    return None


def _picture(text, rng):
    image = Image.new("RGB", _SIZE, (245, 245, 240))
    draw = ImageDraw.Draw(image)
    for _ in range(6):  # lines across the text
        draw.line([(rng.randint(0, _SIZE[0]), rng.randint(0, _SIZE[1])),
                   (rng.randint(0, _SIZE[0]), rng.randint(0, _SIZE[1]))],
                  fill=(rng.randint(120, 200), rng.randint(120, 200), rng.randint(120, 200)), width=1)
    font = ImageFont.load_default(size=26)
    x = 10
    for char in text:
        draw.text((x, rng.randint(6, 18)), char, font=font, fill=(rng.randint(0, 90), rng.randint(0, 90),
                                                                   rng.randint(0, 90)))
        x += 14 if char == " " else 18
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
