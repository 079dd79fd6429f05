"""RouteQuestions: DIET's `inform` becomes the route-question intent where the message asks one.

The component is trained as Rasa trains it (the training data's examples and
language/situations.yml), persisted in a model storage and loaded back from it alone.
"""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from language.route_questions import RouteQuestions, examples

QUESTIONS = [
    ("what's a mini competition", "faq/call_off"),
    ("how long do frameworks last", "faq/framework_length"),
    ("where are tenders published", "faq/notices"),
    ("what is a dps", "faq/dps"),
]
STATEMENTS = [
    ("we're on the framework in wigan", "inform"),
    ("cqc registered dom care in leeds", "inform"),
    ("hello there", "greet"),
]


def trained(directory, config=None):
    config = config or {}
    storage, resource = LocalModelStorage(directory), Resource("route_questions")
    context = ExecutionContext(GraphSchema({}))
    data = TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in QUESTIONS + STATEMENTS])
    RouteQuestions.create(config, storage, resource, context).train(data)
    return RouteQuestions.load(config, storage, resource, context)


@pytest.fixture(scope="module")
def component(tmp_path_factory):
    return trained(tmp_path_factory.mktemp("route_questions"))


def read(component, text, intent="inform", confidence=0.99):
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": confidence},
                            INTENT_RANKING_KEY: [{"name": intent, "confidence": confidence},
                                                 {"name": "faq", "confidence": 0.005},
                                                 {"name": "greet", "confidence": 0.005}]})
    component.process([message])
    return message


def test_examples_mark_the_retrieval_intent_and_nothing_else():
    assert examples([("what is a dps", "faq/dps"), ("what is a dps", "faq"), ("hi", "greet")], "faq") == [
        ("what is a dps", {"asks": "faq"}), ("what is a dps", {"asks": "faq"}), ("hi", {}),
    ]


def test_a_statement_with_a_route_question_becomes_one(component):
    message = read(component, "we're on the DPS in Bury, what's a mini competition?")
    assert message.get(INTENT)["name"] == "faq"
    assert message.get(INTENT)["confidence"] >= 0.5
    # DIET's statement is set aside, the rest of its ranking kept in order after the question.
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["faq", "greet"]


def test_a_statement_stays_a_statement(component):
    message = read(component, "we're a home care agency in Kent, CQC registered, on their framework")
    assert message.get(INTENT) == {"name": "inform", "confidence": 0.99}


def test_only_statements_are_reread(component):
    message = read(component, "thanks, what's a mini competition?", intent="thanks")
    assert message.get(INTENT)["name"] == "thanks"


def test_the_threshold_is_read_from_the_config(component, tmp_path):
    strict = trained(tmp_path, {"threshold": 1.01})
    message = read(strict, "we're on the DPS in Bury, what's a mini competition?")
    assert message.get(INTENT)["name"] == "inform"
    assert component.asks("we're on the DPS in Bury, what's a mini competition?") >= 0.5


def test_a_long_statement_ending_with_a_question_is_read_sentence_by_sentence(tmp_path):
    text = ("we're a home care agency in Kent. cqc registered. on the framework in wigan. "
            "what's a mini competition?")
    (tmp_path / "whole").mkdir()
    (tmp_path / "sentences").mkdir()
    whole_only = trained(tmp_path / "whole", {"threshold": 1.01})
    assert read(whole_only, text).get(INTENT)["name"] == "inform"
    by_sentence = trained(tmp_path / "sentences", {"threshold": 1.01, "sentence_threshold": 0.5})
    assert by_sentence.sentence_asks(text) >= 0.5
    assert read(by_sentence, text).get(INTENT)["name"] == "faq"
    # one sentence alone is read only as a whole
    assert by_sentence.sentence_asks("what's a mini competition?") == 0.0


def test_the_answer_is_read_from_the_question_sentence(tmp_path):
    strict = trained(tmp_path, {"answer_threshold": 0.0})
    message = read(strict, "we're cqc registered in Kent. we're on the framework in wigan. "
                           "what's a mini competition?", intent="faq")
    assert message.get("route_question_answer")["intent_response_key"] == "faq/call_off"
    # one sentence: the FAQ selector's reading of the whole message stands
    assert read(strict, "what's a mini competition?", intent="faq").get("route_question_answer") is None
