"""serving/patches.py: Rasa is patched however it is started, and the patches keep Rasa's meaning."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from serving import patches
from tests.support.servers import REPO_ROOT

SCHEMA = RemoteAction.action_response_format_spec()

RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "stage", "value": "new", "timestamp": None}], "responses": []},
    {"events": [{"event": "active_loop", "name": None}], "responses": [{"text": "hi"}]},
    {"events": [{"event": "followup", "name": "action_listen"}]},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"name": "stage", "value": "new"}], "responses": []},
    {"events": "slot", "responses": []},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"event": "slot", "name": 3, "value": "new"}]},
    {"events": [{"event": 7, "name": "stage"}]},
    {"events": [{"event": "slot", "name": "stage", "value": None, "timestamp": "noon"}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": 3}}}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "stage"}]}}]},
    {"events": [{"event": "entities", "entities": [{"entity": "stage", "value": "new", "start": 0}]}]},
    {"events": [{"event": "entities"}]},
    {"events": [{"event": "bot", "text": "hi"}, {"event": "slot", "name": "stage"}]},
    {"events": [], "responses": [{"text": "hi"}], "extra": 1},
    ["not", "an", "object"],
]

# Every kind of event the schema knows, an unknown kind and a kind that is not a string, with
# fields of the right and wrong types, to compare the patched verdicts with jsonschema's own.
EVENT_KINDS = [
    alternative["properties"]["event"]["const"]
    for alternative in SCHEMA["properties"]["events"]["items"]["oneOf"]
]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=4))
_json = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)
_fields = st.sampled_from(
    ["name", "value", "text", "timestamp", "metadata", "entities", "parse_data", "policy", "confidence",
     "hide_rule_turn", "data", "intent", "date_time", "kill_on_user_msg", "action_text", "input_channel"]
)
_events = st.fixed_dictionaries(
    {"event": st.one_of(st.sampled_from(EVENT_KINDS), st.just("no_such_event"), _scalars)},
    optional={"name": st.one_of(st.text(max_size=8), _scalars)},
).flatmap(lambda event: st.dictionaries(_fields, _json, max_size=4).map(lambda extra: {**extra, **event}))
_responses = st.fixed_dictionaries(
    {}, optional={"events": st.one_of(st.lists(_events, max_size=4), _json), "responses": st.lists(_json, max_size=2)}
)


@settings(max_examples=300, deadline=None)
@given(_responses)
def test_generated_responses_get_jsonschemas_verdict(response):
    action = RemoteAction("action_recommend", None)
    assert _verdict(action._validate_action_result, response) == _verdict(
        lambda r: jsonschema.validate(r, SCHEMA), response
    )


def _verdict(check, response) -> bool:
    try:
        check(response)
        return True
    except jsonschema.ValidationError:
        return False


def test_the_response_schema_is_not_rechecked_on_every_call(monkeypatch):
    """jsonschema.validate checks the schema against the metaschema each call; the patch must not."""
    checked = []
    validator_class = validator_for(SCHEMA)
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, schema, *a, **k: checked.append(1)))
    action = RemoteAction("action_recommend", None)
    for response in RESPONSES[:4]:
        assert action._validate_action_result(response) is True
    assert checked == []


@pytest.mark.parametrize("response", RESPONSES)
def test_responses_pass_and_fail_as_with_jsonschema_validate(response):
    action = RemoteAction("action_recommend", None)
    assert _verdict(action._validate_action_result, response) == _verdict(
        lambda r: jsonschema.validate(r, SCHEMA), response
    )


def test_some_responses_are_rejected():
    """The comparison above is only meaningful if the corpus has both verdicts."""
    verdicts = {_verdict(lambda r: jsonschema.validate(r, SCHEMA), r) for r in RESPONSES}
    assert verdicts == {True, False}


def test_a_rejected_response_raises_jsonschemas_own_error():
    response = {"events": [{"event": "slot", "name": 3, "value": "new"}]}
    with pytest.raises(jsonschema.ValidationError) as patched:
        RemoteAction("action_recommend", None)._validate_action_result(response)
    with pytest.raises(jsonschema.ValidationError) as original:
        jsonschema.validate(response, SCHEMA)
    assert patched.value.message.startswith(original.value.message)


def test_action_endpoint_url_comes_from_the_environment(monkeypatch):
    configured = EndpointConfig(url="http://127.0.0.1:5055/webhook", enable_selective_domain=True)
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://10.0.0.7:5055/webhook")
    action = RemoteAction("action_recommend", configured)
    assert action.action_endpoint.url == "http://10.0.0.7:5055/webhook"
    assert action.action_endpoint.kwargs == {"enable_selective_domain": True}
    monkeypatch.delenv("ACTION_ENDPOINT_URL")
    assert RemoteAction("action_recommend", configured).action_endpoint.url == configured.url


PATCHED = "from rasa.core.actions.action import RemoteAction; print(RemoteAction._validate_action_result.__module__)"


@pytest.mark.parametrize(
    "how, code",
    [
        ("channels from credentials.yml", """
            from rasa.core.run import create_http_input_channels
            create_http_input_channels(None, "credentials.yml")
        """),
        ("stores from endpoints.yml", """
            from rasa.core.utils import AvailableEndpoints
            from rasa.core.lock_store import LockStore
            endpoints = AvailableEndpoints.read_endpoints("endpoints.yml")
            LockStore.create(endpoints.lock_store)
        """),
    ],
)
def test_rasa_loads_the_patches_by_itself(how, code):
    """A fresh interpreter that only does what `rasa run` / `rasa shell` do ends up patched."""
    script = textwrap.dedent(code) + "\n" + PATCHED
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == patches.__name__, how


def test_patches_apply_once():
    before = RemoteAction.run
    patches.apply()
    assert RemoteAction.run is before


def test_event_classes_are_the_ones_rasa_would_find():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(Event):
        if cls.type_name != "event":
            assert Event.resolve_by_type(cls.type_name) is patches._original_resolve_by_type(cls.type_name)
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=Event) is Event


@pytest.fixture(scope="module")
def processor():
    from rasa.core.agent import Agent

    from tests.support.servers import find_model

    return Agent.load(str(find_model())).processor


@pytest.mark.parametrize(
    "text",
    [
        '/inform{"stage": "new"}',
        '/inform{"registration": "registered", "capacity": "limited"}',
        "/greet",
        '  /inform{"dps": "open"}',
        '/inform{"not_an_entity": "x"}',
        "/inform{broken",
    ],
)
def test_button_payloads_get_what_the_whole_pipeline_gives(processor, text):
    from rasa.core.channels import UserMessage
    from rasa.shared.core.trackers import DialogueStateTracker

    message, tracker = UserMessage(text, sender_id="s"), DialogueStateTracker.from_events("s", [])
    through_graph = patches._original_parse_message_with_graph(processor, message, tracker)
    assert processor._parse_message_with_graph(message, tracker) == through_graph
    assert through_graph["intent"]["confidence"] == 1.0


@pytest.mark.parametrize("text", ["we are new", "/no_such_intent", "/", "hi /inform"])
def test_other_messages_still_go_through_the_pipeline(processor, monkeypatch, text):
    from rasa.core.channels import UserMessage
    from rasa.shared.core.trackers import DialogueStateTracker

    calls = []
    original = patches._original_parse_message_with_graph

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(patches, "_original_parse_message_with_graph", counted)
    processor._parse_message_with_graph(UserMessage(text, sender_id="s"), DialogueStateTracker.from_events("s", []))
    assert len(calls) == 1


def _trained_rule_lookups() -> dict:
    import json
    import tarfile

    from tests.support.servers import find_model

    with tarfile.open(find_model()) as model:
        member = next(m for m in model.getmembers() if m.name.endswith("rule_policy.json"))
        return json.load(model.extractfile(member))["lookup"]


RULE_LOOKUPS = _trained_rule_lookups()
# Every state a trained rule holds, and the same states after another action or none, as the
# pool conversations are drawn from.
_RULE_STATES = {
    json.dumps(state, sort_keys=True): state
    for lookup in RULE_LOOKUPS.values() if isinstance(lookup, dict)
    for key in lookup for state in json.loads(key)
}
_STATE_POOL = sorted(_RULE_STATES) + sorted(
    json.dumps({**state, "prev_action": {"action_name": "action_nobody_names"}}, sort_keys=True)
    for state in _RULE_STATES.values()
) + [json.dumps({k: v for k, v in s.items() if k != "prev_action"}, sort_keys=True) for s in _RULE_STATES.values()]


@settings(max_examples=250, deadline=None)
@given(
    st.lists(st.sampled_from(_STATE_POOL), min_size=0, max_size=5),
    st.sampled_from(["rules", "rules_for_loop_unhappy_path"]),
)
def test_rules_found_are_the_ones_rasa_finds(states, lookup_name):
    """Patch 8 only narrows the first test of the trained rules: the rules found stay the same."""
    from rasa.core.policies.rule_policy import RulePolicy

    policy = RulePolicy.__new__(RulePolicy)
    lookup = RULE_LOOKUPS[lookup_name]
    conversation = [json.loads(state) for state in states]
    assert policy._get_possible_keys(lookup, conversation) == patches._original_get_possible_keys(
        policy, lookup, conversation
    )


def test_the_rule_comparison_finds_rules():
    """The comparison above is only meaningful if some drawn conversations match rules."""
    from rasa.core.policies.rule_policy import RulePolicy

    policy = RulePolicy.__new__(RulePolicy)
    found = [
        policy._get_possible_keys(RULE_LOOKUPS["rules"], json.loads(key)) for key in list(RULE_LOOKUPS["rules"])[:40]
    ]
    assert all(found) and len(RULE_LOOKUPS["rules"]) > 20


def test_action_requests_carry_the_same_json():
    """Patch 2 writes the action server's request with ujson: the server must read what json wrote."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events("visitor/é", [
        ActionExecuted("action_session_start", timestamp=1732662000.123456),
        UserUttered("We’re a new agency in Kent — CQC registered, 2½ yrs", {"name": "inform", "confidence": 0.9713},
                    [{"entity": "stage", "value": "new", "start": 9, "end": 12}], timestamp=1732662001.5),
        SlotSet("stage", "new"), SlotSet("capacity", None), SlotSet("notes", {"a": [1, 2.5e-7, True]}),
        BotUttered("See https://www.find-tender.service.gov.uk/ \u2028 \"quoted\"", {"custom": {"x": 1}}),
    ])
    request = RemoteAction("action_recommend", None)._action_call_format(tracker, Domain.load("domain.yml"))
    assert json.loads(patches.action_request_json(request)) == json.loads(json.dumps(request))


def test_the_shared_client_writes_requests_with_it():
    import asyncio

    async def serializer():
        endpoint = patches.action_endpoint(EndpointConfig(url="http://127.0.0.1:9/webhook"))
        async with endpoint.session() as session:
            serializer = session._json_serialize
            await session.close()
            return serializer

    assert asyncio.run(serializer()) is patches.action_request_json


def _tracker_in_a_form():
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    parse = {"intent": {"name": "inform", "confidence": 0.97}, "entities": [{"entity": "stage", "value": "new"}],
             "intent_ranking": [{"name": "inform", "confidence": 0.97}, {"name": "faq", "confidence": 0.02}],
             "response_selector": {"faq": {"ranking": [{"id": 1, "confidence": 0.5}]}}}
    return DialogueStateTracker.from_events("visitor", [
        ActionExecuted("action_listen"), UserUttered("we are new", parse), SlotSet("stage", "new"),
        ActionExecuted("route_form"), ActiveLoop("route_form"), SlotSet("requested_slot", "capacity"),
    ])


@pytest.mark.parametrize("verbosity", ["NONE", "ALL", "APPLIED"])
def test_tracker_state_is_rasas_with_the_active_loop_shared(verbosity):
    """Patch 10: the same state as Rasa's, but the form's trigger message is not deep-copied."""
    from rasa.shared.core.trackers import EventVerbosity

    tracker = _tracker_in_a_form()
    verbosity = EventVerbosity[verbosity]
    state = tracker.current_state(verbosity)
    assert state == patches._original_current_state(tracker, verbosity)
    assert state["active_loop"]["name"] == "route_form"
    assert state["active_loop"]["trigger_message"] is tracker.active_loop.trigger_message
    assert tracker.active_loop is not None and tracker.active_loop.name == "route_form"


def test_tracker_state_without_a_form_is_rasas():
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events("visitor", [])
    assert tracker.current_state() == patches._original_current_state(tracker) and tracker.current_state()["active_loop"] == {}


def test_unique_entity_mappings_worked_out_once_per_form(monkeypatch):
    """Patch 11: every mapping of the route form gets Rasa's answer; the domain is read once."""
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.domain import Domain

    domain = Domain.load("domain.yml")
    expected = FormAction("route_form", None)._create_unique_entity_mappings(domain)
    calls = []
    original = FormAction._create_unique_entity_mappings
    monkeypatch.setattr(FormAction, "_create_unique_entity_mappings",
                        lambda self, d: calls.append(self.name()) or original(self, d))
    required = domain.required_slots_for_form("route_form")
    mappings = [m for slot in domain.slots if slot.name in required for m in slot.mappings]
    answers = [FormAction("route_form", None).entity_mapping_is_unique(m, domain) for m in mappings]
    assert answers == [json.dumps(m, sort_keys=True) in expected for m in mappings]
    assert any(answers) and len(mappings) > 8
    assert calls == ["route_form"]


def test_slots_copy_as_copy_copy_would():
    """Patch 12: each kind of slot copies to a new object with the same attributes."""
    import copy

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import Slot

    slots = Domain.load("domain.yml").slots
    assert Slot.__copy__ is patches._copy_slot and len({type(s) for s in slots}) >= 3
    for slot in slots:
        slot.value = ["a", {"b": 1}] if slot.type_name == "list" else slot.value
        copied = copy.copy(slot)
        assert type(copied) is type(slot) and copied is not slot
        assert vars(copied) == vars(slot) and vars(copied) is not vars(slot)
        assert vars(copied) == vars(copy._reconstruct(slot, None, *slot.__reduce_ex__(4)))


def _event_pool():
    from rasa.shared.core.events import (
        ActionExecuted, ActionReverted, ActiveLoop, AllSlotsReset, BotUttered, ConversationPaused,
        ConversationResumed, FollowupAction, LoopInterrupted, Restarted, SessionStarted, SlotSet,
        UserUttered, UserUtteranceReverted,
    )

    return [
        lambda: ActionExecuted("action_listen"),
        lambda: ActionExecuted("route_form"),
        lambda: ActionExecuted("action_recommend", policy="RulePolicy", confidence=1.0),
        lambda: UserUttered("we are new in Kent", {"intent": {"name": "inform", "confidence": 0.9}},
                            [{"entity": "stage", "value": "new"}]),
        lambda: UserUttered("/affirm", {"intent": {"name": "affirm", "confidence": 1.0}}),
        lambda: BotUttered("Is your DPS open?", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        lambda: SlotSet("stage", "new"), lambda: SlotSet("capacity", "limited"),
        lambda: SlotSet("requested_slot", "dps"), lambda: SlotSet("stage", None),
        lambda: ActiveLoop("route_form"), lambda: ActiveLoop(None), lambda: LoopInterrupted(True),
        lambda: FollowupAction("action_recommend"), lambda: ConversationPaused(), lambda: ConversationResumed(),
        lambda: UserUtteranceReverted(), lambda: ActionReverted(), lambda: AllSlotsReset(),
        lambda: Restarted(), lambda: SessionStarted(),
    ]


def _domain_slots():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(REPO_ROOT / "domain.yml")).slots


_DOMAIN_SLOTS = _domain_slots()


def _tracker_state(tracker) -> dict:
    import dataclasses

    state = dict(vars(tracker))
    state["events"] = list(tracker.events)
    state["slots"] = {name: vars(slot) for name, slot in tracker.slots.items()}
    state["active_loop"] = dataclasses.asdict(tracker.active_loop) if tracker.active_loop else None
    return state


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(_event_pool()) - 1), max_size=30))
def test_tracker_copies_are_what_a_replay_gives(picks):
    """Patch 13: the copy has every attribute a replay of the events gives it, and shares no
    state the tracker would change."""
    from rasa.shared.core.events import ActionExecutionRejected, ActiveLoop, LoopInterrupted, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    pool = _event_pool()
    tracker = DialogueStateTracker.from_events("visitor", [pool[i]() for i in picks], slots=_DOMAIN_SLOTS)
    tracker.model_id = "model-1"
    copied = tracker.copy()
    assert _tracker_state(copied) == _tracker_state(patches._original_copy_tracker(tracker))
    before = _tracker_state(tracker)
    # Events that change the form's state in place, then the slots, then the events.
    copied.update(LoopInterrupted(not (tracker.active_loop and tracker.active_loop.is_interrupted)))
    if tracker.active_loop:
        copied.update(ActionExecutionRejected(tracker.active_loop.name))
    copied.update(SlotSet("stage", "expanding"))
    copied.update(ActiveLoop("lead_form"))
    assert _tracker_state(tracker) == before


def test_tracker_copy_is_the_patched_one():
    from rasa.shared.core.trackers import DialogueStateTracker

    assert DialogueStateTracker.copy is patches._copy_tracker
    kept = DialogueStateTracker("visitor", _DOMAIN_SLOTS, max_event_history=3)
    assert kept.copy() == kept  # replayed, as Rasa does, since only the latest events are kept


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 30), widths=st.lists(st.integers(1, 400), min_size=2, max_size=5),
       density=st.floats(0.0, 0.3), seed=st.integers(0, 2**16))
def test_sparse_features_join_as_hstack_would(rows, widths, density, seed):
    """Patch 14: the joined matrix has hstack's shape and its row, column and value arrays."""
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    random = np.random.default_rng(seed)
    blocks = [scipy.sparse.random(rows, width, density=density, format="coo", random_state=random,
                                  dtype=random.choice([np.float32, np.float64])) for width in widths]
    joined = Features(blocks[0], "sequence", "text", "first")
    for block in blocks[1:]:
        joined.combine_with_features(Features(block, "sequence", "text", "next"))
    expected = scipy.sparse.hstack(blocks)
    assert joined.features.shape == expected.shape and joined.features.dtype == expected.dtype
    for array in ("row", "col", "data"):
        assert np.array_equal(getattr(joined.features, array), getattr(expected, array))


def test_sparse_features_of_different_lengths_are_not_joined():
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    assert Features._combine_sparse_features is patches._combine_sparse_features
    three, four = (Features(scipy.sparse.coo_matrix((n, 5)), "sequence", "text", "f") for n in (3, 4))
    with pytest.raises(ValueError, match="sequence dimensions do not match: 3 != 4"):
        three.combine_with_features(four)
