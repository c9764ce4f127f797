"""Re-render the small committed fixtures in tests/fixtures/ (run: .venv/bin/python -m tests.render.make_fixtures).

The fixtures are the first 40 programs of the real 2026 edition (千代田区 and 中央区, with a 33-partner
program broken over pages): as the publisher lays out its PDF, in the alternative PDF layout, and as an XLSX
workbook with merged cells. Tests compare what each parses to with the text path's records.
"""

from __future__ import annotations

from pathlib import Path

from renkei.parse.edition import read_edition
from tests.conftest import REAL_EDITION
from tests.render.pdf import ALTERNATIVE, PUBLISHER, render_pdf
from tests.render.xlsx import render_xlsx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_RECORDS = 40


def main() -> None:
    edition = read_edition(REAL_EDITION)
    records = edition.records[:FIXTURE_RECORDS]
    common = {"title": edition.title, "as_of": edition.as_of}
    render_pdf(records, FIXTURES / "2026-first40-publisher.pdf", layout=PUBLISHER, **common)
    render_pdf(records, FIXTURES / "2026-first40-alternative.pdf", layout=ALTERNATIVE, **common)
    render_xlsx(records, FIXTURES / "2026-first40.xlsx", **common)
    for path in sorted(FIXTURES.glob("2026-first40*")):
        print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
