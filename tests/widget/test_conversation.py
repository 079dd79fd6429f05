"""Whole conversations in a real browser against the real assistant (Rasa socket.io channel)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from leads.consultancy import load_consultancy
from tests.widget.chat import QUESTION_RE

# The start of the README's example, as a visitor would type it.
FREE_TEXT_OPENING = "We're a new home care agency, CQC registered last month, and Kent's DPS is open"


def test_a_whole_conversation_by_buttons_ends_in_a_recommendation_card(chat, artifacts_dir):
    chat.goto().open()
    # The site's greeting, with the consultancy's name from consultancy.yml, shows at once; the
    # assistant's first question follows with buttons.
    expect(chat.log).to_contain_text(f"Welcome to {load_consultancy().name}.")
    assert chat.wait_for_question_or_card() == "question"
    expect(chat.progress).to_have_text(QUESTION_RE)
    first_progress = chat.progress.inner_text()

    seen_progress = set()

    def note_progress(c):
        seen_progress.add(c.progress.inner_text())
        assert c.focused().startswith("input"), c.focused()  # focus stays in / returns to the text box

    answers = chat.answer_until_card(each=note_progress)
    assert len(answers) >= 2
    assert len(seen_progress) >= 2, f"progress never moved from {first_progress}"
    # focus returns to the text box after a quick reply
    assert chat.focused().startswith("input"), chat.focused()

    # The recommendation card: route (named as the assistant names it), why, next steps and the
    # free assessment offer; the last question's buttons are gone.
    card = chat.card
    expect(card).to_be_visible()
    expect(chat.reply_buttons).to_have_count(0)
    rec = chat.bot_payloads("recommendation")[-1]
    expect(card.get_by_role("heading", level=3)).to_have_text(rec["route_name"])
    expect(card.locator(".ra-card-title")).to_have_text(rec["title"])
    if rec["also_names"]:
        expect(card.locator(".ra-card-also")).to_have_text("Alongside it: " + ", ".join(rec["also_names"]))
    expect(chat.assessment_button).to_be_visible()
    expect(card.get_by_role("heading", name="Why")).to_be_visible()
    expect(card.get_by_role("heading", name="Next steps")).to_be_visible()
    assert card.get_by_role("listitem").count() >= 2
    cta = card.get_by_role("link", name=re.compile("Book your free bid assessment"))
    expect(cta).to_have_attribute("href", "https://example.org/free-assessment")
    expect(cta).to_have_attribute("target", "_blank")
    expect(chat.progress).to_have_text("Your recommendation is ready")

    # Every answer the visitor clicked is in the transcript, as their message.
    assert chat.user_texts() == answers
    caveats = card.locator("details")
    if caveats.count():  # "Worth knowing" is folded away; it opens on demand
        expect(caveats.get_by_role("listitem").first).to_be_hidden()
        caveats.locator("summary").click()
        expect(caveats.get_by_role("listitem").first).to_be_visible()
        caveats.locator("summary").click()
    chat.page.mouse.move(10, 10)
    card.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    chat.screenshot(artifacts_dir / "widget-desktop.png")

    # Transcript download: a plain-text file with both sides and the recommendation.
    with chat.page.expect_download() as download_info:
        chat.button("Download transcript").click()
    download = download_info.value
    assert re.fullmatch(r"route-advisor-transcript-\d{4}-\d{2}-\d{2}\.txt", download.suggested_filename)
    path = artifacts_dir / download.suggested_filename
    download.save_as(path)
    text = path.read_text()
    for answer in answers:
        assert f"You: {answer}" in text
    assert "Route advisor: Recommended route:" in text
    assert "https://example.org/free-assessment" in text


def test_a_free_text_conversation(chat):
    chat.goto().open()
    assert chat.wait_for_question_or_card() == "question"
    before = chat.progress.inner_text()
    chat.say(FREE_TEXT_OPENING)
    chat.wait_for_question_or_card(previous=chat.question_id())
    # Several facts came in one message, so the questions skip ahead.
    assert chat.user_texts() == [FREE_TEXT_OPENING]
    if not chat.card.count():
        assert chat.progress.inner_text() != before
    # Answer the rest by typing (the text of an option, as a visitor reading them would).
    typed = chat.answer_until_card(by="type")
    expect(chat.card).to_be_visible()
    assert chat.user_texts() == [FREE_TEXT_OPENING] + typed


def test_reload_and_a_second_page_continue_the_same_conversation(chat):
    chat.goto().open()
    chat.wait_for_question_or_card()
    asked = [chat.messages()[-1][1]]
    chat.answer()
    asked.append(chat.messages()[-1][1])
    chat.answer()
    before = chat.messages()
    progress = chat.progress.inner_text()
    session = chat.stored()["sessionId"]

    chat.page.reload()
    expect(chat.panel).to_be_visible()  # it was open, so it reopens
    assert chat.messages() == before
    expect(chat.progress).to_have_text(progress)
    assert chat.stored()["sessionId"] == session
    expect(chat.reply_buttons.first).to_be_visible()

    # The server kept the conversation too: the next answer moves on, not back to the start.
    result = chat.answer()
    assert chat.user_texts()[-1] == result
    assert chat.card.count() or chat.messages()[-1][1] not in asked

    # Another page of the site, in a new tab: same history, no second greeting.
    history = chat.messages()
    other = chat.page.context.new_page()
    other.goto(chat.url + "services.html")
    from tests.widget.chat import Chat
    second = Chat(other, chat.url)
    second.open()
    expect(second.log).to_contain_text(history[-1][1])
    assert second.messages() == history
    assert second.stored()["sessionId"] == session


def test_start_over_clears_the_conversation_and_asks_the_first_question_again(chat):
    chat.goto().open()
    chat.wait_for_question_or_card()
    first_question = chat.messages()[-1][1]
    first_progress = chat.progress.inner_text()
    chat.answer()
    chat.answer()
    old_ids = {item["id"] for item in chat.stored()["items"]}

    chat.button("Start over").click()
    assert chat.focused().startswith("input"), chat.focused()
    chat.wait_for_question_or_card()
    assert chat.user_texts() == []
    stored = chat.stored()
    assert not old_ids & {item["id"] for item in stored["items"]}
    assert not any(item["from"] == "user" and not item.get("hidden") for item in stored["items"])
    assert chat.messages()[-1][1] == first_question
    expect(chat.progress).to_have_text(first_progress)
