"""The run's context (cqnnews/crawl/run.py): read-only, made once; what happens is sent to its tally."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from cqnnews.crawl.run import Run, run_of
from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.signals import article_failed, article_unchanged, articles_scheduled
from tests.conftest import NOW, project_settings

PACKAGE = Path(__file__).resolve().parent.parent / "cqnnews"
# the listing walk's fields, which leave the run with #23 item 3 (a walker of its own); until then mutable sets
@pytest.fixture
def run(tmp_path: Path) -> Run:
    return run_of(get_crawler(SPIDERS["yaowen"], project_settings(CQN_STATE_DIR=str(tmp_path),
                                                                  CQN_NOW=NOW.isoformat())))


def test_the_run_is_made_once_and_no_component_can_assign_its_fields(tmp_path: Path, run: Run) -> None:
    for name in ("store", "scratch", "coordination", "urls", "now", "tally"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(run, name, None)
    assert run.now == NOW and run.spider == "yaowen" and run.urls.origin_key


def test_what_a_component_sends_is_counted_by_the_runs_tally(run: Run) -> None:
    assert not run.articles_scheduled and run.settled() == set()
    run.send(articles_scheduled)
    run.send(article_unchanged, article_id=1, sections=["要闻一"])
    run.send(article_failed, article_id=2, url="https://www.cqn.com.cn/2.htm", sections=["要闻一"], reason="HTTP 500")
    assert run.articles_scheduled and run.settled() == {1, 2}
    assert run.tally.by_section["要闻一"] == {"unchanged": 1, "failed": 1}
    assert run.stats.get_value("cqnnews/article/failed") == 1


def _is_run(node: ast.expr) -> bool:
    """``run``, ``x.run``, ``run_of(...)``: the run's context, as the project's modules name it."""
    return (isinstance(node, ast.Name) and node.id == "run") \
        or (isinstance(node, ast.Attribute) and node.attr == "run") \
        or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "run_of")


def _written(target: ast.expr) -> str | None:
    """What an assignment's target writes of the run or its tally, if it does: ``run.where = ...``,
    ``run.tally.x = ...``, ``run.attachment_retries[aid] = ...``."""
    if isinstance(target, ast.Subscript):
        target = target.value
    if isinstance(target, ast.Attribute):
        owner = target.value
        if _is_run(owner) or (isinstance(owner, ast.Attribute) and owner.attr == "tally" and _is_run(owner.value)):
            return ast.unparse(target)
    return None


def test_no_module_assigns_to_the_run_or_its_tally() -> None:
    written = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                for one in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if (what := _written(one)) is not None:
                        written.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {what}")
    assert written == []
