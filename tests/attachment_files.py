"""Real files for attachment tests: photos drawn with Pillow, a PDF, and things that lie."""

from __future__ import annotations

import io

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TEXT_AS_JPEG = b"this is not a photo, whatever its name says\n"


def photo(width: int = 640, height: int = 480, color: str = "green", kind: str = "JPEG") -> bytes:
    """A real image of the given size and format."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, kind)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """JPEG magic followed by too little to decode."""
    return photo()[:200]


def phone_photo() -> bytes:
    """A sideways JPEG with the EXIF a phone writes: its make, owner and GPS position."""
    image = Image.new("RGB", (400, 200), "olive")
    exif = image.getexif()
    exif[0x010F] = "PhoneCo"  # Make
    exif[0x013B] = "Ivan Ispolnitel"  # Artist: often the phone owner's name
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to view
    exif.get_ifd(0x8825)[2] = (58.0, 0.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
