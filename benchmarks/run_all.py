"""Run every benchmark script and print its figures (`make bench`)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

for script in sorted(HERE.glob("*_bench.py")):
    runpy.run_path(str(script), run_name="__main__")
