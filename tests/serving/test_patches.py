"""serving/patches.py: Rasa is patched however it is started, and the patches keep Rasa's meaning."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import jsonschema
import pytest
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
]


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
