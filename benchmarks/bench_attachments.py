"""An uploaded photo: checking its bytes (sniff, Pillow) and storing it with a thumbnail."""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

from benchmarks.common import kib, ms, show
from engine.attachments import FileStore, check
from engine.settings import AttachmentSettings

PHOTOS = ("image/jpeg", "image/png", "image/webp", "image/gif")
SIZES = {"phone photo 4000×3000": (4000, 3000), "photo 1600×1200": (1600, 1200)}
ROUNDS = 5


def _photo(width: int, height: int, seed: int) -> bytes:
    # Noise compresses like a real photo; a flat colour would flatter the decoder.
    image = Image.effect_noise((width, height), 60 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def main() -> None:
    """Median time to check and to store (with its 320-px thumbnail) a new photo."""
    print("attachments (engine/attachments): one new photo")
    with tempfile.TemporaryDirectory() as folder:
        store = FileStore(AttachmentSettings(directory=Path(folder)))
        for label, (width, height) in SIZES.items():
            checks, puts = [], []
            for seed in range(ROUNDS):
                content = _photo(width, height, seed)
                started = time.perf_counter()
                checked = check(content, store.settings, PHOTOS)
                checks.append(time.perf_counter() - started)
                started = time.perf_counter()
                store.put(content, checked)
                puts.append(time.perf_counter() - started)
            show(f"{label}: check", ms(statistics.median(checks)), kib(len(content)))
            show(f"{label}: store + thumbnail", ms(statistics.median(puts)))
