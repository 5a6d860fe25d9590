"""The hand-held ID photo (手持证件照): accepted types are decided by content, not by name."""

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"))
EXTENSIONS = {"jpeg": ".jpg", "png": ".png"}


def sniff_image_type(head: bytes):
    """'jpeg' / 'png' from the first bytes, else None."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None
