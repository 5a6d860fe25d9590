"""What an uploaded file may be, decided by its content (pure): the types by their first bytes,
the picture's size from its header (a decompression bomb is a small file that claims a huge
picture), a PDF by its header and its end marker. The services parse the header with Pillow
and ask here."""

# content type → (magic bytes at offset 0, file extension, Pillow's format name or None)
TYPES = {
    "image/jpeg": (b"\xff\xd8\xff", ".jpg", "JPEG"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png", "PNG"),
    "application/pdf": (b"%PDF-", ".pdf", None),
}
# A phone photo is 12-50 megapixels at most; a picture claiming more, or a side longer than a
# phone's, is refused before anything decodes it.
MAX_PIXELS = 50_000_000
MAX_SIDE = 12_000


def sniff(content: bytes, allowed=tuple(TYPES)):
    """The content type whose magic bytes the content starts with, among `allowed`; None."""
    for content_type in allowed:
        if content.startswith(TYPES[content_type][0]):
            return content_type
    return None


def picture_size_acceptable(width: int, height: int) -> bool:
    return 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and width * height <= MAX_PIXELS


def looks_like_pdf(content: bytes) -> bool:
    """Starts as a PDF and ends with the %%EOF marker (a script with a PDF header does not)."""
    return content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]
