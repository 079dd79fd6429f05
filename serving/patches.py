"""The one place where Rasa 3.6.21 is patched. Each patch says what is wrong and why.

Applied on import of the `serving` package, which Rasa imports however it is started: the
channels in credentials.yml and the stores in endpoints.yml live in or import from it.
Every patch is idempotent and checked by tests/serving/test_patches.py.

1. Speed: `RemoteAction._validate_action_result` calls `jsonschema.validate`, which checks the
   constant response *schema* against the JSON-Schema metaschema before every validation; under
   load that was ~70% of Rasa's CPU. The validator is now built once, from the same schema and
   the class `jsonschema.validate` itself would choose (`validator_for`). Even so, each event was
   checked against all 23 alternatives of the schema's `oneOf` (1.6 ms for a form's reply): an
   event can only match the alternatives whose `event` constant is its own, so only those are
   checked, by validators compiled to Python (fastjsonschema; these schemas use only keywords
   that mean the same in its draft 7 and jsonschema's 2020-12). A response they reject is
   validated again by jsonschema in full, which has the last word and gives its own error.
   The same responses pass and fail as before (tests/serving/test_patches.py compares them).
2. The action server's address: endpoints.yml holds the default; `ACTION_ENDPOINT_URL` in the
   environment overrides it (Rasa's `${VAR}` has no default and one unset variable aborts the
   whole endpoints file). Speed: Rasa opens a new HTTP client, and so a new connection, for
   every custom action call (two a turn); the calls now share one client per event loop, whose
   idle connections are dropped after ACTION_KEEPALIVE seconds (default 2), before the action
   server's own keep-alive (Sanic's 5 s) closes them. The request, which carries the whole
   conversation, is written by ujson (Rasa's own dependency) rather than the json module: the
   same JSON, in a fifth of the time (json.dumps was 5% of Rasa's CPU with 100 visitors).
3. The action server down or failing: Rasa logs the error, carries on predicting with the
   action's events lost, and the visitor gets silence. Now a custom action that cannot be run
   within `ACTION_TIMEOUT` seconds (default 10) ends the turn with the "unavailable" apology.
   The visitor's message stays in the conversation (the facts it gave are kept); sending it
   again once the server is back carries on where the conversation was. (Reverting the turn
   with UserUtteranceReverted would be neater, but inside an active form Rasa's tracker
   compresses the form's earlier turns, and the revert then wipes the whole form.)
4. Rasa wraps every tracker store in `FailSafeTrackerStore`, which on a database error silently
   starts a new conversation in memory. Stores marked `strict` (serving/stores.py) are used
   unwrapped, so a database fault is an error the channel reports, never a lost conversation.
5. Rasa's socket.io output sends custom payloads as `sio.emit(event, **payload)`, so a payload
   such as {"recommendation": ...} raises TypeError in python-socketio and the rest of the turn
   is lost. The widget needs the payload as the message itself, as the REST channel delivers it.
6. Speed: `Event.resolve_by_type` scans every Event subclass for each stored event it turns
   back into an object (4% of Rasa's CPU under load); the class found for a type name is kept.
7. Speed: a quick-reply button sends `/intent{"entity": "value"}`. Rasa runs the whole NLU
   pipeline on that text (12 ms here) and then throws the result away: its last component,
   RegexMessageHandler, replaces the message with the intent and entities the text spells out.
   A message that RegexMessageHandler would unpack now gets that same result without the rest
   of the pipeline; anything else (free text, an unknown intent) goes through the graph as before.
8. Speed: to predict, RulePolicy tests every rule (145 here) against the conversation's latest
   state, several times a turn. A rule whose last state names a previous action can only apply
   after that action, so the first test now runs only on those rules and on rules naming none;
   the rest of Rasa's test runs unchanged on them, so the same rules are found.
9. Speed: Rasa runs its graphs (the NLU pipeline once a turn, the policies before each action)
   through dask's scheduler, after working out the nodes the targets need, on every run: about
   a millisecond a turn on top of the components' own work. The nodes the targets need and their
   order are now worked out once per set of targets, and the nodes are called in that order with
   the same inputs, so each gets what dask would have given it.
10. Speed: the tracker's state, sent with every custom action call, copies the active form's
   state with `dataclasses.asdict`, which deep-copies the message that started the form, every
   score of its intent and FAQ rankings included: 10% of Rasa's CPU with one visitor. The rest of
   the state (slots, latest message, latest action) is already shared with the tracker, not
   copied, and the state is only ever written out as JSON; the active loop is now shared alike.
11. Speed: while a form is active, slot extraction asks for each mapping whether it is the only
   one its entity fills, and Rasa works that out again from the whole domain each time (a new
   FormAction per question). The answer depends only on the form and the domain, so it is
   worked out once per form and domain.
12. Speed: every tracker Rasa builds (a copy before each action, the form's temporary trackers,
   the policies' history: several a turn) copies each of the domain's 27 slots with `copy.copy`,
   which goes through the generic `__reduce_ex__` protocol (4% of Rasa's CPU). A slot gets a
   `__copy__` doing what that protocol does for it, a new object with the same attributes,
   in a quarter of the time.
13. Speed: before each action Rasa copies the tracker by building a new one and replaying every
   event of the conversation into it (3% of Rasa's CPU, growing with the conversation). The
   copy is now made from the tracker's state directly: the same events and the same slot,
   form and latest-message state a replay gives (tests/serving/test_patches.py compares the
   two over generated conversations), with the same attributes left unset. A tracker that
   keeps only its latest events (max_event_history) is still replayed, since replaying those
   alone can give another state.
14. Speed: DIET reads a message's sparse features as one matrix per kind, joining the four
   featurizers' matrices with `scipy.sparse.hstack`; its general block-matrix path took 0.8 ms of
   each parse (0.14 ms a join). Two COO matrices are now joined by concatenating their entries,
   the second's columns moved past the first's: the same row, column and value arrays in the
   same order, in a quarter of the time.
"""
from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import logging
import os
from collections import defaultdict, deque
from typing import Any, Dict, List, Optional, Text

import aiohttp
import fastjsonschema
import numpy as np
import scipy.sparse
import ujson
from jsonschema.validators import validator_for
from rasa.core.actions import action as rasa_action
from rasa.core.actions.forms import FormAction
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.core.channels import socketio as rasa_socketio
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTIVE_LOOP, PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.core.events import BotUttered, Event, FollowupAction
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import ACTION_NAME, ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.exceptions import RasaException
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

from serving.messages import message

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT = 10.0
DEFAULT_ACTION_KEEPALIVE = 2.0
_APPLIED = "_route_advisor_patched"


class ActionServerUnavailable(RasaException):
    """The action server could not run a custom action (down, timed out or failed)."""


# -- 1. the response schema is checked once, each event against its own kind ---------------
class ResponseValidator:
    """Gives the verdicts of the action-response schema, checking each event only against the
    `oneOf` alternatives that can match it: the one whose `event` constant is the event's own
    (and any alternative without such a constant, of which Rasa 3.6 has none)."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        self._full = validator_for(schema)(schema)
        outer = copy.deepcopy(schema)
        alternatives = outer["properties"]["events"]["items"].pop("oneOf")
        self._outer = fastjsonschema.compile(outer)
        self._by_event: Dict[Any, List[Any]] = defaultdict(list)
        self._unkeyed: List[Any] = []
        for alternative in alternatives:
            event = alternative.get("properties", {}).get("event", {})
            checker = fastjsonschema.compile(alternative)
            if "const" in event and isinstance(event["const"], str):
                self._by_event[event["const"]].append(checker)
            else:
                self._unkeyed.append(checker)

    @staticmethod
    def _passes(checker: Any, data: Any) -> bool:
        try:
            checker(data)
            return True
        except fastjsonschema.JsonSchemaException:
            return False

    def is_valid(self, result: Any) -> bool:
        if not self._passes(self._outer, result):
            return False
        events = result.get("events")
        if not isinstance(events, list):
            return True
        for event in events:
            # The outer schema has made sure each event is an object whose `event` is a string.
            candidates = self._by_event.get(event["event"], []) + self._unkeyed
            if sum(1 for checker in candidates if self._passes(checker, event)) != 1:
                return False
        return True

    def validate(self, result: Any) -> None:
        """Raises jsonschema's own ValidationError for a response the schema rejects."""
        if not self.is_valid(result):
            self._full.validate(result)


_RESPONSE_SCHEMA = rasa_action.RemoteAction.action_response_format_spec()
_RESPONSE_VALIDATOR = ResponseValidator(_RESPONSE_SCHEMA)


def _validate_action_result(self: rasa_action.RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError

    try:
        _RESPONSE_VALIDATOR.validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise e


# -- 2. the action server's address from the environment -----------------------------------
class _KeptSession:
    """`async with` hands out the shared client and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: Any) -> bool:
        return False


_SESSIONS: Dict[Any, aiohttp.ClientSession] = {}


class KeptAliveEndpointConfig(EndpointConfig):
    """The action endpoint, whose requests share one HTTP client per event loop."""

    def session(self) -> _KeptSession:  # type: ignore[override]
        loop = asyncio.get_running_loop()
        auth = tuple(sorted(self.basic_auth.items()))
        key = (loop, tuple(sorted(self.headers.items())), auth)
        session = _SESSIONS.get(key)
        if session is None or session.closed:
            for stale in [k for k in _SESSIONS if k[0].is_closed()]:
                del _SESSIONS[stale]
            session = _SESSIONS[key] = aiohttp.ClientSession(
                headers=self.headers,
                auth=aiohttp.BasicAuth(**self.basic_auth) if self.basic_auth else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=action_keepalive()),
                json_serialize=action_request_json,
            )
        return _KeptSession(session)


def action_request_json(data: Any) -> str:
    """The action server's request body: ujson's JSON, or the json module's where ujson refuses."""
    try:
        return ujson.dumps(data, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(data)


def action_keepalive() -> float:
    return float(os.environ.get("ACTION_KEEPALIVE", DEFAULT_ACTION_KEEPALIVE))


def action_endpoint(endpoint: Optional[EndpointConfig]) -> Optional[EndpointConfig]:
    """The configured endpoint, on ACTION_ENDPOINT_URL when that is set, with a shared client."""
    if endpoint is None:
        return None
    url = os.environ.get("ACTION_ENDPOINT_URL", "").strip() or endpoint.url
    if isinstance(endpoint, KeptAliveEndpointConfig) and endpoint.url == url:
        return endpoint
    return KeptAliveEndpointConfig(
        url=url, params=endpoint.params, headers=endpoint.headers, basic_auth=endpoint.basic_auth,
        token=endpoint.token, token_name=endpoint.token_name, cafile=endpoint.cafile,
        **endpoint.kwargs,
    )


_original_remote_init = rasa_action.RemoteAction.__init__
_original_remote_run = rasa_action.RemoteAction.run


def _remote_init(self, name: Text, endpoint: Optional[EndpointConfig]) -> None:
    _original_remote_init(self, name, action_endpoint(endpoint))


# -- 3. an apology, not silence, when the action server can't answer ------------------------
def action_timeout() -> float:
    return float(os.environ.get("ACTION_TIMEOUT", DEFAULT_ACTION_TIMEOUT))


async def _remote_run(self, output_channel, nlg, tracker, domain) -> List[Event]:
    try:
        return await asyncio.wait_for(
            _original_remote_run(self, output_channel, nlg, tracker, domain), action_timeout()
        )
    except rasa_action.ActionExecutionRejection:
        raise
    except asyncio.TimeoutError as error:
        raise ActionServerUnavailable(
            f"The action server did not run '{self.name()}' within {action_timeout():g} s."
        ) from error
    except RasaException as error:
        raise ActionServerUnavailable(str(error)) from error


class _ApologisingAction:
    """Runs an action; if the action server can't, apologises and ends the turn."""

    def __init__(self, action: rasa_action.Action) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, output_channel, nlg, tracker, domain) -> List[Event]:
        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionServerUnavailable as error:
            logger.error(
                "Action '%s' failed: %s The visitor was asked to send the message again.",
                self._action.name(), error,
            )
            return [
                BotUttered(text=message("unavailable"), metadata={"unavailable": True}),
                FollowupAction(ACTION_LISTEN_NAME),
            ]


_original_run_action = MessageProcessor._run_action


async def _run_action(self, action, tracker, output_channel, nlg, prediction) -> bool:
    return await _original_run_action(
        self, _ApologisingAction(action), tracker, output_channel, nlg, prediction
    )


# -- 4. strict stores are not wrapped in FailSafeTrackerStore ------------------------------
_original_create_tracker_store = Agent._create_tracker_store


def _create_tracker_store(store, domain):
    if getattr(store, "strict", False):
        store.domain = domain
        return store
    return _original_create_tracker_store(store, domain)


# -- 5. socket.io custom payloads ----------------------------------------------------------
async def _send_custom_json(
    self: rasa_socketio.SocketIOOutput, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
) -> None:
    await self._send_message(recipient_id, json_message)


# -- 6. event classes looked up once per type name ----------------------------------------
_original_resolve_by_type = Event.resolve_by_type
_EVENT_CLASSES: Dict[Text, Any] = {}


def _resolve_by_type(type_name: Text, default=None):
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        found = _original_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _EVENT_CLASSES[type_name] = found
    return found


# -- 7. button payloads skip the NLU pipeline whose result Rasa would discard ----------------
_original_parse_message_with_graph = MessageProcessor._parse_message_with_graph
REGEX_MESSAGE_HANDLER = "RegexMessageHandler"


def _parse_message_with_graph(self, message, tracker, only_output_properties: bool = True):
    if message.text and message.text.lstrip().startswith("/"):
        unpacked = YAMLStoryReader.unpack_regex_message(
            Message({TEXT: message.text}), self.domain, entity_extractor_name=REGEX_MESSAGE_HANDLER
        )
        if unpacked.get(INTENT):
            parse_data = {TEXT: "", INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, ENTITIES: []}
            parse_data.update(unpacked.as_dict(only_output_properties=only_output_properties))
            return parse_data
    return _original_parse_message_with_graph(self, message, tracker, only_output_properties)


# -- 8. rules looked up by the action they follow ------------------------------------------
_original_get_possible_keys = RulePolicy._get_possible_keys
_RULE_INDEX = "_route_advisor_rule_index"
_ANY_ACTION = object()


def _previous_action_name(state: Dict[Text, Any]) -> Any:
    """The action name a state requires before it, or _ANY_ACTION if it requires none by name."""
    name = (state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
    if not name or name == SHOULD_NOT_BE_SET or not isinstance(name, str):
        return _ANY_ACTION
    return name


def _rule_index(policy: RulePolicy, lookup: Dict[Text, Text]) -> Dict[Any, List[Text]]:
    """The lookup's rule keys by the previous action their last state names (built once)."""
    indexes = policy.__dict__.setdefault(_RULE_INDEX, {})
    kept = indexes.get(id(lookup))
    if kept is not None and kept[0] is lookup and kept[1] == len(lookup):
        return kept[2]
    index: Dict[Any, List[Text]] = defaultdict(list)
    for key in lookup:
        rule_states = policy._rule_key_to_state(key)
        index[_previous_action_name(rule_states[-1]) if rule_states else _ANY_ACTION].append(key)
    indexes[id(lookup)] = (lookup, len(lookup), index)
    return index


def _get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]):
    if not states:
        return _original_get_possible_keys(self, lookup, states)
    index = _rule_index(self, lookup)
    latest = states[-1]
    name = (latest.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
    candidates = list(index.get(_ANY_ACTION, ()))
    if isinstance(name, str):
        candidates += index.get(name, ())
    return _original_get_possible_keys(self, dict.fromkeys(candidates), states)


# -- 9. graphs run in a fixed order, without dask's scheduler --------------------------------
_original_graph_run = DaskGraphRunner.run
_GRAPH_PLANS = "_route_advisor_graph_plans"


def _graph_plan(runner: DaskGraphRunner, targets: List[Text]) -> Any:
    """The nodes the targets need, each after the nodes it needs, with what it needs; and their names."""
    plans = runner.__dict__.setdefault(_GRAPH_PLANS, {})
    plan = plans.get(tuple(targets))
    if plan is None:
        nodes = runner._graph_schema.minimal_graph_schema(list(targets)).nodes
        order: List[Text] = []

        def visit(name: Text) -> None:
            if name in nodes and name not in order:
                for need in nodes[name].needs.values():
                    visit(need)
                order.append(name)

        for name in nodes:
            visit(name)
        steps = [(name, runner._instantiated_nodes[name], tuple(nodes[name].needs.values())) for name in order]
        plan = plans[tuple(targets)] = (steps, frozenset(order))
    return plan


def _graph_run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
               targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    run_targets = targets if targets else self._graph_schema.target_names
    steps, node_names = _graph_plan(self, run_targets)
    results: Dict[Text, Any] = {}
    names = set(node_names)
    for input_name, input_value in (inputs or {}).items():
        if isinstance(input_value, str) and input_value in names:
            raise GraphRunError(
                f"Input value '{input_value}' clashes with a node name. Make sure that none of the "
                f"input names passed to the `run` method are the same as node names in the graph schema."
            )
        names.add(input_name)
        # dask hands a node an input as the tuple it was given, (name, value), and a name that is
        # neither a node nor an input as the name itself; an input replaces a node of its name.
        results[input_name] = (input_name, input_value)
    try:
        for name, node, needs in steps:
            if name not in results:
                results[name] = node(*(results.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


# -- 10. the tracker's state shares the active loop, as it shares the slots -------------------
_original_current_state = DialogueStateTracker.current_state


def _current_state(self: DialogueStateTracker, event_verbosity: EventVerbosity = EventVerbosity.NONE) -> Dict[Text, Any]:
    loop = self.active_loop
    if loop is None:
        return _original_current_state(self, event_verbosity)
    self.active_loop = None  # Rasa's method reads it once, for the entry replaced below
    try:
        state = _original_current_state(self, event_verbosity)
    finally:
        self.active_loop = loop
    state[ACTIVE_LOOP] = {field.name: getattr(loop, field.name) for field in dataclasses.fields(loop)}
    return state


# -- 11. a form's unique entity mappings worked out once per domain --------------------------
_UNIQUE_MAPPINGS = "_route_advisor_unique_entity_mappings"


def _entity_mapping_is_unique(self: FormAction, slot_mapping: Dict[Text, Any], domain: Any) -> bool:
    per_form = domain.__dict__.setdefault(_UNIQUE_MAPPINGS, {})
    unique = per_form.get(self.name())
    if unique is None:
        unique = per_form[self.name()] = self._create_unique_entity_mappings(domain)
    return json.dumps(slot_mapping, sort_keys=True) in unique


# -- 12. slots copied without the generic protocol --------------------------------------------
def _copy_slot(self: Slot) -> Slot:
    copied = object.__new__(type(self))
    copied.__dict__.update(self.__dict__)
    return copied


# -- 13. trackers copied from their state, not by replaying their events --------------------
_original_copy_tracker = DialogueStateTracker.copy


def _copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    if self._max_event_history is not None or type(self) is not DialogueStateTracker or type(self.slots) is not dict:
        return _original_copy_tracker(self)
    copied = object.__new__(DialogueStateTracker)
    copied.__dict__.update(self.__dict__)
    copied.events = deque(self.events)
    copied.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    copied.active_loop = dataclasses.replace(self.active_loop) if self.active_loop is not None else None
    # What Rasa's copy (init_copy, then a replay) leaves unset or defaults.
    copied.sender_id = self.sender_id or DEFAULT_SENDER_ID
    copied.sender_source = copied.model_id = copied.assistant_id = None
    return copied


# -- 14. sparse features joined by concatenating their entries ------------------------------
def _combine_sparse_features(self: Features, additional_features: Features) -> None:
    first, second = self.features.tocoo(), additional_features.features.tocoo()
    if first.shape[0] != second.shape[0]:
        raise ValueError(
            f"Cannot combine sparse features as sequence dimensions do not "
            f"match: {first.shape[0]} != {second.shape[0]}."
        )
    self.features = scipy.sparse.coo_matrix(
        (np.concatenate((first.data, second.data)),
         (np.concatenate((first.row, second.row)), np.concatenate((first.col, second.col + first.shape[1])))),
        shape=(first.shape[0], first.shape[1] + second.shape[1]),
    )
    self._cached_fingerprint = None


def apply() -> None:
    """Applies every patch once."""
    if getattr(rasa_action.RemoteAction, _APPLIED, False):
        return
    rasa_action.RemoteAction._validate_action_result = _validate_action_result
    rasa_action.RemoteAction.__init__ = _remote_init
    rasa_action.RemoteAction.run = _remote_run
    MessageProcessor._run_action = _run_action
    Agent._create_tracker_store = staticmethod(_create_tracker_store)
    rasa_socketio.SocketIOOutput.send_custom_json = _send_custom_json
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    MessageProcessor._parse_message_with_graph = _parse_message_with_graph
    RulePolicy._get_possible_keys = _get_possible_keys
    DaskGraphRunner.run = _graph_run
    DialogueStateTracker.current_state = _current_state
    FormAction.entity_mapping_is_unique = _entity_mapping_is_unique
    Slot.__copy__ = _copy_slot
    DialogueStateTracker.copy = _copy_tracker
    Features._combine_sparse_features = _combine_sparse_features
    setattr(rasa_action.RemoteAction, _APPLIED, True)


apply()
