"""留言 on activities and organisations: what a comment's text may be."""
from app.errors import DomainError

TARGETS = ("activity", "organisation")
MAX_CHARS = 500


def check_text(text):
    """The text as stored (trimmed), or COMMENT_EMPTY / COMMENT_TOO_LONG."""
    text = (text or "").strip()
    if not text:
        raise DomainError("COMMENT_EMPTY")
    if len(text) > MAX_CHARS:
        raise DomainError("COMMENT_TOO_LONG", limit=MAX_CHARS, length=len(text))
    return text
