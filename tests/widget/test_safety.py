"""Bot and visitor text is inserted as text, never HTML; only explicit links become links."""
from __future__ import annotations

from playwright.sync_api import expect

from demo.serve import running_demo
from tests.support.fake_bot import scripted_bot
from tests.widget.chat import ROOT

XSS_TYPED = '<img src=x onerror="window.__pwned = \'typed\'"><b>bold?</b>'
XSS_TEXT = '<img src=x onerror="window.__pwned = \'bot text\'">Hello <b>there</b><script>window.__pwned = 1</script>'
XSS_REPLY = '<img src=y onerror="window.__pwned = \'quick reply\'">Yes'


def markup_bot(text):
    """Replies to anything with markup in every place a bot message can carry text.

    The quick replies come last: they belong to the latest message only.
    """
    return [
        {"text": "Plain URLs stay text: https://evil.example/",
         "link": {"url": "javascript:window.__pwned='link'", "title": "not a link"}},
        {"text": "Read the guide", "link": {"url": "https://example.org/guide", "title": "The guide"}},
        {"recommendation": {
            "route": "framework", "also": ["<i>spot</i>"], "facts": {},
            "title": '<img src=z onerror="window.__pwned = \'card\'">Bid',
            "why": ['<a href="javascript:alert(1)">click me</a>'],
            "next_steps": ["<b>step one</b>"], "caveats": [],
            "cta": {"url": "javascript:window.__pwned='cta'", "title": "<u>Book</u>"}}},
        {"consent": {"text": '<img src=c onerror="window.__pwned = \'consent\'">We keep it',
                     "privacy_url": "javascript:window.__pwned='privacy'", "agree": "/a", "decline": "/d"}},
        {"text": XSS_TEXT,
         "quick_replies": [{"content_type": "text", "title": XSS_REPLY, "payload": "/affirm"}]},
    ]


def _markup_elements(page):
    """Elements in the widget's messages that only injected markup could have made."""
    return page.evaluate(
        f"""() => Array.from({ROOT}.querySelectorAll('.ra-log img, .ra-log script, .ra-log b, .ra-log i, .ra-log u, .ra-log iframe'))
                 .map((el) => el.outerHTML)""")


def test_markup_from_the_bot_and_the_visitor_is_shown_as_text(new_chat):
    with scripted_bot(markup_bot) as bot, running_demo(server_url=bot.url) as demo:
        chat = new_chat(demo.url)
        chat.goto().open()
        expect(chat.card).to_be_visible()  # the start payload got the scripted answer
        chat.say(XSS_TYPED)
        expect(chat.log.get_by_text(XSS_TYPED, exact=True)).to_be_visible()
        expect(chat.log.get_by_text(XSS_TEXT).first).to_be_visible()
        expect(chat.reply_buttons.filter(has_text=XSS_REPLY)).to_be_visible()
        chat.reply_buttons.first.click()
        chat.page.wait_for_timeout(500)

        assert _markup_elements(chat.page) == []
        assert chat.page.evaluate("() => window.__pwned") is None
        assert (XSS_TYPED in bot.received[1][1]) and bot.received[2][1] == "/affirm"

        # Links: only the one the bot sent explicitly with an http(s) URL, plus the configured call to action.
        hrefs = chat.page.evaluate(f"() => Array.from({ROOT}.querySelectorAll('a[href]')).map((a) => a.href)")
        assert set(hrefs) == {"https://example.org/guide", "https://example.org/free-assessment"}, hrefs
        expect(chat.log.get_by_text("Plain URLs stay text: https://evil.example/").first).to_be_visible()
        card = chat.card.first
        expect(card).to_contain_text('<img src=z onerror="window.__pwned = \'card\'">Bid')
        expect(card).to_contain_text('<a href="javascript:alert(1)">click me</a>')
        expect(chat.consent.first).to_contain_text('<img src=c onerror="window.__pwned = \'consent\'">We keep it')
        chat.assert_no_page_errors()


def test_markup_typed_to_the_real_assistant_is_shown_as_text(chat):
    chat.goto().open()
    chat.wait_for_question_or_card()
    chat.say(XSS_TYPED)
    chat.wait_until_idle()
    expect(chat.log.get_by_text(XSS_TYPED, exact=True)).to_be_visible()
    assert _markup_elements(chat.page) == []
    assert chat.page.evaluate("() => window.__pwned") is None
