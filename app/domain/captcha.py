"""The login captcha's challenge: a small sum to read from a picture (pure; the caller passes
the randomness). Asked for after a few wrong passwords (app/services/login.py), it makes each
further guess cost a person's attention, so a stranger cannot guess on and the owner, who can
read it, is never locked out."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Challenge:
    text: str  # what the picture shows, e.g. "7 + 5 = ?"
    answer: str  # what the person types


def make_challenge(a: int, b: int, subtract: bool) -> Challenge:
    """a, b in 1..20; a subtraction never goes below zero."""
    if subtract:
        a, b = max(a, b), min(a, b)
        return Challenge(f"{a} - {b} = ?", str(a - b))
    return Challenge(f"{a} + {b} = ?", str(a + b))


def answer_matches(expected: str, given) -> bool:
    """Digits typed with spaces or full-width digits still count."""
    if not isinstance(given, str | int):
        return False
    text = str(given).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return text.isdigit() and text.lstrip("0") == expected.lstrip("0")
