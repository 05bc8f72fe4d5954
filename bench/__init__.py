"""Benchmarks: ``make bench``, ``make bench-redis``, ``make bench-extract``; see docs/benchmarks.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"


def write_results(name: str, data: dict[str, Any]) -> Path:
    """``bench/results/<name>.json``; generated, never committed."""
    path = RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"written to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return path
