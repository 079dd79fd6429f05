"""Typo tolerance for the fact patterns: a spaCy component that corrects each token's NORM.

Visitors type on phones ("regsitered", "capcity", "framwork"). spaCy 3.4 has no fuzzy
matching and a doc's text can't change, so this component, placed before the entity_ruler
and the ``mentions`` span_ruler, sets every token's NORM to its lower-case form, or, for a
word it can't find, to the nearest word of the domain's vocabulary found by SymSpell
(symspellpy); the rulers match on NORM (language/build_pipeline.py). The doc's text, its
tokens, spans and character offsets stay what the visitor typed.

Lower case for every other token, rather than spaCy's English norms ("n't" -> "not",
"cos" -> "because"), keeps the patterns matching exactly what they matched on LOWER.

A word is corrected only when all of these hold (conservative: a wrong correction can
invent a fact):

- it is letters only (no digits, apostrophes or hyphens), at least ``min_length`` long,
  and not all capitals (an acronym: HSCP, ICB);
- it is in neither vocabulary: the domain's (every word in the patterns, council names
  included) nor common English (symspellpy's bundled frequency dictionary);
- a domain word is at most 1 edit away (words up to ``one_edit_up_to`` letters) or 2
  edits (longer words), counting a swap of neighbours as one edit; in a 4-letter word
  not a replaced letter (``REPLACE_FROM``);
- that domain word isn't the word with two or more letters added before or after it
  ("retendering" is not a typo of "tendering");
- no common English word is nearer than that domain word (at the same distance the
  domain word wins), and no other domain word is as near: nearness is the number of
  edits, then of replaced letters ("limted" is "limited", not "listed"; "opne", "open"
  or "one", is left alone).

Rasa's featurizers read each token's lemma, so the intent classifier gets the corrections too:
a corrected word's lemma is its correction's, and texting shorthand (language/shorthand.yml:
"thx", "r u") gets the lemma of the word it stands for. NORM keeps the shorthand as typed, so
the patterns match exactly what they did.

The patterns list some typos beside the word they mistype (framework|framwork,
registered|regsitered). Such a typo is not vocabulary: its NORM is that word, wherever it
is typed, and the build writes the patterns' own words through the same map (``typos``).

The build (language/build_pipeline.py) gives the component its vocabularies (``learn``); they are
saved with the pipeline, so the packaged pipeline needs symspellpy but nothing from the
source tree. This file is standalone (spaCy, symspellpy and the standard library only):
`spacy package --code` copies it into the package ``en_route_advisor``
(language/package_pipeline.py).
"""
# No `from __future__ import annotations`: spaCy validates the factory's arguments by their types.
import json
import string
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path
from symspellpy import SymSpell, Verbosity
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

FACTORY = "route_spelling"
VOCABULARY_FILE = "vocabulary.json"
ENGLISH_DICTIONARY = "frequency_dictionary_en_82_765.txt"
MAX_EDITS = 2
# In a shorter word one replaced letter is as often another word as a slip ("lvng" is not
# "long"): there only a missing, extra or swapped letter is corrected ("opne" -> "open").
REPLACE_FROM = 5
_LETTERS = string.ascii_lowercase


def english_frequencies(min_length: int = 4) -> dict[str, int]:
    """symspellpy's bundled English word frequencies (82,765 words from Google Books n-grams
    and SCOWL), letters-only words of at least ``min_length``: shorter ones are never
    corrected and never nearer than a domain word."""
    text = (resources.files("symspellpy") / ENGLISH_DICTIONARY).read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition(" ")
        if len(word) >= min_length and word.isalpha():
            out[word] = int(count)
    return out


def _one_edit(word: str) -> Iterator[str]:
    """Every string one edit from ``word``: a letter deleted, swapped with the next,
    replaced or inserted (the Damerau-OSA edits SymSpell counts)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
            for c in _LETTERS:
                yield left + c + right[1:]
        if len(right) > 1:
            yield left + right[1] + right[0] + right[2:]
        for c in _LETTERS:
            yield left + c + right


def _affixed(word: str, target: str) -> bool:
    """``word`` is ``target`` with two or more letters added before or after it: another
    word ("retendered", "nonregulated"... "recommissioning"), not a slip of the finger."""
    return len(word) >= len(target) + 2 and (word.startswith(target) or word.endswith(target))


def _replaced(word: str, target: str) -> int:
    """How many letters of ``word`` an edit to ``target`` replaces, as opposed to letters
    missing, extra or swapped: the letters not shared, less the difference in length,
    halved ("limted": 0 for "limited", 1 for "listed")."""
    a, b = Counter(word), Counter(target)
    unshared = sum(((a - b) + (b - a)).values())
    return (unshared - abs(len(word) - len(target))) // 2


class Spelling:
    """The spaCy component (factory ``route_spelling``); see the module docstring."""

    def __init__(self, nlp: Language, name: str, min_length: int, one_edit_up_to: int):
        self._nlp = nlp  # its lemmatizer gives a correction's lemma
        if not 1 <= min_length <= one_edit_up_to:
            raise ValueError(f"{name}: need 1 <= min_length <= one_edit_up_to, got {min_length}, {one_edit_up_to}")
        self.name = name
        self.min_length = min_length
        self.one_edit_up_to = one_edit_up_to
        self._osa = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
        self.shorthand: dict[str, str] = {}
        self._use({}, {}, ())

    def learn(self, words: Iterable[str], alternatives: Iterable[AbstractSet[str]], english: Mapping[str, int],
              shorthand: Mapping[str, str] | None = None, abbreviations: Mapping[str, str] | None = None) -> None:
        """Set the vocabularies (the build calls this; a loaded pipeline has them).

        ``words``: the patterns' words, the correction targets; ``alternatives``: the
        patterns' sets of interchangeable words, where listed typos are found (``typos``);
        ``english``: common English word -> frequency, words left alone (and never farther
        than a correction) whose frequency breaks ties; ``shorthand``: texting shorthand ->
        the word it stands for (language/shorthand.yml); ``abbreviations``: a pattern word's
        abbreviation -> the word (language/abbreviations.yml), which stand for it as listed typos do.
        """
        self.shorthand = {str(k).lower(): str(v).lower() for k, v in (shorthand or {}).items()}
        words = {str(w).lower() for w in words}
        typos = {**self._listed_typos(alternatives, english),
                 **{str(k).lower(): str(v).lower() for k, v in (abbreviations or {}).items()}}
        self._use({w: english.get(w, 1) for w in words - typos.keys()}, typos, english)

    def _use(self, domain: Mapping[str, int], typos: Mapping[str, str], english: Iterable[str]) -> None:
        self.domain = dict(domain)
        self.typos = dict(typos)
        self.english = frozenset(english)
        self._symspell = SymSpell(max_dictionary_edit_distance=MAX_EDITS)
        for word, count in sorted(self.domain.items()):
            if word.isalpha():
                self._symspell.create_dictionary_entry(word, max(count, 1))
        self.correction = lru_cache(maxsize=8192)(self._correction)

    def edits_allowed(self, word: str) -> int:
        return 1 if len(word) <= self.one_edit_up_to else MAX_EDITS

    def _listed_typos(self, alternatives: Iterable[AbstractSet[str]], frequencies: Mapping[str, int]) -> dict[str, str]:
        """Typos the patterns list beside the word they mistype: in one set of alternatives,
        a word that isn't English and is one edit from an English word of the set stands
        for it (the nearest: no replaced letter first, then the most frequent). Jargon two edits
        from a word ("retender", "nonregulated") is vocabulary."""
        near: dict[str, list] = {}
        for words in alternatives:
            english = [w for w in words if w in frequencies]
            for word in words:
                if word in frequencies or len(word) < self.min_length or not word.isalpha():
                    continue
                for w in english:
                    d = self._osa.compare(word, w, 1)
                    if d >= 0 and not _affixed(word, w):
                        near.setdefault(word, []).append((d, _replaced(word, w), -frequencies[w], w))
        return {word: min(found)[-1] for word, found in sorted(near.items())}

    def _correction(self, word: str) -> str | None:
        """The domain word ``word`` (lower case, letters only) is a typo of, or None."""
        if word in self.typos:
            return self.typos[word]
        if len(word) < self.min_length or word in self.domain or word in self.english:
            return None
        found = self._symspell.lookup(word, Verbosity.CLOSEST, max_edit_distance=self.edits_allowed(word))
        ranked = sorted(
            (s.distance, _replaced(word, s.term), s.term)
            for s in found
            if not _affixed(word, s.term) and (len(word) >= REPLACE_FROM or _replaced(word, s.term) == 0)
        )
        if not ranked or (len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]):
            return None  # another word, or two words as near: "opne" is "open" or "one"
        distance, _, term = ranked[0]
        if distance > 1 and any(e in self.english for e in _one_edit(word)):
            return None  # an ordinary word is nearer: "fimework" is "firework"
        return term

    def _lemma(self, word: str) -> str:
        if "lemmatizer" not in self._nlp.pipe_names:
            return word
        table = self._nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})
        return table.get(word, word)

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            if token.lower_ in self.shorthand:
                token.lemma_ = self._lemma(self.shorthand[token.lower_])
            # A listed typo or abbreviation ("hrs", "FW") stands for its word at any length or case.
            if token.is_alpha and (token.lower_ in self.typos
                                   or (not token.is_upper and len(token) >= self.min_length)):
                fixed = self.correction(token.lower_)
                if fixed:
                    token.norm_ = fixed
                    token.lemma_ = self._lemma(fixed)
                    continue
            if token.norm != token.lower:
                token.norm_ = token.lower_
        return doc

    def to_disk(self, path, *, exclude=()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        data = {
            "domain": dict(sorted(self.domain.items())),
            "typos": dict(sorted(self.typos.items())),
            "english": sorted(self.english),
            "shorthand": dict(sorted(self.shorthand.items())),
        }
        (path / VOCABULARY_FILE).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")

    def from_disk(self, path, *, exclude=()) -> "Spelling":
        data = json.loads((Path(path) / VOCABULARY_FILE).read_text(encoding="utf-8"))
        self._use(data["domain"], data["typos"], data["english"])
        self.shorthand = dict(data["shorthand"])
        return self


def make_spelling(nlp: Language, name: str, min_length: int, one_edit_up_to: int) -> Spelling:
    return Spelling(nlp, name, min_length, one_edit_up_to)


# Registered once per process: this module may be imported both as language.spelling (the
# build, the tests) and as en_route_advisor.spelling (the installed package), and spaCy
# refuses a second, different function under one factory name. Both copies are this file;
# the pipeline's version digests it (language/build_pipeline.py), so they can't drift apart
# unnoticed.
if not Language.has_factory(FACTORY):
    Language.factory(FACTORY, default_config={"min_length": 4, "one_edit_up_to": 6}, func=make_spelling)
