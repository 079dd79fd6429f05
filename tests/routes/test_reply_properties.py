"""Properties of every recommendation, over every combination of the facts a visitor can give.

Each is a promise to the visitor: nothing is said to be open that they didn't say was open;
the law, regulator and buyers are their nation's; the chat message fits a chat window; no
sentence is said twice; money is in pounds; a term is explained the first time it is used.
"""
import functools
import itertools
import re

import pytest

from routes.reply import glossed_payload, more_messages, recommendation_message, word_count
from routes.tree import load_tree
from routes.walker import advise

TREE = load_tree()
ASKED = TREE.asked_facts
MENTIONED = [{"funding": "nhs"}, {"work_type": "specialist"}, {"regulator": "cqc"}, {"regulator": "ciw"}]
COMBINATIONS = [dict(zip(ASKED, values)) for values in itertools.product(*(TREE.facts[f].answers for f in ASKED))]
COMBINATIONS += [dict(facts, **extra) for facts in COMBINATIONS[::5] for extra in MENTIONED]


def _content(given):
    return (given.leaf, given.title, tuple(given.why), tuple(given.next_steps), tuple(given.caveats),
            tuple(given.also), tuple(given.assumed))


@functools.lru_cache(maxsize=None)
def _worded(content):
    given = _GIVEN[content]
    return recommendation_message(TREE, given), more_messages(TREE, given), glossed_payload(TREE, given)["recommendation"]


_GIVEN = {}


def _reply(key):
    given = advise(TREE, dict(key), nation_of_place=lambda text: None)
    content = _content(given)
    _GIVEN.setdefault(content, given)
    return (given, *_worded(content))


@functools.lru_cache(maxsize=1)
def _all():
    return [(facts, *_reply(tuple(sorted(facts.items())))) for facts in COMBINATIONS]


def replies():
    return _all()


def everything(message, more, card):
    return "\n".join([message, *more, card["title"], *card["why"], *card["next_steps"], *card["caveats"]])


ASSERTS_LIST_OPEN = re.compile(r"open list|open DPS|It is open now|Join the DPS|Apply to the list|Apply on", re.I)
ASSERTS_FRAMEWORK_OPEN = re.compile(r"while it is open|framework is open|Bid for the framework|tender documents", re.I)
REGULATORS = {"england": "CQC", "wales": "CIW", "scotland": r"the Care Inspectorate(?! Wales)", "northern_ireland": "RQIA"}


def test_nothing_is_said_to_be_open_unless_the_visitor_said_so():
    wrong = []
    for facts, given, message, more, card in replies():
        text = everything(message, more, card)
        if facts["dps"] != "open" and ASSERTS_LIST_OPEN.search(text):
            wrong.append((given.leaf, "list", ASSERTS_LIST_OPEN.search(text).group(0)))
        if facts["framework"] != "opening" and ASSERTS_FRAMEWORK_OPEN.search(text):
            wrong.append((given.leaf, "framework", ASSERTS_FRAMEWORK_OPEN.search(text).group(0)))
        on = {"framework": ["framework"], "dps": ["dps"], "both": ["framework", "dps"]}.get(facts["on_list"], [])
        if "dps" in given.also and facts["dps"] != "open" and "dps" not in on:
            wrong.append((given.leaf, "also dps", facts))
        if "framework" in given.also and facts["framework"] != "opening" and "framework" not in on:
            wrong.append((given.leaf, "also framework", facts))
    assert not wrong, f"{len(wrong)}, e.g. {sorted(set(w[:3] for w in wrong))[:5]}"


def test_scotland_gets_no_procurement_act_steps_and_others_no_scottish_portal():
    wrong = []
    for facts, given, message, more, card in replies():
        for line in everything(message, more, card).splitlines():
            if facts["nation"] == "scotland":
                if re.search(r"Procurement Act|Central Digital Platform|dynamic market|Find a Tender", line) \
                        and "Scotland is outside" not in line:
                    wrong.append((given.leaf, line))
            elif "Scotland" in line:
                wrong.append((given.leaf, line))
    assert not wrong, wrong[:3]


def test_the_regulator_named_is_the_nations():
    wrong = []
    for facts, given, message, more, card in replies():
        text = everything(message, more, card)
        for nation, regulator in REGULATORS.items():
            said_here = facts.get("regulator") == {"england": "cqc", "wales": "ciw"}.get(nation)
            if nation != facts["nation"] and re.search(rf"\b{regulator}\b", text) and not said_here:
                wrong.append((given.leaf, facts["nation"], regulator))
    assert not wrong, sorted(set(wrong))[:5]


def test_northern_ireland_hears_about_trusts_not_councils():
    wrong = []
    for facts, given, message, more, card in replies():
        if facts["nation"] == "northern_ireland":
            if re.search(r"\bcouncils?\b", everything(message, more, card), re.I):
                wrong.append(given.leaf)
    assert not wrong, sorted(set(wrong))


def test_every_recommendation_message_fits_the_word_limit():
    lengths = [word_count(message) for _, _, message, _, _ in replies()]
    assert max(lengths) <= TREE.reply["words"] == 120


def test_no_sentence_is_repeated_within_a_reply():
    wrong = []
    for facts, given, message, more, card in replies():
        for reply in (message, "\n".join(more)):
            sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", reply) if len(s.strip()) > 12]
            repeated = {s for s in sentences if sentences.count(s) > 1}
            if repeated:
                wrong.append((given.leaf, sorted(repeated)[0]))
    assert not wrong, wrong[:3]


def test_money_is_in_pounds():
    for facts, given, message, more, card in replies():
        assert not re.search(r"GBP|\bpounds?\b", everything(message, more, card)), given.leaf


def test_each_term_is_explained_at_its_first_use_in_a_message():
    for facts, given, message, more, card in list(replies())[::50]:
        for reply in (message, *more):
            for term, meaning in TREE.glossary.items():
                flags = 0 if term.isupper() else re.I
                first = re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", reply, flags)
                if first:
                    assert reply[first.end():].startswith(f" ({meaning})") or reply[first.end():].lstrip().startswith("("), \
                        (given.leaf, term, reply)


@pytest.mark.parametrize("nation, portal", [
    ("england", "Find a Tender"), ("wales", "Sell2Wales"), ("scotland", "Public Contracts Scotland"),
    ("northern_ireland", "eTendersNI"),
])
def test_portals_follow_the_nation(nation, portal):
    facts = dict(service="home_care", nation=nation, registration="registered", stage="new", dps="unknown",
                 framework="unknown", capacity="limited")
    given, message, more, card = _reply(tuple(sorted(facts.items())))
    assert portal in everything(message, more, card)
