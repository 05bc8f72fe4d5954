"""What earlier runs did: exported articles, articles still to fetch, and the run lock."""
