"""The optional stacks (cqnnews/extras.py): imported only where used, and a setting needing a missing one refused.

A core install is simulated by blocking the optional modules in the crawl's own process
(``sys.modules[name] = None``: ``import`` fails and ``importlib.util.find_spec`` finds nothing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from cqnnews import extras
from cqnnews.crawl.startup_checks import check_settings
from cqnnews.extras import EXTRAS
from cqnnews.outputs.feeds import article_feeds
from cqnnews.sections import BadArgument
from tests.conftest import NOW, project_settings
from tests.crawl import LOCAL_SETTINGS, crawl_env
from tests.replica.process import RunningReplica

OPTIONAL = sorted({module for modules in EXTRAS.values() for module in modules})


def scrapy_without(blocked: list[str], *args: str, cwd: Path, base_url: str,
                   timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` in a process where ``blocked`` cannot be imported, as in an install without them."""
    code = ("import sys, warnings\n"
            f"for name in {blocked!r}: sys.modules[name] = None\n"
            "from scrapy.exceptions import ScrapyDeprecationWarning\n"
            "warnings.simplefilter('error', ScrapyDeprecationWarning)\n"
            f"sys.argv = ['scrapy', *{list(args)!r}]\n"
            "from scrapy.cmdline import execute\n"
            "execute()\n")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=crawl_env(base_url, CQN_NOW=NOW.isoformat()),
                          capture_output=True, text=True, timeout=timeout)


def imported(stderr: str) -> set[str]:
    """Top-level modules named in ``python -X importtime`` output."""
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


@pytest.mark.parametrize("command", [["list"], ["crawl", "-h"], ["check", "-l"]])
def test_the_core_commands_import_none_of_the_optional_stacks(tmp_path: Path, command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "scrapy", *command], cwd=tmp_path,
                          env=crawl_env("http://127.0.0.1:9"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "yaowen" in done.stdout or command[0] == "crawl"
    assert imported(done.stderr) & set(OPTIONAL) == set()
    assert "scrapy" in imported(done.stderr)  # the check above reads the importtime lines it means to


def test_a_crawl_imports_no_optional_stack_but_the_reports_plots(replica: RunningReplica, tmp_path: Path) -> None:
    args = ["-X", "importtime", "-m", "scrapy", "crawl", "yaowen", "-s", "CQN_MONITORS=false"]
    for key, value in LOCAL_SETTINGS.items():
        args += ["-s", f"{key}={value}"]
    done = subprocess.run([sys.executable, *args], cwd=tmp_path, env=crawl_env(replica.url, CQN_NOW=NOW.isoformat()),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert imported(done.stderr) & set(OPTIONAL) <= {"matplotlib", "numpy"}  # the report extra, installed here


def test_a_core_install_crawls_and_writes_feed_summary_and_report(replica: RunningReplica, tmp_path: Path) -> None:
    settings = [arg for key, value in LOCAL_SETTINGS.items() for arg in ("-s", f"{key}={value}")]
    done = scrapy_without(OPTIONAL, "crawl", "yaowen", *settings, cwd=tmp_path, base_url=replica.url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert " ERROR: " not in done.stderr, done.stderr[-3000:]
    folder = tmp_path / "feeds" / "yaowen"
    [feed] = article_feeds(folder)
    [summary] = folder.glob("*.summary.json")
    assert json.loads(summary.read_text())["exported"] == len(feed.read_text().splitlines()) > 0
    [report] = folder.glob("*.report.html")
    assert "pip install &#x27;cqnnews[report]&#x27;" in report.read_text()  # tables, and how to get the plots
    assert json.loads(summary.read_text())["monitors"]["profile"] is None  # CQN_MONITORS=auto: off without it
    # the feed's reposts need numpy (the dataset extra): said once, the lines stored with duplicate_of null
    assert done.stderr.count("reposts are not marked in the feed") == 1, done.stderr[-3000:]
    assert {json.loads(line)["duplicate_of"] for line in feed.read_text().splitlines()} == {None}


@pytest.mark.parametrize(("setting", "extra"), [("CQN_MONITORS=true", "monitor"), ("CQN_DATASET_AUTO=true", "dataset"),
                                                ("CQN_REDIS_URL=redis://127.0.0.1:9/0", "redis")])
def test_a_setting_that_needs_a_missing_extra_is_one_line_naming_it(tmp_path: Path, setting: str, extra: str) -> None:
    done = scrapy_without(OPTIONAL, "crawl", "yaowen", "-s", setting, cwd=tmp_path, base_url="http://127.0.0.1:9",
                          timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"pip install 'cqnnews[{extra}]'" in lines[0], done.stderr[-2000:]
    assert setting.split("=")[0] in lines[0]


def test_the_checks_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extras, "installed", lambda extra: extra != "monitor")
    with pytest.raises(BadArgument, match=r"CQN_MONITORS needs the monitor extra .*cqnnews\[monitor\]"):
        check_settings(Settings(project_settings(CQN_MONITORS="true")))
    check_settings(Settings(project_settings(CQN_MONITORS="auto")))
    assert not extras.monitors_on(Settings(project_settings(CQN_MONITORS="auto")))


def test_scrapy_dataset_without_its_extra_is_one_line_naming_it(tmp_path: Path) -> None:
    done = scrapy_without(OPTIONAL, "dataset", cwd=tmp_path, base_url="http://127.0.0.1:9", timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "pip install 'cqnnews[dataset]'" in lines[0], done.stderr[-2000:]
