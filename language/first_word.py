"""spaCy's rulers with their token patterns indexed by the words a match can start with.

Why: spaCy 3.4's Matcher tries every pattern at every token. With our 12,000 token
patterns that was 2.6 ms of each message (language/build_pipeline.py's two rulers), the
largest cost left in parsing one. Almost every pattern starts with a listed word (NORM is
one word, or IN a list), so a pattern can only match a message that has one of those words.
``FirstWordMatcher`` keeps one spaCy Matcher per set of start words and runs only those
whose words are in the message, plus one Matcher for the few patterns that can start
anywhere (a regex, a number, NOT_IN). It finds the same matches as one Matcher holding
every pattern (tests/language/test_first_word.py), in a different order, which the rulers
don't depend on: they sort and filter the matches themselves.

Each Matcher runs from the first token its patterns can start at, not from the message's
start (a Matcher tries its patterns at every token it is given, and the start words' IN test
is a Python call per token). Patterns that start with a punctuation mark have a Matcher of
their own, run from the message's first mark.

It also remembers the matches of the last few hundred token sequences it saw. Why: Rasa's
SpacyNLP sends every example of a route question through the pipeline with its answer, so
training matched 466 copies of 12 long answers, 30 of its 35 seconds in spaCy.

The pipeline's rulers are these subclasses (factories ``first_word_entity_ruler`` and
``first_word_span_ruler``, the built-ins' configs); the package carries this file, like
language/spelling.py, so it imports nothing from the project.
"""

import inspect
from collections import OrderedDict, defaultdict
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import EntityRuler, SpanRuler
from spacy.util import registry

ENTITY_RULER = "first_word_entity_ruler"
SPAN_RULER = "first_word_span_ruler"
_SKIPPABLE = ("?", "*")
_REMEMBERED = 512


def start_words(pattern: List[Dict[str, Any]]) -> Optional[FrozenSet[str]]:
    """The NORMs a match of ``pattern`` can start with, or None where that is not a list of
    words: a leading optional token adds its words to the next token's."""
    words = set()
    for token in pattern:
        op = token.get("OP")
        if op not in (None, "+", *_SKIPPABLE) or set(token) - {"NORM", "OP", "IS_SENT_START"}:
            return None
        norm = token.get("NORM")
        if isinstance(norm, str):
            words.add(norm)
        elif isinstance(norm, dict) and set(norm) == {"IN"}:
            words.update(norm["IN"])
        else:
            return None
        if op not in _SKIPPABLE:
            return frozenset(words)
    return None  # every token optional: it could match from any token


class FirstWordMatcher:
    """The part of spaCy's Matcher interface the rulers use, with the patterns indexed."""

    def __init__(self, vocab, validate: bool = False):
        self.vocab = vocab
        self.validate = validate
        self._anywhere = Matcher(vocab, validate=validate)
        self._after_punct = Matcher(vocab, validate=validate)
        self._by_words: Dict[FrozenSet[str], Matcher] = {}
        self._by_word: Dict[str, List[Matcher]] = defaultdict(list)
        self._seen: "OrderedDict[Tuple, List[tuple]]" = OrderedDict()

    def _matchers(self) -> Iterable[Matcher]:
        return (self._anywhere, self._after_punct, *self._by_words.values())

    def _normalize_key(self, key):
        return self._anywhere._normalize_key(key)

    def add(self, key, patterns, *, on_match=None, greedy=None) -> None:
        self._seen.clear()
        for pattern in patterns:
            words = start_words(pattern)
            if words is not None:
                matcher = self._by_words.get(words)
            elif pattern and pattern[0] == {"IS_PUNCT": True}:
                matcher = self._after_punct
            else:
                matcher = self._anywhere
            if matcher is None:
                matcher = self._by_words[words] = Matcher(self.vocab, validate=self.validate)
                for word in words:
                    self._by_word[word].append(matcher)
            matcher.add(key, [pattern], on_match=on_match, greedy=greedy)

    def remove(self, key) -> None:
        found = [m for m in self._matchers() if key in m]
        if not found:
            raise ValueError(f"Can't remove {key!r}: it has no pattern")
        self._seen.clear()
        for matcher in found:
            matcher.remove(key)

    def __contains__(self, key) -> bool:
        return any(key in m for m in self._matchers())

    def __len__(self) -> int:
        return len({self._normalize_key(k) for m in self._matchers() for k in m._patterns})

    def __call__(self, doc) -> List[tuple]:
        # Everything a pattern can test of a token here follows from these (no parser, no tagger).
        seen = tuple((t.orth, t.norm, t.lemma, t.is_sent_start) for t in doc)
        matches = self._seen.get(seen)
        if matches is None:
            matches = self._match(doc)
            self._seen[seen] = matches
            if len(self._seen) > _REMEMBERED:
                self._seen.popitem(last=False)
        else:
            self._seen.move_to_end(seen)
        return list(matches)

    def _match(self, doc) -> List[tuple]:
        matches = list(self._anywhere(doc)) if len(self._anywhere) else []
        first: Dict[Matcher, int] = {}
        punct = len(self._after_punct) > 0
        for i, token in enumerate(doc):
            if punct and token.is_punct:
                first.setdefault(self._after_punct, i)
            for matcher in self._by_word.get(token.norm_, ()):
                first.setdefault(matcher, i)
        for matcher, start in first.items():
            matches.extend((key, start + begin, start + end) for key, begin, end in matcher(doc[start:]))
        return matches


class FirstWordEntityRuler(EntityRuler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matcher = FirstWordMatcher(self.nlp.vocab, validate=self._validate)

    def clear(self) -> None:
        super().clear()
        self.matcher = FirstWordMatcher(self.nlp.vocab, validate=self._validate)


class FirstWordSpanRuler(SpanRuler):
    def clear(self) -> None:  # SpanRuler.__init__ calls it too
        super().clear()
        self.matcher = FirstWordMatcher(self.nlp.vocab, validate=self.validate)


def _factory(name: str, builtin: str, cls) -> None:
    """Register ``cls`` under ``name`` with the built-in ruler's settings and signature (once
    per process: this file may be imported as language.first_word and as the package's copy)."""
    if Language.has_factory(name):
        return
    meta = Language.get_factory_meta(builtin)

    def make(nlp, name, **config):
        return cls(nlp, name, **config)

    make.__signature__ = inspect.signature(registry.factories.get(builtin))  # spaCy checks the config against it

    Language.factory(name, assigns=meta.assigns, default_config=meta.default_config,
                     default_score_weights=meta.default_score_weights, func=make)


_factory(ENTITY_RULER, "entity_ruler", FirstWordEntityRuler)
_factory(SPAN_RULER, "span_ruler", FirstWordSpanRuler)
