from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.replica.process import RunningReplica, running_replica
from tests.replica.site import Site
from tests.replica.timeline import SHANGHAI


# The replica's clock in tests: a few days after the end of its backlog.
def project_settings(**overrides: Any) -> dict[str, Any]:
    """cqnnews.settings as a dict (what `scrapy crawl` runs with), with ``overrides``."""
    import cqnnews.settings

    return {**{k: v for k, v in vars(cqnnews.settings).items() if k.isupper()}, **overrides}


NOW = datetime(2026, 10, 5, 12, 0, tzinfo=SHANGHAI)
SEED = 7
SCALE = 30  # more than one listing page per 要闻 sub-section


@pytest.fixture(scope="session")
def replica() -> Iterator[RunningReplica]:
    """The replica served on a free port for the whole session, with its ground truth."""
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as running:
        yield running


@pytest.fixture(scope="session")
def site() -> Site:
    """A replica site in this process, for tests that need no server."""
    return Site(seed=SEED, scale=SCALE, now=NOW)
