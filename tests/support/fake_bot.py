"""A real socket.io server that speaks Rasa's socket.io protocol with scripted replies.

For widget tests that need the bot to say things the real assistant never would
(e.g. markup). It runs python-socketio (the same server library Rasa uses) in a thread:

    with scripted_bot(lambda text: [{"text": "<b>hi</b>"}]) as bot:
        bot.url  # give it to the widget as data-server-url
        bot.received  # [(session_id, message), ...]
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Callable, Dict, Iterator, List, Tuple

import socketio
from aiohttp import web

from tests.support.servers import free_port

Reply = Callable[[str], List[Dict]]


class ScriptedBot:
    def __init__(self, reply: Reply):
        self.reply = reply
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: List[Tuple[str, str]] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop = None
        self._thread = threading.Thread(target=self._run, name="scripted-bot", daemon=True)

    def _app(self) -> web.Application:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        app = web.Application()
        sio.attach(app, socketio_path="socket.io")

        @sio.on("session_request")
        async def session_request(sid, data):
            session_id = (data or {}).get("session_id")
            joined = sio.enter_room(sid, session_id)  # a coroutine from python-socketio 5.10 on
            if asyncio.iscoroutine(joined):
                await joined
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid, data):
            session_id, text = data.get("session_id"), data.get("message", "")
            self.received.append((session_id, text))
            for message in self.reply(text):
                await sio.emit("bot_uttered", message, room=session_id)

        return app

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main():
            runner = web.AppRunner(self._app())
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", self.port)
            await site.start()
            self._stop = asyncio.Event()
            self._ready.set()
            await self._stop.wait()
            await runner.cleanup()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        self._loop.run_until_complete(main())

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("scripted socket.io bot did not start")

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)


@contextlib.contextmanager
def scripted_bot(reply: Reply) -> Iterator[ScriptedBot]:
    bot = ScriptedBot(reply)
    bot.start()
    try:
        yield bot
    finally:
        bot.stop()
