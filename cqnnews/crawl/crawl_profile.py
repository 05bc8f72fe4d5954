"""A shared crawl's profile for the monitors: what each worker read, merged in Redis.

Each worker reads a share of the crawl, too few articles (or the wrong ones) for the monitors to
judge alone.  At its close each worker adds its counts (:class:`~cqnnews.state.history.ArticlesRead`, the new
articles per section, the routes that found each listing) under ``cqn:<origin>:<spider>:crawl:profile-*``;
the worker that adds the last share of a finished crawl (every other live worker has added its own)
gets the merged profile back and runs the monitors on it, once for the crawl, as a single process does.
Adding is done once per worker, in one script: a retry after an outage never counts a share twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cqnnews.state.history import ArticlesRead, RunProfile, generic_listing_share

COUNTS = ("articles", "time_of_day", "authors", "source", "generic", "fallback")

# KEYS: counts, body lengths, new per section, routes, workers merged, workers, monitored, done
# ARGV: worker, alive-key prefix, this worker's share (JSON)
_MERGE = """
if redis.call('SADD', KEYS[5], ARGV[1]) == 1 then
  local share = cjson.decode(ARGV[3])
  for name, n in pairs(share.counts) do redis.call('HINCRBY', KEYS[1], name, n) end
  for _, chars in ipairs(share.body) do redis.call('RPUSH', KEYS[2], chars) end
  for name, n in pairs(share.new) do redis.call('HINCRBY', KEYS[3], name, n) end
  for name, route in pairs(share.routes) do redis.call('HSET', KEYS[4], name, route) end
end
if redis.call('EXISTS', KEYS[8]) == 0 then return 0 end
for _, worker in ipairs(redis.call('HKEYS', KEYS[6])) do
  if worker ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. worker) == 1
     and redis.call('SISMEMBER', KEYS[5], worker) == 0 then return 0 end
end
if redis.call('SET', KEYS[7], ARGV[1], 'NX') then return 1 end
return 0
"""

Merged = tuple[ArticlesRead, dict[str, int], dict[str, str]]


class CrawlProfile:
    def __init__(self, db: Any, key: Any, worker: str) -> None:
        self.db = db
        self.key = key  # the coordinator's: a name under the crawl's prefix
        self.worker = worker
        self._merge = db.register_script(_MERGE)

    def _keys(self) -> list[str]:
        return [self.key("profile-counts"), self.key("profile-body"), self.key("profile-new"),
                self.key("profile-routes"), self.key("profile-merged"), self.key("workers"),
                self.key("profile-monitored"), self.key("done")]

    def merge(self, reading: ArticlesRead, new_by_section: dict[str, int], routes: dict[str, str]) -> Merged | None:
        """Add this worker's share; the crawl's merged profile if this worker is the one to check it, else None."""
        share = {"counts": {name: getattr(reading, name) for name in COUNTS}, "body": list(reading.body_chars),
                 "new": new_by_section, "routes": routes}
        last = self._merge(keys=self._keys(), args=[self.worker, self.key("alive:"),
                                                   json.dumps(share, ensure_ascii=False)])
        if not last:
            return None
        counts = {k.decode(): int(v) for k, v in self.db.hgetall(self.key("profile-counts")).items()}
        merged = ArticlesRead(**{name: counts.get(name, 0) for name in COUNTS},
                         body_chars=[int(x) for x in self.db.lrange(self.key("profile-body"), 0, -1)])
        new = {k.decode(): int(v) for k, v in self.db.hgetall(self.key("profile-new")).items()}
        found_by = {k.decode(): v.decode() for k, v in self.db.hgetall(self.key("profile-routes")).items()}
        return merged, dict(sorted(new.items())), dict(sorted(found_by.items()))


def run_profile(day: str, started_at: str | None, reading: ArticlesRead, tally: Mapping[str, Mapping[str, int]],
                routes: Mapping[str, str], listings: Iterable[Mapping[str, Any]],
                merge: Callable[[ArticlesRead, dict[str, int], dict[str, str]], Merged | None] | None = None
                ) -> dict[str, Any] | None:
    """What a run read, for the monitors: its :class:`~cqnnews.state.history.RunProfile` as recorded.  A worker of a
    shared crawl adds its share with ``merge`` and gets the whole crawl's profile if it is the one to check it,
    else None."""
    found_by = dict(sorted(routes.items()))
    new_by_section = {name: tally.get(name, {}).get("new", 0) for name in sorted(set(routes) | set(tally))}
    if merge is not None:
        merged = merge(reading, new_by_section, found_by)
        if merged is None:
            return None
        reading, new_by_section, found_by = merged
    return RunProfile(day=day, started_at=started_at, articles_read=reading.articles,
                      shares={**reading.shares(), "listings_generic": generic_listing_share(listings)},
                      new_by_section=new_by_section, routes=found_by).record()
