"""Spiders, one per news-centre section (see cqnnews.sections)."""
