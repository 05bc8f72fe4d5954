"""``scrapy dataset``: every feed of ``CQN_FEED_DIR`` as one dataset, each article once, kept current.

``CQN_DATASET_DIR`` (``dataset/`` by default) holds::

    current -> gen-000007            the dataset: a symbolic link, replaced in one step
    gen-000007/articles/month=2026-11/part-000007-0.parquet
    gen-000007/revisions/month=2026-11/...   one row per revision of each article
    gen-000007/spotchecks/month=2026-11/...  and one table per sidecar kind (cqnnews.outputs.dataset.tables)
    gen-000007/manifest.json         every feed ingested: how far it was read, its lines, its origin
    cqnnews.duckdb                   a view per table over ``current``, by paths relative to the folder

``articles`` has one row per article and origin (the site crawled: feeds of the offline replica stay
apart from the real site's), whatever the feeds hold (a feed appended day after day, the same line
twice, the same article in several spiders' feeds): the line of its latest revision (the highest
``revision``, then the latest ``fetched_at``), with ``revisions`` (that revision's number),
``first_seen`` and ``last_seen`` (the earliest and latest ``fetched_at`` of all its lines; ``last_seen``
also the latest unchanged recheck the SQLite crawl state records, cqnnews.outputs.dataset.ingest.seen_in_state),
``sections`` (the union of its lines') and ``feed`` (where the winning line came from).  The sidecar
tables (``spotchecks``) hold the records written with the winning line.  ``revisions`` has a row per
revision: what changed since the one before, and the body's paragraphs added and removed.  All are
partitioned by the month of publication in Beijing time (``month=none``: no publication time).

DuckDB does the reading and the choice (cqnnews.outputs.dataset.build); the rows it gives as Arrow batches are written
to the months' files by pyarrow (cqnnews.outputs.dataset.sql.copy).  An update reads only the
new bytes of each feed (cqnnews.outputs.dataset.ingest) and writes a new generation: the months its lines
touch are rewritten, every other month's files are hard-linked, so its cost follows the new lines.
``current`` moves to the new generation only once it is complete and on disk; a killed update leaves
the previous dataset whole, and the next update removes what it left and starts again.

The views name their files relative to the dataset folder: open the database with the folder as the
working directory, or with :func:`connect` from anywhere (it sets DuckDB's ``file_search_path``).
"""

from cqnnews.outputs.dataset.generations import CURRENT, DATABASE, DatasetError, connect, generation_of
from cqnnews.outputs.dataset.update import Update, update

__all__ = ["CURRENT", "DATABASE", "DatasetError", "Update", "connect", "generation_of", "update"]
