"""Patch 9 (serving/patches.py): the trained model's graphs give what dask's scheduler gives them."""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from serving import patches
from tests.support.servers import find_model

MESSAGES = [
    "new home care agency in Kent, CQC registered",
    "we're not registered yet",
    "what is a DPS?",
    "can I speak to someone",
    "hello",
    "asdfgh qwerty",
    "",
    "/inform{\"stage\": \"new\"}",
    "Care home in Swansea, CIW registered, 40 beds, been going 10 years, on the framework",
]


@pytest.fixture(scope="module")
def agent() -> Agent:
    return Agent.load(str(find_model()))


def _with_dask(monkeypatch, call):
    with monkeypatch.context() as m:
        m.setattr(DaskGraphRunner, "run", patches._original_graph_run)
        return call()


def test_the_patch_is_in_place():
    assert DaskGraphRunner.run is patches._graph_run


@pytest.mark.parametrize("text", MESSAGES)
def test_the_nlu_graph_gives_what_dask_gives(agent, monkeypatch, text):
    runner = agent.processor.graph_runner
    targets = [agent.processor.model_metadata.nlu_target]

    def parsed():
        inputs = {"__message__": [UserMessage(text, sender_id="s")], "__tracker__": DialogueStateTracker("s", [])}
        messages = runner.run(inputs=inputs, targets=targets)[targets[0]]
        return [message.as_dict(only_output_properties=True) for message in messages]

    patched = parsed()
    original = _with_dask(monkeypatch, parsed)
    assert patched == original
    assert patched[0]["intent"]["name"]


@pytest.mark.parametrize("text", MESSAGES[:5])
def test_the_policy_graph_predicts_what_dask_predicts(agent, monkeypatch, text):
    processor = agent.processor
    parse = asyncio.run(processor.parse_message(UserMessage(text, sender_id="s")))
    tracker = DialogueStateTracker.from_events("s", [
        ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
        UserUttered(text, parse["intent"], parse["entities"], parse),
    ])

    def predicted():
        prediction = processor._predict_next_with_tracker(tracker)
        return prediction.policy_name, prediction.max_confidence_index, prediction.max_confidence

    assert predicted() == _with_dask(monkeypatch, predicted)


def test_an_input_named_like_a_node_is_refused_as_before(agent):
    runner = agent.processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError):
        runner.run(inputs={"__message__": node}, targets=[agent.processor.model_metadata.nlu_target])

