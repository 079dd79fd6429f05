"""Rasa's socket.io channel, with custom payloads delivered.

Rasa 3.6.21's SocketIOOutput.send_custom_json calls `sio.emit(event, **payload)`, so a payload
such as {"recommendation": ...} raises TypeError in python-socketio and the rest of the turn is
lost. The widget needs the payload as the message itself, as the REST channel delivers it.
Rasa builds SocketIOOutput inside its socket handler, so the fix has to be on that class.
"""
from typing import Any, Dict, Text

from rasa.core.channels import socketio as rasa_socketio


async def _send_custom_json(
    self: rasa_socketio.SocketIOOutput, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
) -> None:
    await self._send_message(recipient_id, json_message)


rasa_socketio.SocketIOOutput.send_custom_json = _send_custom_json


class SocketIOInput(rasa_socketio.SocketIOInput):
    """The stock channel (still named "socketio"), loaded through this module so the fix applies."""
