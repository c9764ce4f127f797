"""Files an edition reader must refuse with one clear line: encrypted, corrupt, truncated, table-less and
text-less PDFs, a PDF whose glyphs have no Unicode mapping, and an XLSX zip bomb."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from tests.render.layout import as_of_line

FONT = "HeiseiKakuGo-W5"


def _canvas(path: Path, **options) -> Canvas:  # type: ignore[no-untyped-def]
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return Canvas(str(path), pagesize=landscape(A4), **options)


def _grid(canvas: Canvas, *, text: bool) -> None:
    """A small ruled table with the seven header labels (or only its lines)."""
    from tests.render.layout import COLUMNS

    canvas.setFont(FONT, 10)
    if text:
        canvas.drawString(40, 560, "各特別区と全国市町村等連携事業一覧")
        canvas.drawString(600, 540, as_of_line(date(2026, 3, 31)))
    xs = [40 + 110 * i for i in range(8)]
    for y in (500, 480, 460):
        canvas.line(xs[0], y, xs[-1], y)
    for x in xs:
        canvas.line(x, 460, x, 500)
    if text:
        canvas.setFont(FONT, 8)
        for x, label in zip(xs, COLUMNS, strict=False):
            canvas.drawString(x + 2, 486, label)
        values = ("千代田", "文化交流", "つまごい祭り", "区", "群馬県嬬恋村", "参加", "—")
        for x, value in zip(xs, values, strict=False):
            canvas.drawString(x + 2, 466, value)


def encrypted_pdf(path: Path) -> Path:
    canvas = _canvas(path, encrypt="secret")
    _grid(canvas, text=True)
    canvas.save()
    return path


def table_less_pdf(path: Path) -> Path:
    canvas = _canvas(path)
    canvas.setFont(FONT, 12)
    canvas.drawString(40, 540, "特別区全国連携プロジェクトのご案内")
    canvas.drawString(40, 520, "各区の取組は別紙一覧をご覧ください。")
    canvas.save()
    return path


def text_less_pdf(path: Path) -> Path:
    """What a scanner makes: the table's lines are there, its text only as pixels (here: none at all)."""
    canvas = _canvas(path)
    _grid(canvas, text=False)
    canvas.rect(40, 100, 300, 200, fill=1)  # an image-like block
    canvas.save()
    return path


def truncated_pdf(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def corrupt_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return path


def cid_only_pdf(path: Path) -> Path:
    """A PDF whose Japanese font has neither a standard encoding nor a ToUnicode map: its text extracts as
    "(cid:…)" (as pdfplumber's tracker warns for some publishers' PDFs)."""
    glyphs = "".join(f"{1000 + i:04x}" for i in range(60))
    content = f"BT /F1 12 Tf 40 500 Td <{glyphs}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Custom-Mincho /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Custom-Mincho "
        b"/CIDSystemInfo << /Registry (Custom) /Ordering (Private) /Supplement 0 >> /DW 1000 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def zip_bomb_xlsx(path: Path, expanded_bytes: int) -> Path:
    """A workbook-looking zip with one part that expands to `expanded_bytes` of zeros (about a thousandth of
    that on disk): compressed with raw deflate, the file never has to exist expanded, here or anywhere."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            chunk = bytes(1 << 24)
            written = 0
            while written < expanded_bytes:
                size = min(len(chunk), expanded_bytes - written)
                handle.write(chunk[:size])
                written += size
    return path


__all__ = [
    "cid_only_pdf", "corrupt_pdf", "encrypted_pdf", "table_less_pdf", "text_less_pdf", "truncated_pdf",
    "zip_bomb_xlsx",
]  # fmt: skip
