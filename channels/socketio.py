"""Rasa's socket.io channel for the website widget.

Loaded through this module (credentials.yml) so the `serving` package, and with it the fix for
custom payloads on socket.io (serving/patches.py), is in place before the first message.
"""
from rasa.core.channels import socketio as rasa_socketio

import serving  # noqa: F401  (applies serving/patches.py)


class SocketIOInput(rasa_socketio.SocketIOInput):
    """The stock channel (still named "socketio"), with the project's patches applied."""
