"""The report's numbers from Rasa's stored events: events in, numbers out; no database, no HTML.

The input is each sender's events in the order Rasa stored them, as Rasa's event dicts (the
`data` column of its SQL tracker store). A conversation is one Rasa session: a sender's events
split at `session_started`; a session in which the visitor sent nothing is not a conversation.
Slots Rasa carries over into a new session (they follow `session_started` directly) belong to
the previous conversation, so a route recommended yesterday is not counted again today.

- A recommendation: `action_recommend` ran, or the `route` slot was set.
- A question: the form set `requested_slot` to a fact, or `action_ask_<fact>` ran.
- A message fell to the fallback: its intent was `nlu_fallback` or `action_fallback` answered it.
- A message was not understood as an answer: the bot's only reply was the same question again
  (no other action ran, e.g. "why?" or a question about the routes, which also re-ask it).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from statistics import median

RECOMMEND_ACTION = "action_recommend"
ROUTE_SLOT = "route"
REQUESTED_SLOT = "requested_slot"
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_fallback"
ASK_PREFIX = "action_ask_"
LISTEN = "action_listen"
SESSION_STARTED = "session_started"

Event = Mapping[str, object]


@dataclass(frozen=True)
class Conversation:
    sender_id: str
    events: tuple[Event, ...]

    @property
    def started(self) -> datetime:
        return datetime.fromtimestamp(float(self.events[0].get("timestamp") or 0), tz=timezone.utc)


@dataclass
class Turn:
    """One visitor message and what the bot did before the next one."""

    text: str
    intent: str | None
    question_before: str | None  # the last question asked before the message
    question_after: str | None = None  # the question the reply asked, if any
    actions: list[str] = field(default_factory=list)  # actions run in reply (questions apart)

    @property
    def fell_back(self) -> bool:
        return self.intent == FALLBACK_INTENT or FALLBACK_ACTION in self.actions


@dataclass
class Outcome:
    """What happened in one conversation."""

    turns: list[Turn] = field(default_factory=list)
    last_question: str | None = None
    route: str | None = None  # the last route recommended
    turns_to_recommendation: int | None = None  # visitor messages up to the first one
    loops: set[str] = field(default_factory=set)  # the forms that ran (their action names)

    @property
    def recommended(self) -> bool:
        return self.turns_to_recommendation is not None

    def reasked(self, turn: Turn) -> bool:
        """The reply to `turn` was only the question asked before it, asked again."""
        others = set(turn.actions) - self.loops - {LISTEN}
        return (turn.question_before is not None and turn.question_after == turn.question_before
                and not others and not turn.fell_back)


@dataclass(frozen=True)
class Insight:
    conversations: int
    per_day: dict[date, int]
    recommended: int
    drop_off: dict[str, int]  # question -> conversations without a recommendation that ended there
    left_before_any_question: int  # conversations without a recommendation or any question
    routes: dict[str, int]  # route -> conversations whose last recommendation it was, most first
    median_turns: float | None  # visitor messages up to the first recommendation
    fallback_messages: list[tuple[str, int]]  # text, count; most frequent first
    reasked_messages: list[tuple[str, str, int]]  # text, the question asked again, count

    @property
    def share_recommended(self) -> float | None:
        return self.recommended / self.conversations if self.conversations else None


def conversations(events_by_sender: Iterable[tuple[str, Sequence[Event]]]) -> list[Conversation]:
    """Each sender's events split into sessions, without carried-over slots and empty sessions."""
    found: list[Conversation] = []
    for sender_id, events in events_by_sender:
        chunk: list[Event] = []
        carrying_over = False
        for event in events:
            kind = event.get("event")
            if kind == SESSION_STARTED:
                found.append(Conversation(sender_id, tuple(chunk)))
                chunk, carrying_over = [event], True
                continue
            if carrying_over and kind == "slot":
                continue
            carrying_over = False
            chunk.append(event)
        found.append(Conversation(sender_id, tuple(chunk)))
    return [c for c in found if any(event.get("event") == "user" for event in c.events)]


def within(found: Iterable[Conversation], first_day: date | None, last_day: date | None) -> list[Conversation]:
    """The conversations that started (UTC) on a day from `first_day` to `last_day`, inclusive."""
    return [c for c in found
            if (first_day is None or c.started.date() >= first_day)
            and (last_day is None or c.started.date() <= last_day)]


def outcome(conversation: Conversation) -> Outcome:
    result = Outcome()
    current: Turn | None = None

    def asked(fact: str) -> None:
        result.last_question = fact
        if current is not None:
            current.question_after = fact

    def recommended() -> None:
        if result.turns_to_recommendation is None:
            result.turns_to_recommendation = len(result.turns)

    for event in conversation.events:
        kind, name = event.get("event"), event.get("name")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            current = Turn(str(event.get("text") or ""), intent.get("name"), result.last_question)
            result.turns.append(current)
        elif kind == "action" and isinstance(name, str):
            if name.startswith(ASK_PREFIX):
                asked(name[len(ASK_PREFIX):])
                continue
            if current is not None:
                current.actions.append(name)
            if name == RECOMMEND_ACTION:
                recommended()
        elif kind == "active_loop" and name:
            result.loops.add(str(name))
        elif kind == "slot" and name == REQUESTED_SLOT and event.get("value"):
            asked(str(event["value"]))
        elif kind == "slot" and name == ROUTE_SLOT and event.get("value"):
            result.route = str(event["value"])
            recommended()
    return result


def _message(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def summarise(found: Sequence[Conversation], questions: Sequence[str],
              first_day: date | None = None, last_day: date | None = None) -> Insight:
    """The report's numbers for these conversations.

    `questions` are the tree's questions in order (a question it no longer asks is listed after
    them); days from `first_day` to `last_day` (default: the first and last conversation's) with
    no conversation count 0.
    """
    outcomes = [outcome(c) for c in found]
    days = Counter(c.started.date() for c in found)
    first_day = first_day or min(days, default=None)
    last_day = last_day or max(days, default=None)
    per_day: dict[date, int] = {}
    if first_day and last_day:
        for offset in range((last_day - first_day).days + 1):
            day = first_day + timedelta(days=offset)
            per_day[day] = days.get(day, 0)

    stopped = [o for o in outcomes if not o.recommended]
    ended_at = Counter(o.last_question for o in stopped if o.last_question)
    drop_off = {q: ended_at.get(q, 0) for q in questions}
    drop_off.update({q: n for q, n in ended_at.items() if q not in drop_off})

    routes = Counter(o.route for o in outcomes if o.recommended and o.route)
    turns = [o.turns_to_recommendation for o in outcomes if o.turns_to_recommendation is not None]
    fallbacks = Counter(_message(t.text) for o in outcomes for t in o.turns if t.fell_back)
    reasked = Counter((_message(t.text), t.question_before) for o in outcomes for t in o.turns if o.reasked(t))
    return Insight(
        conversations=len(found),
        per_day=per_day,
        recommended=len(outcomes) - len(stopped),
        drop_off=drop_off,
        left_before_any_question=sum(1 for o in stopped if not o.last_question),
        routes=dict(_most_first(routes)),
        median_turns=float(median(turns)) if turns else None,
        fallback_messages=_most_first(fallbacks),
        reasked_messages=[(text, question, n) for (text, question), n in _most_first(reasked)],
    )


def _most_first(counts: Mapping) -> list:
    """(key, count) pairs, most frequent first, then by key, so the order is stable."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
