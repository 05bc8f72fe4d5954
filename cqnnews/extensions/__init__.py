"""Scrapy extensions: the run's ledger and progress lines."""
