"""The attachments store: types sniffed from bytes, thumbnails upright, files once by hash."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from engine.attachments import FileStore, UploadRefused, check, sniff
from engine.settings import PROJECT_ROOT, AttachmentSettings, Settings
from tests.attachment_files import PDF, TEXT_AS_JPEG, photo

PHOTOS = ("image/jpeg", "image/png", "image/webp", "image/gif")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (photo(kind="JPEG"), "image/jpeg"),
        (photo(kind="PNG"), "image/png"),
        (photo(kind="WEBP"), "image/webp"),
        (photo(kind="GIF"), "image/gif"),
        (PDF, "application/pdf"),
        (TEXT_AS_JPEG, None),
        (b"XXXXXXXXWEBP", None),  # WEBP without its RIFF container
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),  # scripts inside: never served
    ],
)
def test_the_type_is_read_from_the_bytes(content: bytes, expected: str | None) -> None:
    assert sniff(content) == expected


def test_a_pdf_is_a_file_but_not_a_photo(tmp_path: Path) -> None:
    limits = AttachmentSettings(directory=tmp_path)
    assert check(PDF, limits, (*PHOTOS, "application/pdf")).media_type == "application/pdf"
    with pytest.raises(UploadRefused, match="можно JPEG, PNG, WebP, GIF"):
        check(PDF, limits, PHOTOS)


def test_a_type_the_settings_leave_out_is_refused(tmp_path: Path) -> None:
    limits = AttachmentSettings(directory=tmp_path, types=("image/jpeg",))
    with pytest.raises(UploadRefused, match=r"можно JPEG\.$"):
        check(photo(kind="PNG"), limits, PHOTOS)


def test_a_file_claiming_one_image_type_but_being_another_is_refused(tmp_path: Path) -> None:
    limits = AttachmentSettings(directory=tmp_path)
    forged = b"\x89PNG\r\n\x1a\n" + photo(kind="JPEG")  # PNG's magic before a JPEG
    with pytest.raises(UploadRefused, match="повреждён"):
        check(forged, limits, PHOTOS)


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP", "GIF"])
def test_every_photo_type_gets_a_jpeg_thumbnail_once(tmp_path: Path, kind: str) -> None:
    store = FileStore(AttachmentSettings(directory=tmp_path))
    content = photo(900, 300, "purple", kind)
    checked = check(content, store.settings, PHOTOS)
    store.put(content, checked)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert store.read(checked.sha256) == content
    with Image.open(store.thumbnail_path(checked.sha256)) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (320, 107))
    written = store.path(checked.sha256).stat().st_mtime_ns
    store.put(content, checked)  # the same bytes again: nothing rewritten
    assert store.path(checked.sha256).stat().st_mtime_ns == written
    assert not list(tmp_path.rglob(".upload-*"))


def test_a_sideways_phone_photo_gets_an_upright_thumbnail(tmp_path: Path) -> None:
    image = Image.new("RGB", (400, 200), "orange")
    exif = image.getexif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to view
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    store = FileStore(AttachmentSettings(directory=tmp_path))
    checked = check(out.getvalue(), store.settings, PHOTOS)
    store.put(out.getvalue(), checked)
    with Image.open(store.thumbnail_path(checked.sha256)) as thumb:
        assert thumb.size == (160, 320)


def test_a_photo_cut_in_the_middle_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    store = FileStore(AttachmentSettings(directory=tmp_path))
    whole = photo(1200, 900, "teal")
    content = whole[: len(whole) // 2]
    with pytest.raises(UploadRefused, match="повреждён"):
        store.put(content, check(content, store.settings, PHOTOS))
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_only_a_content_hash_becomes_a_path(tmp_path: Path) -> None:
    store = FileStore(AttachmentSettings(directory=tmp_path))
    for name in ("../../etc/passwd", "a" * 63, "A" * 64, "a" * 64 + "/x"):
        with pytest.raises(ValueError, match="not a content hash"):
            store.path(name)


def test_files_are_never_kept_among_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("engine", "web/static/uploads", "processes/perm"):
        with pytest.raises(ValueError, match="outside the installation"):
            AttachmentSettings(directory=PROJECT_ROOT / folder)
    with pytest.raises(UploadRefused, match="REGLAMENT_ATTACHMENTS_DIR"):
        FileStore(AttachmentSettings(directory=Path("/usr/lib/python3/site-packages/instance")))
    monkeypatch.setenv("REGLAMENT_ATTACHMENTS_DIR", str(PROJECT_ROOT / "web"))
    with pytest.raises(ValueError, match="outside the installation"):
        Settings.from_env()


def test_the_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REGLAMENT_ATTACHMENTS_DIR", str(tmp_path))
    monkeypatch.setenv("REGLAMENT_ATTACHMENTS_MAX_BYTES", "1024")
    monkeypatch.setenv("REGLAMENT_ATTACHMENTS_TYPES", "image/jpeg, application/pdf")
    found = Settings.from_env().attachments
    assert (found.directory, found.max_bytes, found.types) == (
        tmp_path,
        1024,
        ("image/jpeg", "application/pdf"),
    )
    with pytest.raises(UploadRefused, match="Файл больше 1 КБ"):
        check(b"\xff\xd8\xff" + b"\0" * 2000, found, PHOTOS)
