"""The import contracts of ``pyproject.toml`` ([tool.importlinter], docs/architecture.md): kept by the code,
and broken by the kind of import they are there to refuse.

``lint-imports`` reads every import of ``cqnnews/``, those inside functions and under ``TYPE_CHECKING`` too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the ``cqnnews`` package in ``root``, with ``root``'s pyproject.toml."""
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", code, "--no-cache"], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=300)


def test_the_code_keeps_every_contract() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout
    assert {c["id"] for c in CONTRACTS} >= {"acyclic", "layers"}


def test_the_layers_run_from_the_commands_down_to_the_leaves() -> None:
    [layers] = [c for c in CONTRACTS if c["id"] == "layers"]
    top, bottom = layers["layers"][0], layers["layers"][-1]
    assert "cqnnews.commands" in top and "cqnnews.errors" in bottom and "|" in bottom  # the leaves: independent
    assert layers["layers"].index("cqnnews.crawl") < layers["layers"].index("cqnnews.outputs") < next(
        i for i, layer in enumerate(layers["layers"]) if "cqnnews.state" in layer)


def _copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package and its contracts where ``module`` ends with a function importing ``line``."""
    shutil.copytree(ROOT / "cqnnews", tmp_path / "cqnnews", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "cqnnews" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _reaching_up() -> None:\n    {line}\n",
                    encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("module", "line", "broken"), [
    # the cycle the run core once had: the state reaching up, in an import deferred into a function
    # (through the run's own imports, it also climbs the layers inside the crawl, and those inside the outputs)
    ("state/__init__.py", "from cqnnews.crawl.run import run_of  # noqa",
     ["No import cycle", "Calls go one way", "Inside the crawl"]),
    ("outputs/feeds.py", "from cqnnews.crawl.run import run_of  # noqa",
     ["No import cycle", "Calls go one way", "Inside the crawl", "Inside the outputs"]),
    ("crawl/coordination.py", "from cqnnews.crawl.spiders.base import SectionSpider  # noqa",
     ["No import cycle", "Inside the crawl"]),
    ("reading/parsers/base.py", "from cqnnews.state.store import StateStore  # noqa",
     ["Reading a page knows nothing", "Calls go one way"]),
    ("outputs/report.py", "from cqnnews.outputs.summary import beside  # noqa", ["Inside the outputs"]),
])
def test_an_import_against_a_contract_breaks_it(tmp_path: Path, module: str, line: str, broken: list[str]) -> None:
    done = lint_imports(_copy_with(tmp_path, module, line))
    assert done.returncode == 1, done.stdout + done.stderr
    _, _, report = done.stdout.partition("Broken contracts")
    assert all(name in report for name in broken), done.stdout
    assert f"{len(CONTRACTS) - len(broken)} kept, {len(broken)} broken." in done.stdout


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_outgrows_what_one_reader_holds() -> None:
    """Issue #23's sizes, kept: no module of cqnnews over 300 lines, no spider module over 150, the ledger under
    150 (a module that grows past them is split by what it does, as parsers/chain.py and meta_line.py were)."""
    package = ROOT / "cqnnews"
    too_long = {str(p.relative_to(package)): n for p in package.rglob("*.py") if (n := _lines(p)) > 300}
    spiders = {p.name: n for p in (package / "crawl" / "spiders").glob("*.py") if (n := _lines(p)) > 150}
    assert too_long == {} and spiders == {}, (too_long, spiders)
    assert _lines(package / "extensions" / "ledger.py") < 150
