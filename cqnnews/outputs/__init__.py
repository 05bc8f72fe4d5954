"""What a run leaves for people: feeds, records beside them, summary, report, monitors, alerts, the
Prometheus file, and the dataset."""
