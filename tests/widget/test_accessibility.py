"""WCAG 2.2 AA: axe-core audit, the log region, names, target sizes, keyboard-only use, focus."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.widget.a11y import axe_violations, small_targets


def test_axe_finds_no_serious_or_critical_violations(chat, axe_source, artifacts_dir):
    chat.goto()
    assert axe_violations(chat.page, axe_source, artifacts_dir / "axe-closed.json") == []
    chat.open()
    chat.wait_for_question_or_card()
    assert axe_violations(chat.page, axe_source, artifacts_dir / "axe-question.json") == []
    chat.answer_until_card()
    assert axe_violations(chat.page, axe_source, artifacts_dir / "axe-card.json") == []


def test_the_transcript_is_a_labelled_polite_log_and_targets_are_big_enough(chat):
    chat.goto().open()
    chat.wait_for_question_or_card()
    log = chat.log  # found by role="log" and its label
    expect(log).to_have_attribute("aria-live", "polite")
    expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    for name in ("Start over", "Download transcript", "Close chat", "Send message"):
        expect(chat.button(name)).to_be_visible()
    expect(chat.input).to_be_visible()
    expect(chat.page.get_by_role("progressbar")).to_have_attribute("aria-valuetext", re.compile(r"Question \d+"))
    assert small_targets(chat.page) == []
    chat.answer_until_card()
    assert small_targets(chat.page) == []


def test_a_whole_conversation_by_keyboard_only(chat):
    chat.goto()
    chat.tab_to("button:Ask the route advisor")
    chat.page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    assert chat.focused().startswith("input"), chat.focused()
    chat.wait_for_question_or_card()

    answers = []
    while not chat.card.count():
        assert len(answers) < 12
        previous = chat.question_id()
        # From the text box, Shift+Tab reaches the quick replies (the last one first).
        chat.page.keyboard.press("Shift+Tab")
        focused = chat.focused()
        assert focused.startswith("button:"), focused
        answers.append(focused.split(":", 1)[1])
        chat.page.keyboard.press("Enter")
        assert chat.focused().startswith("input"), f"focus not returned to the input: {chat.focused()}"
        chat.wait_for_question_or_card(previous)
        # ...and the bot speaking never moves focus.
        assert chat.focused().startswith("input"), f"focus stolen when the bot spoke: {chat.focused()}"

    assert chat.user_texts() == answers
    # The card's offers are reachable from the keyboard: the site's booking page, then the free
    # assessment in the chat, which shows its label as the visitor's message and sends the command.
    chat.page.keyboard.press("Shift+Tab")
    assert re.match(r"a:.*Book your free bid assessment", chat.focused()), chat.focused()
    chat.page.keyboard.press("Shift+Tab")
    assert chat.focused() == "button:Get a free assessment", chat.focused()
    chat.page.keyboard.press("Enter")
    assert chat.focused().startswith("input"), chat.focused()
    chat.wait_for_sent("/request_assessment")
    assert chat.user_texts()[-1] == "Get a free assessment"
    expect(chat.log.get_by_text("/request_assessment")).to_have_count(0)
    chat.wait_until_idle()

    # Typing and sending with Enter; moving on to another control while the bot answers keeps focus there.
    chat.input.focus()
    chat.page.keyboard.type("thanks")
    chat.page.keyboard.press("Enter")
    chat.page.keyboard.press("Tab")
    assert chat.focused() == "button:Send message"
    chat.wait_until_idle()
    chat.page.wait_for_timeout(500)
    assert chat.focused() == "button:Send message"
    assert chat.user_texts()[-1] == "thanks"

    # Escape closes the chat and returns focus to the launcher.
    chat.page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    assert chat.focused() == "button:Ask the route advisor"
