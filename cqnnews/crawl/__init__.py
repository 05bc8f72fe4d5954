"""The crawl: Scrapy's components (spiders, pipelines, middlewares), the run they read and count, its
coordination (one process or shared in Redis), the start-up checks and the commit."""
