"""Render a sample report and photograph its index, a ward page, a municipality page, a prefecture page and the
program search in headless Chromium, to check by eye that Japanese renders and the charts and maps are legible;
also prints the index to A4 PDF and says how many pages it takes (`make screenshots`; needs Debian's
`chromium` and a Japanese font such as fonts-noto-cjk).

The sample is the pair the golden tests use: a 2025 edition derived from the real 2026 edition with ten
known changes, then the real 2026 edition, ingested through the CLI into a throwaway warehouse.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import REAL_EDITION  # noqa: E402
from tests.derive import derive  # noqa: E402

PAGES = (
    ("index.html", "report-index.png", 2300),
    ("wards/131121_世田谷区.html", "report-ward.png", 2000),
    ("municipalities/104442_群馬県川場村.html", "report-municipality.png", 1300),
    ("prefectures/100005_群馬県.html", "report-prefecture.png", 1700),
    ("programs.html#ward=131121&tag=災害協定", "report-search.png", 1100),
)
PRINTED = ("index.html", "wards/131121_世田谷区.html")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("screenshot_reports: no chromium on PATH (Debian: apt-get install chromium fonts-noto-cjk)")


def _renkei(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(ROOT / ".venv" / "bin" / "renkei"), *args], check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="folder for the PNG files")
    args = parser.parse_args()
    browser = _chromium()
    with tempfile.TemporaryDirectory(prefix="renkei-screenshots-") as work:
        home = Path(work)
        env = {**os.environ, "RENKEI_HOME": str(home), "RENKEI_SNAPSHOT_DIR": str(home / "snapshots")}
        env.pop("RENKEI_DATABASE_URL", None)
        earlier = home / "2025-03-31.txt"
        earlier.write_text(derive(31, date(2025, 3, 31), changes=10).text(), encoding="utf-8")
        _renkei("ingest", str(earlier), str(REAL_EDITION), env=env)
        report = home / "report"
        _renkei("report", "--out", str(report), env=env)
        args.out.mkdir(parents=True, exist_ok=True)
        for page, image, height in PAGES:
            target = args.out / image
            path, _, fragment = page.partition("#")
            url = (report / path).as_uri() + (f"#{fragment}" if fragment else "")
            _chromium_run(browser, home, f"--window-size=1100,{height}", f"--screenshot={target}", url)
            print(target)
        for page in PRINTED:
            pdf = home / (Path(page).stem + ".pdf")
            _chromium_run(browser, home, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", (report / page).as_uri())
            import pdfplumber

            with pdfplumber.open(pdf) as document:
                size = document.pages[0].width, document.pages[0].height
                print(f"{page}: {len(document.pages)} A4 pages when printed ({size[0]:.0f} × {size[1]:.0f} pt)")


def _chromium_run(browser: str, home: Path, *args: str) -> None:
    subprocess.run(
        [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
            f"--user-data-dir={home / 'chromium-profile'}", *args,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip


if __name__ == "__main__":
    main()
