"""Tell an edition's format from its first bytes, never from its file name."""

from __future__ import annotations

from renkei.records import SourceFormat

_ZIP_MAGIC = b"PK\x03\x04"


def sniff_format(head: bytes) -> SourceFormat:
    """ "pdf" for %PDF, "xlsx" for a zip container (checked further by the XLSX reader), else "text"."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    return "text"
