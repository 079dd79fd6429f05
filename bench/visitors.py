"""Simulated visitors: whole conversations over REST and socket.io, timed message by message.

A message's latency runs from sending it to receiving the last reply of its turn. Over REST the
turn's replies come back in one response. Over socket.io they arrive one by one as `bot_uttered`
events, so each bot says how to recognise a turn's last reply (`Bot.turn_over`): for the route
advisor it is the question's progress payload ({"asking": ...}) or the recommendation payload,
which its actions send last (over REST the assessment offer follows a recommendation: the
turn ends at its last such reply); for the reference bot, any response that its stories never
follow with another action in the same turn. No quiet period is needed, so a slow reply is timed
as slow rather than cut off, and a turn without its last reply ends as an error at the timeout.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp
import socketio
import yaml

CONVERSATIONS = Path(__file__).with_name("conversations.yml")

# python-engineio 4.15 (unpinned, beside python-socketio 5.9.0) opens its asyncio websocket with
# aiohttp.ClientWSTimeout, new in aiohttp 3.10; Rasa pins aiohttp 3.9, whose ws_connect takes that
# close timeout as a number. Only this client needs it: the servers are untouched.
if not hasattr(aiohttp, "ClientWSTimeout"):
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close
Message = Dict[str, Any]


@dataclass(frozen=True)
class Turn:
    say: str
    expect: str


@dataclass(frozen=True)
class Conversation:
    name: str
    turns: List[Turn]


def load_conversations(bot: str, path: Path = CONVERSATIONS) -> List[Conversation]:
    scripts = yaml.safe_load(path.read_text())[bot]
    return [Conversation(c["name"], [Turn(t["say"], t["expect"]) for t in c["turns"]]) for c in scripts]


def payload(message: Message) -> Message:
    """A custom payload comes under "custom" over REST and as the message itself over socket.io."""
    return message.get("custom") or message


class Bot:
    """A bot under load: where it listens, what visitors say, how its turns end."""

    name = ""

    def __init__(self, url: str, conversations: List[Conversation]):
        self.url = url
        self.conversations = conversations

    def turn_over(self, message: Message) -> bool:
        raise NotImplementedError

    def outcome(self, message: Message) -> str:
        """The turn's last reply in the words of conversations.yml's `expect`."""
        raise NotImplementedError


class RouteAdvisor(Bot):
    name = "ours"

    def __init__(self, url: str):
        super().__init__(url, load_conversations("ours"))

    def turn_over(self, message: Message) -> bool:
        found = payload(message)
        return "asking" in found or "recommendation" in found

    def outcome(self, message: Message) -> str:
        found = payload(message)
        if "recommendation" in found:
            return f"recommendation {found['recommendation'].get('route')}"
        return f"asking {found.get('asking')}"


class Moodbot(Bot):
    name = "reference"

    def __init__(self, url: str, project: Path):
        super().__init__(url, load_conversations("reference"))
        domain = yaml.safe_load((project / "domain.yml").read_text())
        self.response_of = {v["text"]: name for name, variants in domain["responses"].items()
                            for v in variants if "text" in v}
        self.mid_turn = _followed_by_an_action(yaml.safe_load((project / "data" / "stories.yml").read_text()))

    def turn_over(self, message: Message) -> bool:
        response = self.response_of.get(message.get("text"))
        return response is not None and response not in self.mid_turn

    def outcome(self, message: Message) -> str:
        return self.response_of.get(message.get("text"), repr(message))


def _followed_by_an_action(stories: dict) -> set:
    """Actions that some story follows with another action before the visitor speaks again."""
    mid_turn = set()
    for story in stories["stories"]:
        steps = story["steps"]
        for step, following in zip(steps, steps[1:]):
            if "action" in step and "action" in following:
                mid_turn.add(step["action"])
    return mid_turn


class TurnFailed(Exception):
    """A message that counts as an error, of a kind as reported, with what was received."""

    def __init__(self, kind: str, received: Optional[List[Message]] = None):
        super().__init__(kind)
        self.kind, self.received = kind, received


@dataclass
class Tally:
    """What one load phase measured."""

    latencies: List[float] = field(default_factory=list)  # seconds, successful messages only
    errors: Counter = field(default_factory=Counter)
    conversations: int = 0
    elapsed: float = 0.0
    examples: List[str] = field(default_factory=list)  # the first few errors, with what came back

    def fail(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail}")

    @property
    def messages(self) -> int:
        return len(self.latencies)

    def add(self, other: "Tally") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.conversations += other.conversations
        self.elapsed += other.elapsed
        self.examples += other.examples[:5 - len(self.examples)]


class RestVisitor:
    """POST /webhooks/rest/webhook: the turn's replies are the response body."""

    def __init__(self, bot: Bot, http: aiohttp.ClientSession, timeout: float):
        self.bot, self.http, self.timeout = bot, http, timeout
        self.sender = f"bench-rest-{uuid.uuid4().hex[:12]}"

    async def __aenter__(self) -> "RestVisitor":
        return self

    async def __aexit__(self, *exc) -> None:
        return None

    async def say(self, text: str) -> List[Message]:
        try:
            async with self.http.post(f"{self.bot.url}/webhooks/rest/webhook",
                                      json={"sender": self.sender, "message": text},
                                      timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                if response.status != 200:
                    raise TurnFailed(f"HTTP {response.status}")
                replies = await response.json()
        except asyncio.TimeoutError:
            raise TurnFailed("timeout") from None
        except aiohttp.ClientError as error:
            raise TurnFailed(f"connection ({type(error).__name__})") from None
        if not replies:
            raise TurnFailed("empty reply")
        if not any(self.bot.turn_over(reply) for reply in replies):
            raise TurnFailed("unexpected reply", replies)
        return replies


class SocketVisitor:
    """The widget's way in: one socket.io connection per conversation, with a persistent session."""

    def __init__(self, bot: Bot, timeout: float):
        self.bot, self.timeout = bot, timeout
        self.session_id = f"bench-socket-{uuid.uuid4().hex[:12]}"
        self.client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.replies: asyncio.Queue = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.client.on("bot_uttered", self.replies.put_nowait)
        self.client.on("session_confirm", lambda *_: self.confirmed.set())

    async def __aenter__(self) -> "SocketVisitor":
        try:
            await self.client.connect(self.bot.url, transports=["websocket"], socketio_path="socket.io",
                                      wait_timeout=self.timeout)
            await self.client.emit("session_request", {"session_id": self.session_id})
            await asyncio.wait_for(self.confirmed.wait(), self.timeout)
        except (socketio.exceptions.ConnectionError, asyncio.TimeoutError) as error:
            await self.client.disconnect()
            raise TurnFailed(f"connection ({type(error).__name__})") from None
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.disconnect()

    async def say(self, text: str) -> List[Message]:
        if not self.replies.empty():
            # replies left over from the turn before
            raise TurnFailed("unexpected reply", [self.replies.get_nowait() for _ in range(self.replies.qsize())])
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        replies: List[Message] = []
        deadline = time.monotonic() + self.timeout
        while not (replies and self.bot.turn_over(replies[-1])):
            try:
                replies.append(await asyncio.wait_for(self.replies.get(), deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise TurnFailed("unexpected reply" if replies else "timeout", replies) from None
        return replies


async def converse(visitor, conversation: Conversation, tally: Tally, deadline: Optional[float]) -> None:
    """One conversation, turn by turn, until it ends, a turn fails, or the deadline passes."""
    tally.conversations += 1
    async with visitor:
        for number, turn in enumerate(conversation.turns, 1):
            if deadline is not None and time.monotonic() >= deadline:
                return
            where = f"{conversation.name!r}, turn {number} ({turn.say!r})"
            started = time.perf_counter()
            try:
                replies = await visitor.say(turn.say)
            except TurnFailed as failure:
                tally.fail(failure.kind, f"{where}: {_texts(failure.received)}")
                return
            # Over REST a recommendation is followed by the assessment offer: the turn's outcome
            # is its last reply that ends a turn.
            outcome = visitor.bot.outcome(next(r for r in reversed(replies) if visitor.bot.turn_over(r)))
            if outcome != turn.expect:
                tally.fail("unexpected reply", f"{where}: expected {turn.expect}, got {outcome}: {_texts(replies)}")
                return
            tally.latencies.append(time.perf_counter() - started)


def _texts(replies: Optional[List[Message]]) -> str:
    return " / ".join(str(payload(m).get("text", sorted(payload(m)))) for m in replies or []) or "nothing"


def _visitor(bot: Bot, channel: str, http: aiohttp.ClientSession, timeout: float):
    return RestVisitor(bot, http, timeout) if channel == "rest" else SocketVisitor(bot, timeout)


async def _load(bot: Bot, channel: str, visitors: int, seconds: float, timeout: float,
                conversations_each: Optional[int]) -> Tally:
    tally = Tally()
    deadline = None if conversations_each else time.monotonic() + seconds
    # aiohttp's default pool holds 100 connections: no queueing in the client at 100 visitors
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

        async def one_visitor(number: int) -> None:
            done = 0
            while (deadline is None and done < conversations_each) or (
                    deadline is not None and time.monotonic() < deadline):
                conversation = bot.conversations[(number + done) % len(bot.conversations)]
                try:
                    await converse(_visitor(bot, channel, http, timeout), conversation, tally, deadline)
                except TurnFailed as failure:  # could not even connect
                    tally.fail(failure.kind, f"{conversation.name!r}, connecting")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(one_visitor(n) for n in range(visitors)))
        tally.elapsed = time.perf_counter() - started
    return tally


def load(bot: Bot, channel: str, visitors: int, seconds: float, timeout: float = 60.0) -> Tally:
    """`visitors` at once, each starting conversation after conversation until `seconds` have
    passed; a message already sent then is waited for, so throughput is messages over the
    whole time taken."""
    return asyncio.run(_load(bot, channel, visitors, seconds, timeout, None))


def each_conversation_once(bot: Bot, channel: str, timeout: float = 60.0) -> Tally:
    """Every scripted conversation once, one visitor: warms the server up and checks the scripts."""
    return asyncio.run(_load(bot, channel, 1, 0, timeout, len(bot.conversations)))
