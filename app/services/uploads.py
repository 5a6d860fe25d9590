"""Checking an uploaded picture or document before anything is stored: its type by content (not
by its name or the client's content type), and, for a picture, that Pillow reads it as that
type and that its header claims a sane size (app/domain/uploads.py) — checked before any pixel
is decoded, so a decompression bomb is refused at once. Files are stored by the callers under
random names: an uploaded file's name is never a path."""
import io
import warnings

from PIL import Image, UnidentifiedImageError

from app.domain import uploads as rules


def content_type_of(content: bytes, allowed=tuple(rules.TYPES)):
    """The file's real content type among `allowed`, or None when it is not one of them, is
    disguised (a script behind an image's first bytes), or is a picture too large to open."""
    content_type = rules.sniff(content, allowed)
    if content_type is None:
        return None
    pillow_format = rules.TYPES[content_type][2]
    if pillow_format is None:
        return content_type if rules.looks_like_pdf(content) else None
    return content_type if _picture_is(content, pillow_format) else None


def _picture_is(content, pillow_format):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:  # reads the header only
                if image.format != pillow_format or not rules.picture_size_acceptable(*image.size):
                    return False
                image.verify()  # the chunks and their checksums, still without decoding pixels
            return True
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError, EOFError):
        return False
