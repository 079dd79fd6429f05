"""The owner's report: what visitors did with the assistant, read from Rasa's tracker store.

`metrics` turns stored events into numbers (no database, no HTML), `store` reads the events and
leads read-only, `charts` draws them with matplotlib, `report` writes the HTML file.
No Rasa imports: the report runs beside a live assistant without loading TensorFlow.
"""
