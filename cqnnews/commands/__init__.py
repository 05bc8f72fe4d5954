"""Project commands: ``scrapy crawl`` and ``scrapy list`` as cron and analysts need them."""
