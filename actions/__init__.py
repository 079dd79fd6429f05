"""Rasa custom actions: thin adapters between Rasa's tracker and the decision logic in routes/."""
