"""Files attached on steps: checked, stored by hash on disk, served with the case's rights."""

from engine.attachments.records import (
    Upload,
    case_attachments,
    may_open,
    referenced,
    require_attachment,
    store_upload,
    unknown_hashes,
    visible_attachments,
)
from engine.attachments.store import (
    HASH,
    TYPE_NAMES,
    FileStore,
    UploadRefused,
    check,
    sniff,
    without_metadata,
)

__all__ = [
    "HASH",
    "TYPE_NAMES",
    "FileStore",
    "Upload",
    "UploadRefused",
    "case_attachments",
    "check",
    "may_open",
    "referenced",
    "require_attachment",
    "sniff",
    "store_upload",
    "unknown_hashes",
    "visible_attachments",
    "without_metadata",
]
