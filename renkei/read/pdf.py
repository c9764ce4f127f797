"""PDF editions via pdfplumber. This module is the only one that touches pdfplumber objects."""

from __future__ import annotations

from pathlib import Path

from renkei.errors import EditionReadError
from renkei.settings import ParseSettings
from renkei.table import SourceTable


def _describe(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args else exc  # pdfplumber wraps pdfminer's exception as its first argument
    text = str(inner) or type(inner).__name__
    return f"{type(inner).__name__}: {text}" if type(inner).__name__ not in text else text


def read_pdf(path: Path, settings: ParseSettings) -> SourceTable:
    import pdfplumber
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            if pages > settings.max_pages:
                raise EditionReadError(f"{path}: {pages} pages exceed the limit of {settings.max_pages} (max_pages)")
    except (PdfminerException, MalformedPDFException) as exc:
        message = _describe(exc)
        if "password" in message.lower() or "encrypt" in message.lower():
            raise EditionReadError(f"{path}: the PDF is encrypted ({message}); provide an unencrypted copy") from exc
        raise EditionReadError(f"{path}: cannot read PDF ({message})") from exc
    raise EditionReadError(f"{path}: reading the table of a PDF edition is not available in this version")
