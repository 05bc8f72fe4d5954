# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SPIDER ?= yaowen
INSTALLED := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: help venv demo test crawl bench-extract clean

help:
	@echo "make demo                 serve the offline replica, crawl it with yaowen, show the feed"
	@echo "make test                 run the test suite (offline, against the replica)"
	@echo "make crawl SPIDER=yaowen  crawl the real site, politely (feeds/<spider>/<UTC time>.jsonl)"
	@echo "make bench-extract        ms per page and field accuracy: cqnnews vs trafilatura vs GNE"

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/python -m scripts.demo

test: $(INSTALLED)
	$(BIN)/python -m pytest

crawl: $(INSTALLED)
	$(BIN)/scrapy crawl $(SPIDER)

BENCH := $(VENV)/.bench-installed
$(BENCH): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench-extract: $(BENCH)
	$(BIN)/python -m bench.extract

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
