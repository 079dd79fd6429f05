"""Rasa custom actions: thin adapters between Rasa's tracker and the decision logic in routes/.

rasa-sdk binds its server to SANIC_HOST, default 0.0.0.0, and imports this package before it
binds: so bare `rasa run actions` stays on loopback unless SANIC_HOST says otherwise (a
container on a private network sets SANIC_HOST=0.0.0.0).
"""
import os

os.environ.setdefault("SANIC_HOST", "127.0.0.1")
