"""Rasa input channels used by the route advisor (referenced from credentials.yml)."""
