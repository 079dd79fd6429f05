"""A page object for the chat widget: what a visitor sees and does, through Playwright.

Locators use roles and accessible names (Playwright pierces the widget's open shadow root),
so the tests also check that every control is named.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

ROOT = "document.querySelector('#route-advisor-widget').shadowRoot"
STORAGE_KEY = "route-advisor:v1"
# A turn is a second or two; the bound is wide because CI runs two test workers beside Rasa on 2 cores.
TURN_TIMEOUT_MS = 60_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# A socket.io event over a WebSocket frame: engine.io "4" (message) + socket.io "2" (event), an ack id, the JSON.
SOCKETIO_EVENT = re.compile(r"^42\d*(\[.*\])$", re.DOTALL)


def socketio_event(frame: str | bytes) -> tuple[str, object] | None:
    """(event, data) of a socket.io event frame, None for any other frame (pings, acks, binary)."""
    match = SOCKETIO_EVENT.match(frame) if isinstance(frame, str) else None
    if not match:
        return None
    event = json.loads(match.group(1))
    return event[0], (event[1] if len(event) > 1 else None)


class Chat:
    def __init__(self, page: Page, url: str):
        self.page = page
        self.url = url
        self.page_errors: list[str] = []
        self.frames: list[tuple[str, str, object]] = []  # (sent|received, event, data) over WebSockets
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("websocket", self._watch_socket)

    def _watch_socket(self, socket) -> None:
        def note(direction):
            def record(frame):
                event = socketio_event(frame)
                if event:
                    self.frames.append((direction, *event))
            return record

        socket.on("framesent", note("sent"))
        socket.on("framereceived", note("received"))

    def sent_messages(self) -> list[str]:
        """What the widget sent to the assistant (user_uttered messages), in order."""
        return [data["message"] for direction, event, data in self.frames
                if direction == "sent" and event == "user_uttered"]

    def bot_payloads(self, key: str) -> list[dict]:
        """The custom payloads named `key` (e.g. "recommendation") the assistant sent."""
        return [data[key] for direction, event, data in self.frames
                if direction == "received" and event == "bot_uttered" and isinstance(data, dict) and key in data]

    # ------------------------------------------------------------------ locators
    @property
    def launcher(self) -> Locator:
        return self.page.get_by_role("button", name="Ask the route advisor")

    @property
    def panel(self) -> Locator:
        return self.page.get_by_role("dialog", name="Route advisor")

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log", name="Route advisor conversation")

    @property
    def input(self) -> Locator:
        return self.page.get_by_role("textbox", name="Message the Route advisor")

    @property
    def reply_buttons(self) -> Locator:
        return self.page.get_by_role("group", name="Suggested replies").get_by_role("button")

    @property
    def card(self) -> Locator:
        return self.log.get_by_role("article")

    @property
    def progress(self) -> Locator:
        return self.page.locator(".ra-progress-label")

    @property
    def banner(self) -> Locator:
        return self.page.get_by_role("status").filter(has_text="Reconnecting")

    @property
    def talk_to_person(self) -> Locator:
        return self.button("Talk to a person")

    @property
    def assessment_button(self) -> Locator:
        return self.card.get_by_role("button", name="Get a free assessment", exact=True)

    @property
    def consent(self) -> Locator:
        return self.log.get_by_role("region", name="Before we keep your details")

    def button(self, name: str) -> Locator:
        return self.panel.get_by_role("button", name=name, exact=True)

    # ------------------------------------------------------------------ actions
    def goto(self, path: str = "") -> Chat:
        self.page.goto(self.url.rstrip("/") + "/" + path.lstrip("/"))
        expect(self.launcher).to_be_visible()
        return self

    def open(self) -> Chat:
        self.launcher.click()
        expect(self.panel).to_be_visible()
        return self

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def question_id(self) -> str:
        """Id of the bot message whose quick replies are showing ('' when none)."""
        return self.page.evaluate(f"{ROOT}.querySelector('.ra-replies').dataset.for || ''")

    def wait_for_question_or_card(self, previous: str = "", timeout: int = TURN_TIMEOUT_MS) -> str:
        """Wait for quick replies other than `previous`, or the card; returns 'question' or 'card'."""
        self.page.wait_for_function(
            f"""(previous) => {{
                const root = {ROOT};
                const forId = root.querySelector('.ra-replies').dataset.for || '';
                return root.querySelector('.ra-card') || (forId && forId !== previous);
            }}""",
            arg=previous,
            timeout=timeout,
        )
        self.wait_until_idle()
        return "card" if self.card.count() else "question"

    def wait_until_idle(self, timeout: int = TURN_TIMEOUT_MS) -> None:
        """Nothing queued or being processed: the bot has finished its turn."""
        self.page.wait_for_function(
            f"""(key) => {{
                const s = JSON.parse(localStorage.getItem(key) || 'null');
                const root = {ROOT};
                return s && s.items.every((i) => i.from !== 'user' || i.status === 'sent')
                    && root.querySelector('.ra-typing').hidden;
            }}""",
            arg=STORAGE_KEY,
            timeout=timeout,
        )

    def reply_titles(self) -> list[str]:
        return [t.strip() for t in self.reply_buttons.all_inner_texts()]

    def answer(self, choose: Callable[[list[str]], str] = lambda titles: titles[0], by: str = "click") -> str:
        """Answer the showing question (click a quick reply, or type its title); returns the title."""
        previous = self.question_id()
        assert previous, "no question is showing"
        title = choose(self.reply_titles())
        if by == "click":
            self.reply_buttons.filter(has_text=title).first.click()
        elif by == "type":
            self.say(title)
        else:
            raise ValueError(by)
        self.wait_for_question_or_card(previous)
        return title

    def answer_until_card(self, choose: Callable[[list[str]], str] = lambda titles: titles[0],
                          by: str = "click", max_questions: int = 12,
                          each: Callable[[Chat], None] | None = None) -> list[str]:
        answers: list[str] = []
        while not self.card.count():
            assert len(answers) < max_questions, f"no recommendation after {answers}"
            if each:
                each(self)
            answers.append(self.answer(choose, by))
        return answers

    # ------------------------------------------------------------------ reading
    def messages(self) -> list[tuple]:
        """The visible transcript as (who, text) pairs; who is 'bot', 'user' or 'card'."""
        return [tuple(m) for m in self.page.evaluate(
            f"""() => Array.from({ROOT}.querySelectorAll('.ra-msg')).map((m) => [
                m.classList.contains('ra-msg--card') ? 'card' : m.dataset.from,
                (m.querySelector('.ra-text, .ra-card-route') || {{}}).textContent || ''])"""
        )]

    def user_texts(self) -> list[str]:
        return [text for who, text in self.messages() if who == "user"]

    def stored(self) -> dict | None:
        raw = self.page.evaluate("(key) => localStorage.getItem(key)", STORAGE_KEY)
        return json.loads(raw) if raw else None

    def wait_for_sent(self, message: str, timeout: int = TURN_TIMEOUT_MS) -> None:
        """Wait until the widget has sent `message` over the socket."""
        deadline = time.monotonic() + timeout / 1000
        while message not in self.sent_messages():
            assert time.monotonic() < deadline, f"never sent {message!r}: {self.sent_messages()}"
            self.page.wait_for_timeout(100)

    def tab_to(self, description: str, key: str = "Tab", limit: int = 40) -> None:
        """Press `key` until the focused element's description starts with `description`."""
        for _ in range(limit):
            if self.focused().startswith(description):
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"could not reach {description!r} with {key}; focus is on {self.focused()!r}")

    def focused(self) -> str:
        """A description of the focused element, looking inside the widget's shadow root."""
        return self.page.evaluate(
            """() => {
                let el = document.activeElement;
                while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
                if (!el) return '';
                const name = el.getAttribute('aria-label') || (el.innerText || '').trim() || el.id;
                return `${el.tagName.toLowerCase()}:${name}`;
            }"""
        )

    def screenshot(self, path) -> None:
        self.page.wait_for_timeout(300)  # let the scroll and progress transitions settle
        self.page.screenshot(path=str(path))

    def assert_no_page_errors(self) -> None:
        assert not self.page_errors, f"uncaught errors in the page: {self.page_errors}"


QUESTION_RE = re.compile(r"Question \d+( of \d+)?")
