"""Small real files for upload tests: a PNG and a JPEG that Pillow reads, a whole PDF."""
import io

from PIL import Image


def picture(format_="PNG", size=(8, 8), colour=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format_)
    return out.getvalue()


PNG = picture("PNG")
JPEG = picture("JPEG")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
