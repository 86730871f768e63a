"""Files on disk named by their content hash, their type sniffed from the bytes, thumbnails.

No name a user sent ever reaches the file system: a file lives at `<dir>/ab/cd/<sha256>` and its
thumbnail at `<dir>/thumbs/ab/<sha256>.jpg`; the same bytes are stored once, whoever sends them.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from engine.settings import AttachmentSettings

HASH = re.compile(r"[0-9a-f]{64}")
# Magic numbers of the types staff attach; the extension and the browser's type are not asked.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
)
_PILLOW_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
TYPE_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "application/pdf": "PDF",
}


INSTALLED = frozenset({"site-packages", "dist-packages"})


class UploadRefused(ValueError):
    """A file refused (too large, of a type not allowed, not what it claims); Russian reason."""


def sniff(content: bytes) -> str | None:
    """The media type the bytes themselves show, or None when they are none we know."""
    for magic, offset, media_type in _MAGIC:
        if content[offset : offset + len(magic)] == magic:
            if media_type == "image/webp" and not content.startswith(b"RIFF"):
                continue
            return media_type
    return None


@dataclass(frozen=True)
class Checked:
    """Bytes accepted for storing: their hash and sniffed type."""

    sha256: str
    media_type: str
    size: int


def check(content: bytes, limits: AttachmentSettings, allowed: tuple[str, ...]) -> Checked:
    """Accept the bytes or raise UploadRefused: size, sniffed type, a photo Pillow can decode."""
    if not content:
        raise UploadRefused("Файл пуст.")
    if len(content) > limits.max_bytes:
        raise UploadRefused(f"Файл больше {_size(limits.max_bytes)}.")
    media_type = sniff(content)
    permitted = [kind for kind in allowed if kind in limits.types]
    if media_type is None or media_type not in permitted:
        names = ", ".join(TYPE_NAMES.get(kind, kind) for kind in permitted)
        raise UploadRefused(f"Недопустимый тип файла: можно {names}.")
    if media_type.startswith("image/"):
        _check_image(content, media_type, limits)
    return Checked(hashlib.sha256(content).hexdigest(), media_type, len(content))


def _size(size: int) -> str:
    """A byte count as staff read it: «10 МБ», «2.5 МБ», «293 КБ»."""
    if size < 1024 * 1024:
        return f"{round(size / 1024)} КБ"
    value = size / (1024 * 1024)
    return f"{int(value) if value.is_integer() else f'{value:.1f}'} МБ"


def _check_image(content: bytes, media_type: str, limits: AttachmentSettings) -> None:
    """A photo is decodable, of the type its magic says, and not a decompression bomb."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if width * height > limits.max_pixels:
                    raise UploadRefused("Изображение слишком большое (в пикселях).")
                if _PILLOW_FORMATS.get(image.format or "") != media_type:
                    raise UploadRefused("Файл повреждён или не является изображением.")
                image.verify()
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UploadRefused("Файл повреждён или не является изображением.") from error
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise UploadRefused("Изображение слишком большое (в пикселях).") from error


class FileStore:
    """The attachments directory: write once by hash, read by hash, thumbnails beside."""

    def __init__(self, settings: AttachmentSettings) -> None:
        self.settings = settings
        self.root = Path(settings.directory)
        if INSTALLED.intersection(self.root.resolve().parts):
            # The default beside an installed (not editable) package: set a real directory.
            raise UploadRefused(
                "Хранилище файлов не настроено: задайте REGLAMENT_ATTACHMENTS_DIR вне установки."
            )

    def path(self, sha256: str) -> Path:
        """Where a file's bytes are (the hash is checked: nothing else becomes a path)."""
        if not HASH.fullmatch(sha256):
            raise ValueError("not a content hash")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def thumbnail_path(self, sha256: str) -> Path:
        """Where a photo's thumbnail is."""
        return self.root / "thumbs" / sha256[:2] / f"{self.path(sha256).name}.jpg"

    def put(self, content: bytes, checked: Checked) -> None:
        """Store the bytes (once) and, for a photo, its thumbnail; atomic against a crash."""
        target, thumbnail = self.path(checked.sha256), self.thumbnail_path(checked.sha256)
        small = None
        if checked.media_type.startswith("image/") and not thumbnail.exists():
            small = self._thumbnail(content)  # first: a photo that cannot be drawn leaves nothing
        if not target.exists():
            _write_atomically(target, content)
        if small is not None:
            _write_atomically(thumbnail, small)

    def read(self, sha256: str) -> bytes:
        """A stored file's bytes."""
        return self.path(sha256).read_bytes()

    def _thumbnail(self, content: bytes) -> bytes:
        try:
            return self._scaled(content)
        except (OSError, ValueError, SyntaxError) as error:  # sound headers, broken pixels
            raise UploadRefused("Файл повреждён или не является изображением.") from error

    def _scaled(self, content: bytes) -> bytes:
        size = self.settings.thumbnail_px
        with Image.open(io.BytesIO(content)) as image:
            image.seek(0)
            # A JPEG decodes at a fraction of its size when only a thumbnail is wanted (~10×).
            image.draft("RGB", (size, size))
            # A phone's photo is often stored sideways with an EXIF turn: show it upright.
            picture = ImageOps.exif_transpose(image).convert("RGB")
        picture.thumbnail((size, size))
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=80)
        return out.getvalue()


def without_metadata(content: bytes, media_type: str) -> bytes:
    """A photo as published: upright, without EXIF (GPS, the phone, its owner); else as it is.

    The stored original keeps its metadata (when and where the work was photographed); a copy
    for a public channel carries none. A photo without EXIF goes unchanged, byte for byte.
    """
    if not media_type.startswith("image/"):
        return content
    with Image.open(io.BytesIO(content)) as image:
        if not image.getexif() and "exif" not in image.info:
            return content
        fmt = image.format or "JPEG"
        picture = ImageOps.exif_transpose(image)
        picture.info.pop("exif", None)
        out = io.BytesIO()
        options = {"quality": 92} if fmt in ("JPEG", "WEBP") else {}
        picture.save(out, fmt, **options)
    return out.getvalue()


def _write_atomically(target: Path, content: bytes) -> None:
    # A reader never sees half a file: write beside it, then rename over.
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
