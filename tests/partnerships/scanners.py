"""Virus scanners for the workspace's scan hook (PARTNERSHIP_FILE_SCANNER) in tests.

Real callables with the hook's contract, as an installation's would be: ``eicar`` refuses the
industry-standard anti-virus test string; ``broken`` stands for a scanner that cannot be reached.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
calls: list[str] = []


def eicar(upload: UploadedFile) -> str | None:
    calls.append(upload.name or "")
    return "it contains the EICAR test signature" if EICAR in upload.read() else None


def broken(upload: UploadedFile) -> str | None:
    raise ConnectionError("scanner unreachable")
