"""``make bench-install`` (also run by ``make bench``): the size of a core install and the time of ``scrapy list``.

A fresh virtualenv gets ``requirements-core.lock`` (the core's pins, taken from
``requirements.lock``) and the project, without resolving anything again; its site-packages
are summed file by file.  ``scrapy list`` is timed in it (best of 5, from a folder holding the
project's ``scrapy.cfg``), and in the virtualenv this command runs in (everything installed)
as the baseline of the same command.  Needs the package registry (or a pip cache).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import write_results

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


TOOLS = ("pip", "setuptools", "_distutils_hack", "distutils-precedence.pth")  # the venv's own, not the install's


def site_packages_bytes(venv: Path) -> tuple[int, int]:
    """Bytes of every file of the venv's site-packages (apparent sizes), and of those pip and setuptools own."""
    [site] = venv.glob("lib/python3*/site-packages")
    total = tools = 0
    for path in site.rglob("*"):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            total += size
            if path.relative_to(site).parts[0].split("-")[0] in TOOLS:
                tools += size
    return total, tools


def best_list_seconds(python: Path, cwd: Path) -> tuple[float, float]:
    """The best wall time and the best CPU time (user + system) of ``scrapy list`` over RUNS runs.

    The CPU time is what the command costs; the wall time is that plus what the machine's other
    processes take from it (these machines are shared: both are reported)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    wall = cpu = float("inf")
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([str(python), "-m", "scrapy", "list"], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=120)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0 and "yaowen" in done.stdout, done.stderr[-2000:]
        wall = min(wall, elapsed)
        cpu = min(cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cqnnews-core-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--no-deps", "-r", str(ROOT / "requirements-core.lock")], check=True)
        subprocess.run([*pip, "--no-deps", str(ROOT)], check=True)
        packages = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                                  capture_output=True, text=True, check=True).stdout.split()
        size, tools = site_packages_bytes(venv)
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "scrapy.cfg").write_text("[settings]\ndefault = cqnnews.settings\n")
        core_seconds, core_cpu = best_list_seconds(venv / "bin" / "python", project)
        full_seconds, full_cpu = best_list_seconds(Path(sys.executable), project)
    load = os.getloadavg()[0]
    result = {"core_packages": len(packages), "core_site_packages_mb": round(size / 1e6, 1),
              "core_site_packages_mb_without_pip": round((size - tools) / 1e6, 1),
              "scrapy_list_core_s": round(core_seconds, 3), "scrapy_list_core_cpu_s": round(core_cpu, 3),
              "scrapy_list_all_s": round(full_seconds, 3), "scrapy_list_all_cpu_s": round(full_cpu, 3),
              "scrapy_list_core_over_all": round(core_seconds / full_seconds, 3), "load_average": round(load, 2)}
    print(f"core install: {len(packages)} packages, {result['core_site_packages_mb']} MB of site-packages "
          f"({result['core_site_packages_mb_without_pip']} MB without pip and setuptools)")
    print(f"scrapy list: {core_seconds:.2f}s ({core_cpu:.2f}s of CPU) with the core, {full_seconds:.2f}s "
          f"({full_cpu:.2f}s of CPU) with everything installed (best of {RUNS}; load average {load:.1f})")
    write_results("install", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
