"""Pictures users upload (an organisation's logo, an avatar, a complaint's evidence): accepted by
content — the first bytes and Pillow's own parse — never by name or declared type, limited in
size, and stored re-encoded and resized, so that what is served is an image we wrote ourselves.
"""
import io
import os
import uuid
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.domain import id_photo
from app.errors import DomainError

# Pillow refuses to open pictures larger than this many pixels (decompression bombs).
Image.MAX_IMAGE_PIXELS = 40_000_000


def read_image(stream, *, max_bytes, type_code, size_code):
    """The upload's bytes if they are a real JPEG or PNG of at most max_bytes; else the codes."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(size_code)
    kind = id_photo.sniff_image_type(data[:16])
    if kind is None:
        raise DomainError(type_code)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            if image.format != kind.upper():
                raise DomainError(type_code)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DomainError(type_code) from None
    return data


def store_resized(data, upload_dir, folder, *, max_side):
    """Writes the picture at most max_side pixels on its longer side, re-encoded (JPEG, or PNG when
    it has transparency), with a random name under upload_dir/folder. → the path relative to
    upload_dir."""
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((max_side, max_side))
        keeps_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
        image = image.convert("RGBA" if keeps_alpha else "RGB")
        out = io.BytesIO()
        if keeps_alpha:
            image.save(out, format="PNG", optimize=True)
        else:
            image.save(out, format="JPEG", quality=85, optimize=True)
    relative = Path(folder) / f"{uuid.uuid4().hex}{'.png' if keeps_alpha else '.jpg'}"
    target = Path(upload_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(out.getvalue())
    return str(relative)


def stored_file(upload_dir, relative):
    """The absolute path of a stored picture, or None when it is gone."""
    if not relative:
        return None
    path = Path(upload_dir) / relative
    return path if path.is_file() else None


def remove_after(upload_dir, relative):
    """Deletes a replaced picture (called after the commit that replaced it)."""
    if relative:
        (Path(upload_dir) / relative).unlink(missing_ok=True)
