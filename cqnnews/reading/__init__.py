"""Reading pages: decoding, the article parsers, dates, listings, navigation, pagination, spot-check and
recall tables, spreadsheets. Knows nothing of the crawl, the run, the state or the outputs."""
