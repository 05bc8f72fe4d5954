"""``python -m cqnnews.reading.extract`` on saved pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.crawl import ROOT
from tests.replica import render
from tests.replica.site import Site

PAGES = ROOT / "tests" / "fixtures" / "pages"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cqnnews.reading.extract", *args], cwd=ROOT, capture_output=True, text=True)


def test_gbk_page_with_a_wrong_charset_header_prints_correct_chinese(site: Site, tmp_path: Path) -> None:
    ref = next(r for r in site.articles() if site.variant(r).encoding == "gbk" and site.variant(r).pages == 1)
    page = render.article(site, ref)
    assert page is not None
    file = tmp_path / "page.htm"
    file.write_bytes(page.body)
    result = run(str(file), "--url", "https://www.cqn.com.cn" + ref.path, "--content-type", "text/html; charset=utf-8")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["title"] == site.story(ref).title
    assert record["article_id"] == ref.article_id and "\ufffd" not in result.stdout


def test_url_defaults_to_the_file_name_and_id_to_the_page(tmp_path: Path) -> None:
    [page] = PAGES.glob("qt_6121542.p1.html")
    file = tmp_path / "content_6121542.htm"
    file.write_bytes(page.read_bytes())
    result = run(str(file))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["article_id"] == 6121542 and record["authors"] == ["张井"]


def test_non_html_file_is_one_line_and_the_others_still_print(tmp_path: Path) -> None:
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")
    good = sorted(PAGES.glob("*.p1.html"))[:2]
    result = run(str(good[0]), str(pdf), str(good[1]), "--url", "https://www.cqn.com.cn/qt/content/x/content_1.htm")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"cqnnews.reading.extract: {pdf}: not an HTML page"]
    assert len(result.stdout.strip().splitlines()) == 2


def test_a_file_larger_than_a_crawl_fetches_is_refused_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "big.htm"
    with big.open("wb") as f:
        f.truncate(9 * 1024 * 1024)
    for path in (str(big), "/dev/zero"):
        done = subprocess.run([sys.executable, "-m", "cqnnews.reading.extract", path], capture_output=True, text=True,
                              timeout=60, cwd=ROOT)
        assert done.returncode == 1 and "larger than 8 MiB" in done.stderr and "Traceback" not in done.stderr
