"""``python -m tests.strict_scrapy ARGS``: ``scrapy ARGS`` with Scrapy's deprecation warnings as errors.

Every crawl of the suite runs this way (tests/crawl.py): an API the pinned Scrapy deprecates fails the
crawl that reaches it (an ERROR line, exit 1), not only a warning nobody reads.
"""

import sys
import warnings

from scrapy.cmdline import execute
from scrapy.exceptions import ScrapyDeprecationWarning

if __name__ == "__main__":
    warnings.simplefilter("error", ScrapyDeprecationWarning)
    sys.argv[0] = "scrapy"
    execute()
