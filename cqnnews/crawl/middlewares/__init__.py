"""Downloader middlewares: backoff and Retry-After, truncated pages."""
