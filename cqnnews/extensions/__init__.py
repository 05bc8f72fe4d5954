"""Scrapy extensions: the run's ledger, progress lines, and each job after a run (see cqnnews.signals)."""
