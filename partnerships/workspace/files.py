"""Shared files: what may be uploaded, and the virus-scan hook.

Limits (settings, read from the environment in insight/config/settings.py):

- ``PARTNERSHIP_FILE_MAX_BYTES``: the largest file (default 10 MB);
- the types below only, told by the name's extension *and* the file's first bytes (a ``.pdf``
  that is not a PDF is refused), so a renamed executable is not accepted;
- ``PARTNERSHIP_FILE_SCANNER``: the dotted path of a callable ``scan(upload) -> str | None``
  (``upload`` a Django ``UploadedFile``, read from the start), called before the file is saved.
  It returns None when the file is clean, or the reason to refuse it (shown to the uploader, the
  file is not stored); an exception it raises refuses the file too ("could not be checked").
  Empty (the default): no scanner, and each file is listed as "not checked for viruses".
  See README, "Partnership workspace".

Files are stored through Django's default storage under a random name (never the uploader's),
and served only through the workspace's download view, which checks who is asking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...]  # the file starts with one of these; empty: UTF-8 text


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "odt": FileType("application/vnd.oasis.opendocument.text", (ZIP,)),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "csv": FileType("text/csv", ()),
    "txt": FileType("text/plain", ()),
}


class FileRefused(Exception):
    """The file may not be shared: the message says why."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    scanned: bool


def max_bytes() -> int:
    return int(getattr(settings, "PARTNERSHIP_FILE_MAX_BYTES", 10 * 1024 * 1024))


def _size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def scanner() -> Callable[[UploadedFile], str | None] | None:
    path = getattr(settings, "PARTNERSHIP_FILE_SCANNER", "") or ""
    return import_string(path) if path else None


def _looks_like(upload: UploadedFile, kind: FileType) -> bool:
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if kind.signatures:
        return any(head.startswith(s) for s in kind.signatures)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 4,096th byte is still text.
        return exc.start >= len(head) - 3
    return True


def file_check(upload: UploadedFile) -> CheckedFile:
    """Size, type (extension and content) and the virus scanner; FileRefused saying why."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not name:
        raise FileRefused("The file has no name.")
    size = int(upload.size or 0)
    if size == 0:
        raise FileRefused(f"{name} is empty.")
    if size > max_bytes():
        raise FileRefused(f"{name} is {_size_text(size)}: files can be at most {_size_text(max_bytes())}.")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = FILE_TYPES.get(ext)
    if kind is None:
        allowed = ", ".join(sorted({e.upper() for e in FILE_TYPES if e != "jpeg"}))
        raise FileRefused(f"{name}: this type of file cannot be shared. Files can be {allowed}.")
    if not _looks_like(upload, kind):
        raise FileRefused(f"{name} is not a real {ext.upper()} file (its content does not match its name).")
    scan = scanner()
    scanned = False
    if scan is not None:
        try:
            upload.seek(0)
            reason = scan(upload)
        except Exception:
            log.exception("virus scanner failed on an upload")
            raise FileRefused(
                f"{name} could not be checked for viruses, so it was not shared. Try again later."
            ) from None
        finally:
            upload.seek(0)
        if reason:
            raise FileRefused(f"{name} was refused by the virus check: {reason}")
        scanned = True
    return CheckedFile(name=name, content_type=kind.content_type, size=size, scanned=scanned)
