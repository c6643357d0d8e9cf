"""Turn raw bytes into text, or say plainly why they are not text."""

from __future__ import annotations

from .errors import SourceError

_CONTROL = set(range(0, 9)) | {11, 12} | set(range(14, 32))


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 first, then cp1252 and latin-1, as old newsroom exports often are.

    Binary files (NUL bytes or many control characters) are refused rather
    than indexed as mojibake.
    """
    head = data[:8192]
    if b"\x00" in head or (head and sum(b in _CONTROL for b in head) / len(head) > 0.05):
        raise SourceError(f"{name} looks like a binary file, not text")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceError(f"{name} is not readable text")  # latin-1 decodes anything; kept for clarity
