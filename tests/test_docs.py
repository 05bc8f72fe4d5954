"""The documentation site builds with MkDocs --strict (a warning, a broken link or anchor fails), and the README
stays a page or two that points into it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the sections the README held before the site: each now has its place on a page of docs/
MOVED = ["First contact with the real site: `make smoke`", "Real use", "Spiders", "Daily runs from cron",
         "When the network misbehaves", "Running under scrapyd", "Several workers, one crawl (scrapy-redis)",
         "The feed",
         "Where feeds go, and reading many at once", "One dataset for analysts: `scrapy dataset`",
         "A report per run, monitors, alerts", "Spot-check notices as data", "Extraction", "Settings",
         "The offline replica", "Tests", "Layout", "Not done yet"]


def test_the_site_builds_strict_with_every_link_and_anchor_found(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WARNING" not in done.stderr, done.stderr[-3000:]
    assert (tmp_path / "site" / "running-daily" / "index.html").is_file()


def test_every_section_of_the_old_readme_is_on_a_page() -> None:
    headings = {line.lstrip("#").strip() for page in (ROOT / "docs").glob("*.md")
                for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("#")}
    assert [h for h in MOVED if h not in headings] == []


def test_the_readme_is_short_and_its_links_lead_somewhere() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 100  # one screenful or two
    assert "make demo" in readme and "make test" in readme
    links = re.findall(r"\]\(([^)#]+)(?:#([^)]+))?\)", readme)
    assert links
    for target, anchor in links:
        page = ROOT / target
        assert page.is_file(), target
        if anchor:
            titles = [line.lstrip("#").strip().lower() for line in page.read_text(encoding="utf-8").splitlines()
                      if line.startswith("#")]
            assert anchor in [re.sub(r"[^\w\- ]", "", t).replace(" ", "-") for t in titles], (target, anchor)


@pytest.mark.parametrize("page", ["running-daily.md", "several-machines.md", "reading-data.md", "changing.md",
                                  "architecture.md", "benchmarks.md"])
def test_the_site_has_a_page_per_audience(page: str) -> None:
    assert page in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
