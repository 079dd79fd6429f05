"""The visitor-facing limits (serving/guard.py) on their own: no server, a clock the test turns."""
import json
import re
from pathlib import Path

import pytest

from serving.guard import (
    BadMessage,
    Guard,
    Limits,
    Rate,
    SettingError,
    TokenBuckets,
    allowed_origins,
    origin_allowed,
    rest_message,
    retry_after,
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def body(**fields):
    return json.dumps(fields).encode()


# -- settings -----------------------------------------------------------------------------
def test_defaults_let_a_fast_typist_through_and_cap_bodies_below_sanics_100_mb():
    limits = Limits.from_environment({})
    assert limits == Limits()
    assert limits.max_message_chars == 1000 and limits.max_body_bytes == 64 * 1024
    assert limits.visitor.per_minute >= 20 and limits.visitor.burst >= 5
    assert limits.ip.per_minute > limits.visitor.per_minute and limits.ip.burst > limits.visitor.burst


def test_the_environment_overrides_each_limit():
    limits = Limits.from_environment({
        "MAX_MESSAGE_CHARS": "50", "MAX_BODY_BYTES": "2048",
        "RATE_LIMIT_VISITOR": "6", "RATE_LIMIT_VISITOR_BURST": "2",
        "RATE_LIMIT_IP": "0", "RATE_LIMIT_IP_BURST": "3",
    })
    assert limits.max_message_chars == 50 and limits.max_body_bytes == 2048
    assert limits.visitor == Rate(per_minute=6, burst=2)
    assert not limits.ip.enabled


@pytest.mark.parametrize("name, value", [
    ("MAX_MESSAGE_CHARS", "many"), ("MAX_MESSAGE_CHARS", "0"), ("MAX_BODY_BYTES", "10"),
    ("RATE_LIMIT_VISITOR", "-1"), ("RATE_LIMIT_IP", "nan"), ("RATE_LIMIT_IP_BURST", "0"),
])
def test_a_setting_that_is_not_a_usable_number_stops_the_start_naming_the_variable(name, value):
    with pytest.raises(SettingError, match=name):
        Limits.from_environment({name: value})


# -- token buckets --------------------------------------------------------------------------
def test_a_bucket_allows_the_burst_then_one_message_per_refill_interval():
    clock = Clock()
    buckets = TokenBuckets(Rate(per_minute=6, burst=2), clock)  # one token every 10 s
    for _ in range(2):
        assert buckets.wait("v") == 0
        buckets.take("v")
    assert buckets.wait("v") == pytest.approx(10.0)
    clock.now += 4
    assert buckets.wait("v") == pytest.approx(6.0)
    clock.now += 6
    assert buckets.wait("v") == 0
    buckets.take("v")
    assert buckets.wait("v") == pytest.approx(10.0)


def test_a_bucket_refills_no_further_than_the_burst():
    clock = Clock()
    buckets = TokenBuckets(Rate(per_minute=60, burst=3), clock)
    buckets.take("v")
    clock.now += 3600
    for _ in range(3):
        assert buckets.wait("v") == 0
        buckets.take("v")
    assert buckets.wait("v") > 0


def test_a_rate_of_zero_never_limits_and_keeps_nothing():
    buckets = TokenBuckets(Rate(per_minute=0, burst=1), Clock())
    for _ in range(1000):
        assert buckets.wait("v") == 0
        buckets.take("v")
    assert len(buckets) == 0


def test_idle_buckets_are_forgotten_and_a_flood_of_keys_is_bounded():
    clock = Clock()
    buckets = TokenBuckets(Rate(per_minute=60, burst=5), clock, max_keys=100)
    for n in range(50):
        buckets.take(f"idle-{n}")
    clock.now += 5  # long enough for a bucket to be full again
    buckets.take("fresh")
    assert len(buckets) == 1
    for n in range(1000):
        buckets.take(f"flood-{n}")
    assert len(buckets) <= 101


# -- the guard ------------------------------------------------------------------------------
def test_the_visitor_limit_slows_one_visitor_and_not_another():
    clock = Clock()
    guard = Guard(Limits(visitor=Rate(6, 2), ip=Rate(0, 1)), clock)
    assert guard.admit("a", "10.0.0.1") == 0
    assert guard.admit("a", "10.0.0.1") == 0
    assert guard.admit("a", "10.0.0.1") == pytest.approx(10.0)
    assert guard.admit("b", "10.0.0.1") == 0


def test_the_ip_limit_covers_every_visitor_from_that_address():
    guard = Guard(Limits(visitor=Rate(0, 1), ip=Rate(60, 3)), Clock())
    assert [guard.admit(f"v{n}", "10.0.0.1") for n in range(3)] == [0, 0, 0]
    assert guard.admit("v9", "10.0.0.1") == pytest.approx(1.0)
    assert guard.admit("v9", "10.0.0.2") == 0


def test_a_refused_message_is_not_counted():
    clock = Clock()
    guard = Guard(Limits(visitor=Rate(6, 1), ip=Rate(0, 1)), clock)
    assert guard.admit("a", None) == 0
    for _ in range(20):  # hammering while told to wait does not extend the wait
        assert guard.admit("a", None) > 0
    clock.now += 10
    assert guard.admit("a", None) == 0


def test_a_message_refused_by_the_ip_limit_does_not_spend_the_visitors_budget():
    guard = Guard(Limits(visitor=Rate(6, 1), ip=Rate(6, 1)), Clock())
    assert guard.admit("a", "10.0.0.1") == 0
    assert guard.admit("b", "10.0.0.1") > 0
    assert guard.admit("b", "10.0.0.2") == 0


def test_too_long_counts_characters_not_bytes():
    guard = Guard(Limits(max_message_chars=5))
    assert not guard.too_long("ééééé")
    assert guard.too_long("éééééé")


@pytest.mark.parametrize("wait, header", [(0.01, 1), (1.0, 1), (1.2, 2), (9.99, 10)])
def test_retry_after_is_whole_seconds_rounded_up(wait, header):
    assert retry_after(wait) == header


# -- the shape of a REST message ---------------------------------------------------------------
def test_a_rest_message_with_its_optional_fields():
    message = rest_message(body(sender="v-1", message="hi there\nsecond line", metadata={"page": "/"},
                                input_channel="rest"), Limits())
    assert (message.sender, message.text, message.metadata, message.input_channel) == (
        "v-1", "hi there\nsecond line", {"page": "/"}, "rest")


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    (b"{", "not valid JSON"),
    (b"\xff\xfe{", "not valid JSON"),
    (b"[" * 30_000 + b"]" * 30_000, "not valid JSON"),  # deeper than the parser recurses
    (b'["sender", "message"]', "JSON object"),
    (b'"hello"', "JSON object"),
    (body(message="hi"), "'sender' is missing"),
    (body(sender="v"), "'message' is missing"),
    (body(sender=7, message="hi"), "'sender' must be a string"),
    (body(sender="v", message=["hi"]), "'message' must be a string"),
    (body(sender="v", message={"text": "hi"}), "'message' must be a string"),
    (body(sender="   ", message="hi"), "'sender' is empty"),
    (body(sender="v" * 129, message="hi"), "longer than 128"),
    (body(sender="v\x00", message="hi"), "printable"),
    (body(sender="v\u200b", message="hi"), "printable"),
    (body(sender="v", message="hi\x00there"), r"U\+0000"),
    (body(sender="v", message="bell\x07"), r"U\+0007"),
    (b'{"sender": "v", "message": "half \\ud800 a pair"}', r"U\+D800"),
    (body(sender="v", message="hi", metadata="page"), "'metadata' must be a JSON object"),
    (body(sender="v", message="hi", input_channel=3), "'input_channel' must be a string"),
], ids=lambda value: value[:40] if isinstance(value, bytes) else None)
def test_what_is_not_a_message_is_refused_with_the_reason(raw, reason):
    with pytest.raises(BadMessage, match=reason):
        rest_message(raw, Limits())


@pytest.mark.parametrize("text", ["", " \n\t "])
def test_an_empty_text_is_a_message_the_dialogue_answers(text):
    assert rest_message(body(sender="v", message=text), Limits()).text == text


def test_a_body_over_the_limit_is_refused_before_it_is_parsed():
    with pytest.raises(BadMessage, match="larger than 2048 bytes"):
        rest_message(b"{" * 2049, Limits(max_body_bytes=2048))


# -- origins ----------------------------------------------------------------------------------
def test_allowed_origins_are_the_space_separated_list_and_a_star_or_nothing_allows_any():
    site = {"ALLOWED_ORIGINS": "https://advice.example.org  http://localhost:8000"}
    assert allowed_origins(site) == ("https://advice.example.org", "http://localhost:8000")
    assert allowed_origins({}) == () and allowed_origins({"ALLOWED_ORIGINS": "* https://a.example"}) == ()


def test_only_a_browser_on_an_allowed_origin_may_connect():
    allowed = ("https://advice.example.org",)
    assert origin_allowed("https://advice.example.org", allowed)
    assert origin_allowed("HTTPS://Advice.Example.org/", allowed)
    assert not origin_allowed("https://advice.example.org.evil.example", allowed)
    assert not origin_allowed("null", allowed)
    assert origin_allowed(None, allowed), "no Origin header: not a browser, CORS does not apply"
    assert origin_allowed("https://anything.example", ())


def test_the_widgets_input_takes_no_more_than_the_channel_reads():
    """widget/src/widget.js caps what a visitor can type; it must not offer more than the default."""
    source = (Path(__file__).parents[2] / "widget" / "src" / "widget.js").read_text(encoding="utf-8")
    [maxlength] = re.findall(r"maxlength: '(\d+)'", source)
    assert int(maxlength) == Limits().max_message_chars
