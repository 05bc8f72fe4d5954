"""``make bench-install`` (also run by ``make bench``): the size of a core install and the time of ``scrapy list``.

A fresh virtualenv gets ``requirements-core.lock`` (the core's pins, taken from
``requirements.lock``) and the project, without resolving anything again; its site-packages
are summed file by file.  ``scrapy list`` is timed in it (best of 5, from a folder holding the
project's ``scrapy.cfg``), and in the virtualenv this command runs in (everything installed)
as the baseline of the same command.  Needs the package registry (or a pip cache).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import write_results

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def site_packages_bytes(venv: Path) -> int:
    [site] = venv.glob("lib/python3*/site-packages")
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file() and not p.is_symlink())


def best_list_seconds(python: Path, cwd: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        done = subprocess.run([str(python), "-m", "scrapy", "list"], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=120)
        elapsed = time.perf_counter() - started
        assert done.returncode == 0 and "yaowen" in done.stdout, done.stderr[-2000:]
        best = min(best, elapsed)
    return best


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cqnnews-core-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--no-deps", "-r", str(ROOT / "requirements-core.lock")], check=True)
        subprocess.run([*pip, "--no-deps", str(ROOT)], check=True)
        packages = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                                  capture_output=True, text=True, check=True).stdout.split()
        size = site_packages_bytes(venv)
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "scrapy.cfg").write_text("[settings]\ndefault = cqnnews.settings\n")
        core_seconds = best_list_seconds(venv / "bin" / "python", project)
        full_seconds = best_list_seconds(Path(sys.executable), project)
    result = {"core_packages": len(packages), "core_site_packages_mb": round(size / 1e6, 1),
              "scrapy_list_core_s": round(core_seconds, 3), "scrapy_list_all_s": round(full_seconds, 3),
              "scrapy_list_core_over_all": round(core_seconds / full_seconds, 3)}
    print(f"core install: {len(packages)} packages, {result['core_site_packages_mb']} MB of site-packages")
    print(f"scrapy list: {core_seconds:.2f}s with the core, {full_seconds:.2f}s with everything installed "
          f"(best of {RUNS})")
    write_results("install", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
