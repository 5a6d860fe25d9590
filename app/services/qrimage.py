"""PNG images of QR codes (the `qrcode` library), for codes shown on screens and cards."""
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def png(text: str, box_size=8, border=2) -> bytes:
    """A QR code of `text`, medium error correction (survives a phone screen's glare)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()
