# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SPIDER ?= yaowen
INSTALLED := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: help venv lock demo test tools crawl dataset smoke redis redis-server bench bench-dataset bench-extract bench-redis clean
.PHONY: bench-install replica docs stress

help:
	@echo "make demo                 serve the offline replica, crawl it with yaowen, show the feed"
	@echo "make test                 run the test suite (offline, against the replica)"
	@echo "make smoke                with Internet: what works on the real site (CQN_BASE_URL), in a few dozen requests"
	@echo "make crawl SPIDER=yaowen  crawl the real site, politely (feeds/<spider>/<UTC time>.jsonl)"
	@echo "make redis                install redis-server if missing, start one on 127.0.0.1:6379"
	@echo "make bench-redis          one worker vs two and four on scrapy-redis"
	@echo "make stress N=20 HOGS=2   the shared-crawl tests N times in a row beside HOGS busy loops: how many pass"
	@echo "make bench                crawl overhead, requests per incremental run, memory, the dataset (about 25 minutes)"
	@echo "make bench-dataset        scrapy dataset over 1,000,000 feed lines against DuckDB SQL, then 10,000 more"
	@echo "make bench-extract        ms per page and field accuracy: cqnnews vs trafilatura vs GNE"
	@echo "make bench-install        size of a core install (pip install .) and the time of scrapy list"
	@echo "make replica              serve the offline replica and crawl it at full speed (no politeness: it is local)"
	@echo "make docs                 build the documentation site into site/ (mkdocs --strict; make test builds it too)"
	@echo "make dataset              update dataset/ (Parquet + DuckDB) from every feed not ingested yet"
	@echo "make lock                 pin the dependencies again (requirements.lock) from pyproject.toml"

# Installs the exact versions of requirements.lock (made from pyproject.toml by `make lock`: the core,
# every extra, [all], and the test tools), then the project itself without resolving anything again.
# A deployment that needs less installs the core (`pip install .`, pinned by requirements-core.lock)
# and the extras it uses: [redis], [dataset], [report], [monitor].
$(INSTALLED): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e '.[all,test]'
	touch $@

venv: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/python -m scripts.demo

dataset: $(INSTALLED)  # every feed of CQN_FEED_DIR not ingested yet into CQN_DATASET_DIR (Parquet + DuckDB)
	$(BIN)/scrapy dataset

smoke: $(INSTALLED)  # against CQN_BASE_URL (the real site by default): a table, smoke.json, exit 1 if anything failed
	$(BIN)/scrapy smoke

redis-server:  # the tests start their own, on free ports
	bash scripts/redis.sh install

redis: redis-server
	bash scripts/redis.sh start 6379 .cqnnews/redis

tools:  # logrotate (deploy/logrotate/cqnnews) and chromium (the report test)
	bash scripts/tools.sh

test: $(INSTALLED) redis-server tools
	$(BIN)/python -m pytest

N ?= 20
HOGS ?= 2
stress: $(INSTALLED) redis-server  # the Redis integrity and e2e tests N times, HOGS CPU hogs beside them
	N=$(N) HOGS=$(HOGS) PYTHON=$(BIN)/python bash scripts/stress.sh

crawl: $(INSTALLED)
	$(BIN)/scrapy crawl $(SPIDER)

docs: $(INSTALLED)  # docs/ as a site in site/; tests/test_docs.py builds it --strict in make test
	$(BIN)/python -m mkdocs build --strict

replica: $(INSTALLED)  # the whole replica crawled without delay (the polite defaults are for the real site)
	$(BIN)/python -m scripts.replica_crawl $(SPIDER)

BENCH := $(VENV)/.bench-installed
$(BENCH): $(INSTALLED) requirements-bench.lock
	$(BIN)/python -m pip install --quiet -r requirements-bench.lock
	touch $@

lock:  # pin every dependency again from pyproject.toml (needs the package registry)
	test -x $(VENV)/tools/bin/pip-compile || ($(PYTHON) -m venv $(VENV)/tools && $(VENV)/tools/bin/pip install --quiet pip-tools)
	$(VENV)/tools/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra all \
		--extra test --output-file requirements.lock pyproject.toml
	$(VENV)/tools/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra all \
		--extra test --extra bench --output-file requirements-bench.lock pyproject.toml
	cp requirements.lock requirements-core.lock  # the same pins, the core's only
	$(VENV)/tools/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements-core.lock pyproject.toml

bench: $(INSTALLED)
	$(BIN)/python -m bench.crawl
	$(BIN)/python -m bench.dataset
	$(BIN)/python -m bench.install

bench-install: $(INSTALLED)  # a fresh core install (requirements-core.lock): its size, and the time of scrapy list
	$(BIN)/python -m bench.install

bench-dataset: $(INSTALLED)  # scrapy dataset and the DuckDB SQL of an analyst over 1,000,000 generated lines, then 10,000 more (about 15 minutes)
	$(BIN)/python -m bench.dataset

bench-redis: $(INSTALLED) redis-server
	$(BIN)/python -m bench.redis

bench-extract: $(BENCH)
	$(BIN)/python -m bench.extract

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info site
