# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SPIDER ?= yaowen
INSTALLED := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: help venv demo test crawl redis redis-server bench bench-extract bench-redis clean

help:
	@echo "make demo                 serve the offline replica, crawl it with yaowen, show the feed"
	@echo "make test                 run the test suite (offline, against the replica)"
	@echo "make crawl SPIDER=yaowen  crawl the real site, politely (feeds/<spider>/<UTC time>.jsonl)"
	@echo "make redis                install redis-server if missing, start one on 127.0.0.1:6379"
	@echo "make bench-redis          one worker vs two and four on scrapy-redis"
	@echo "make bench                crawl overhead, requests per incremental run, memory (about 15 minutes)"
	@echo "make bench-extract        ms per page and field accuracy: cqnnews vs trafilatura vs GNE"

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/python -m scripts.demo

redis-server:  # the tests start their own, on free ports
	bash scripts/redis.sh install

redis: redis-server
	bash scripts/redis.sh start 6379 .cqnnews/redis

test: $(INSTALLED) redis-server
	$(BIN)/python -m pytest

crawl: $(INSTALLED)
	$(BIN)/scrapy crawl $(SPIDER)

BENCH := $(VENV)/.bench-installed
$(BENCH): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(INSTALLED)
	$(BIN)/python -m bench.crawl

bench-redis: $(INSTALLED) redis-server
	$(BIN)/python -m bench.redis

bench-extract: $(BENCH)
	$(BIN)/python -m bench.extract

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
