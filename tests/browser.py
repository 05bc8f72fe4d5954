"""Pages opened in a real headless Chromium (Debian's, installed by scripts/tools.sh), driven by Playwright."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class Rendered:
    screenshot: Path
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, itself included
    plots: list[dict[str, float]] = field(default_factory=list)  # the drawn size of each <figure> SVG
    plot_marks: list[int] = field(default_factory=list)  # the shapes (path, rect, line) drawn in each plot
    tables: int = 0
    rows: int = 0


def render(page_path: Path, screenshot: Path) -> Rendered:
    """Open ``page_path`` in headless Chromium, take a full-page screenshot and say what it drew."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: run `bash scripts/tools.sh` (make test does)"
    out = Rendered(screenshot)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: out.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: out.console_errors.append(str(e)))
            page.on("request", lambda r: out.requests.append(r.url))
            page.goto(page_path.absolute().as_uri(), wait_until="load")
            figures = page.locator("figure svg")
            for n in range(figures.count()):
                box = figures.nth(n).bounding_box()
                out.plots.append(box or {})
                out.plot_marks.append(figures.nth(n).locator("path, rect, line, use").count())
            out.tables = page.locator("table").count()
            out.rows = page.locator("table tbody tr").count()
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return out
