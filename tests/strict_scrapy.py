"""``python -m tests.strict_scrapy ARGS``: ``scrapy ARGS`` with Scrapy's deprecation warnings as errors.

Every crawl of the suite runs this way (tests/crawl.py): an API the pinned Scrapy deprecates, used by the
project or through its settings, fails the crawl that reaches it (an ERROR line, exit 1), not only a
warning nobody reads.  Other libraries' own uses (scrapy-redis 0.9 passes ``spider=`` to the stats
collector) stay warnings: they are not the project's to fix.
"""

import sys
import warnings

from scrapy.cmdline import execute
from scrapy.exceptions import ScrapyDeprecationWarning

if __name__ == "__main__":
    warnings.simplefilter("error", ScrapyDeprecationWarning)
    warnings.filterwarnings("default", category=ScrapyDeprecationWarning, module=r"(scrapy_redis|spidermon)(\.|$)")
    sys.argv[0] = "scrapy"
    execute()
