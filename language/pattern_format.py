"""Reads ``language/patterns/<entity>.yml`` into spaCy entity_ruler patterns.

File format (the file name is the entity; see language/patterns/README.md)::

    new:                                  # a canonical value of the entity
      - start-up                          # plain text: phrase, matched case-insensitively
      - been trading|going <num> ~month   # text with markers: a token pattern
      - [{LOWER: since}, {TEXT: {REGEX: "^20[0-9][0-9]$"}}]   # raw spaCy token pattern
    _ignore:                              # optional: look-alikes that are NOT this fact
      - registered manager
    _words:                               # optional: named word lists for $NAME
      DPS: [dps, dynamic purchasing system, approved provider? list]

Markers in a text pattern (words are separated by spaces):

    a|b|c       any one of the alternatives, each a single word (can't|cannot)
    (a b|c)     any one of the phrases in brackets (getting registered|registering)
    $NAME       any one of the phrases listed under NAME in the file's ``_words``
                section (phrases may be several words and use the markers below)
    word?       the word (or <marker>, a|b, ~word) is optional
    ~word       any regular form of the word (package, packages) found in spaCy's
                English lemma lookup table
    *           any one word (not punctuation, not but/and/although...)
    <num>       a number, digits or words (12, two, 300)
    <small>     a number below 100 (7, 20, ten, twelve)
    <big>       a number of 100 or more written in digits (300, 1,200)
    <year>      a year (2012)
    <month>     a month name (March, Sept)
    <several>   a number other than one (2, ten, 300)
    <few>       a number from 1 to 9 (3, three)
    <many>      a number of 10 or more (12, fifty, 300)
    <punct>     a punctuation mark (, - : ?)
    ^           (before the first word) only at the start of the message: a fragment such
                as "on the framework" is a statement there, a question's tail elsewhere

Everything is matched case-insensitively. A word with a hyphen also matches the
spaced and joined-up spellings (start-up: start up, startup); an apostrophe also
matches the curly one (we're: we’re).

Every pattern gets ``label`` = the entity (file name) and ``id`` = the canonical value.
``_ignore`` patterns get ``label`` = ``_ignore`` (and ``id`` = the entity): they win
over shorter overlapping matches and are then dropped by Rasa, e.g. "do I need to be
CQC registered" is a question, not the fact registration=registered.
"""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Tuple

import yaml

IGNORE = "_ignore"
# Context sections, allowed only in mention files (language/mentions/; language/patterns/
# README.md): a mention that starts right after a `_target` phrase (or ends right before a
# `_target_after` one) is used rather than any other; one right after a `_base` or `_current` phrase only when the message names no plain mention of that
# fact; one right after a `_not` phrase only when it names nothing else either (language/facts.py).
BASE = "_base"
CURRENT = "_current"
NOT = "_not"
TARGET = "_target"
TARGET_AFTER = "_target_after"
CONTEXTS = (BASE, CURRENT, NOT, TARGET, TARGET_AFTER)
WORDS = "_words"
MAX_VARIANTS = 5000

_NUMBER_WORDS_SMALL = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
    "eighty", "ninety",
]
_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec",
]
_CLAUSE_BREAKS = [
    "but", "and", "although", "though", "however", "whereas", "while", "so", "because",
    "framework", "frameworks", "dps", "dpss", "list",
]
PLACEHOLDERS: Dict[str, Dict[str, Any]] = {
    "num": {"LIKE_NUM": True},
    "small": {"LOWER": {"REGEX": r"^([0-9]{1,2}|" + "|".join(_NUMBER_WORDS_SMALL) + ")$"}},
    "big": {"LOWER": {"REGEX": r"^([1-9][0-9]{2,}|[1-9][0-9]{0,2}(,[0-9]{3})+)$"}},
    "year": {"LOWER": {"REGEX": r"^(19|20)[0-9]{2}$"}},
    "month": {"LOWER": {"IN": sorted(_MONTHS)}},
    "several": {"LIKE_NUM": True, "LOWER": {"NOT_IN": ["0", "1", "one", "zero"]}},
    "few": {"LOWER": {"REGEX": r"^([1-9]|one|two|three|four|five|six|seven|eight|nine)$"}},
    "many": {"LOWER": {"REGEX": r"^([1-9][0-9]+|[1-9][0-9]{0,2}(,[0-9]{3})+|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundreds?|dozens?)$"}},
    "punct": {"IS_PUNCT": True},
}
ANY_WORD = {"IS_PUNCT": False, "LOWER": {"NOT_IN": sorted(_CLAUSE_BREAKS)}}


class PatternError(ValueError):
    """A pattern file is malformed or uses a value that is not canonical."""


def _split(text: str, sep: str = " ") -> List[str]:
    """Split on sep outside (brackets); whitespace separators collapse."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise ValueError("unbalanced ')'")
        if depth == 0 and (ch == sep or (sep == " " and ch.isspace())):
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if depth:
        raise ValueError("unbalanced '('")
    parts.append(cur)
    return [p for p in parts if p] if sep == " " else parts


def _spellings(word: str) -> List[str]:
    """The word, plus spaced and joined-up spellings of hyphenated words."""
    out = [word]
    if "-" in word.strip("-"):
        out += [word.replace("-", " "), word.replace("-", "")]
    return out


def _forms(lemma: str, lemma_table) -> List[str]:
    """Regular inflections of ``lemma`` that spaCy's lookup table maps back to it."""
    w = lemma.lower()
    candidates = {w + "s", w + "es", w + "ed", w + "d", w + "ing"}
    if w.endswith("y"):
        candidates |= {w[:-1] + "ies", w[:-1] + "ied"}
    if w.endswith("e"):
        candidates.add(w[:-1] + "ing")
    if len(w) > 2 and w[-1] not in "aeiouwy" and w[-2] in "aeiou":
        candidates |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    return sorted({w} | {c for c in candidates if lemma_table.get(c) == w})


def _words_of(spec: Dict[str, Any]) -> Any:
    """The word set of a plain {LOWER: w} / {LOWER: {IN: [...]}} spec (optionally with OP), else None."""
    if set(spec) - {"LOWER", "OP"} or "LOWER" not in spec:
        return None
    low = spec["LOWER"]
    if isinstance(low, str):
        return {low}
    if isinstance(low, dict) and set(low) == {"IN"}:
        return set(low["IN"])
    return None


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


_key = _freeze  # a hashable, order-independent key for a token spec


class _Factor:
    """Exact merging of token sequences, to keep the number of spaCy patterns small.

    Sequences that differ in one plain-word position merge ([is, now] + ['s, now] ->
    [{is, 's}, now]); a sequence that is another plus one word makes that word optional
    ([a, b, c] + [a, c] -> [a, b?, c]). The set of texts matched never changes.
    Works on hashable keys (_freeze) so that large expansions stay fast.
    """

    def __init__(self) -> None:
        self.specs: Dict[Any, Dict[str, Any]] = {}
        self.words: Dict[Any, Any] = {}
        self.reprs: Dict[Any, str] = {}

    def order(self, seq: Any) -> str:
        """A sequence's sort key for a fixed order, worked out once (repr is most of the cost)."""
        text = self.reprs.get(seq)
        if text is None:
            text = self.reprs[seq] = repr(seq)
        return text

    def key(self, spec: Dict[str, Any]) -> Any:
        k = _freeze(spec)
        if k not in self.specs:
            self.specs[k] = spec
            self.words[k] = _words_of(spec)
        return k

    def optional(self, seqs: set) -> bool:
        changed = False
        for s in sorted(seqs, key=lambda s: (-len(s), self.order(s))):  # a fixed order: deterministic
            if s not in seqs or len(s) == 1:
                continue
            for i, k in enumerate(s):
                shorter = s[:i] + s[i + 1:]
                if "OP" in self.specs[k] or self.words[k] is None or shorter not in seqs:
                    continue
                seqs -= {s, shorter}
                seqs.add(s[:i] + (self.key(dict(self.specs[k], OP="?")),) + s[i + 1:])
                changed = True
                break
        return changed

    def positions(self, seqs: set) -> bool:
        """Merges at one position fall in disjoint buckets, so their order cannot change the result."""
        changed = False
        for i in range(max((len(s) for s in seqs), default=0)):
            buckets: Dict[Any, List[Any]] = {}
            for s in seqs:
                if i < len(s) and self.words[s[i]] is not None:
                    op = self.specs[s[i]].get("OP")
                    buckets.setdefault((s[:i], s[i + 1:], op), []).append(s)
            for (head, tail, op), members in buckets.items():
                if len(members) < 2:
                    continue
                words = set().union(*(self.words[m[i]] for m in members))
                spec = {"LOWER": {"IN": sorted(words)}}
                if op:
                    spec["OP"] = op
                seqs -= set(members)
                seqs.add(head + (self.key(spec),) + tail)
                changed = True
        return changed

    def __call__(self, seqs: List[List[Dict[str, Any]]]) -> List[List[Dict[str, Any]]]:
        keys: Dict[int, Any] = {}  # by id: expansions share their token dicts, so each is frozen once

        def key(spec: Dict[str, Any]) -> Any:
            k = keys.get(id(spec))
            if k is None:
                k = keys[id(spec)] = self.key(spec)
            return k

        keyed = {tuple(key(t) for t in s) for s in seqs}
        while self.optional(keyed) | self.positions(keyed):
            pass
        return [[self.specs[k] for k in s] for s in sorted(keyed, key=self.order)]


def _factor(seqs: List[List[Dict[str, Any]]]) -> List[List[Dict[str, Any]]]:
    return _Factor()(seqs)


class _Compiler:
    def __init__(self, nlp, where: str, words: Mapping[str, List[str]]):
        self.nlp = nlp
        self.where = where
        self.words = words
        self.lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")

    def fail(self, msg: str) -> None:
        raise PatternError(f"{self.where}: {msg}")

    def _literal(self, word: str) -> List[List[Dict[str, Any]]]:
        seqs = []
        for spelling in _spellings(word):
            seq = []
            # A lone contraction ('ve, 'm) is one token in a sentence but not on its own.
            alone = re.fullmatch(r"['’][a-z]+|n['’]t", spelling.lower())
            for low in [spelling.lower()] if alone else [t.lower_ for t in self.nlp.make_doc(spelling)]:
                if "'" in low or "’" in low:
                    forms = {low.replace("’", "'"), low.replace("'", "’")}
                    if low.endswith(("n't", "n’t")):
                        forms.add(low[:-3] + "nt")  # "dont" is tokenized "do" + "nt"
                    seq.append({"LOWER": {"IN": sorted(forms)}})
                else:
                    seq.append({"LOWER": low})
            seqs.append(seq)
        return seqs

    def _alternative(self, alt: str) -> List[List[Dict[str, Any]]]:
        if not alt:
            self.fail("empty alternative (check the '|' signs)")
        if alt.startswith("(") and alt.endswith(")"):
            return self._phrases(self._split(alt[1:-1], "|"))
        if alt.startswith("<") or alt.endswith(">"):
            name = alt.strip("<>")
            if not (alt.startswith("<") and alt.endswith(">")) or name not in PLACEHOLDERS:
                self.fail(f"unknown marker {alt!r}; known: " + ", ".join(f"<{p}>" for p in PLACEHOLDERS))
            return [[dict(PLACEHOLDERS[name])]]
        if alt == "*":
            return [[dict(ANY_WORD)]]
        if alt.startswith("$"):
            if alt[1:] not in self.words:
                self.fail(f"{alt} is not defined under {WORDS}")
            return self._phrases(self.words[alt[1:]])
        if alt.startswith("~"):
            if not alt[1:].isalpha():
                self.fail(f"'~' needs a single word, got {alt!r}")
            return [[{"LOWER": {"IN": _forms(alt[1:], self.lemmas)}}]]
        return self._literal(alt)

    def _split(self, text: str, sep: str = " ") -> List[str]:
        try:
            return _split(text, sep)
        except ValueError as exc:
            self.fail(f"{text!r}: {exc}")

    def _phrases(self, phrases: List[str]) -> List[List[Dict[str, Any]]]:
        """Token sequences for a list of alternative phrases."""
        seqs: List[List[Dict[str, Any]]] = []
        for phrase in phrases:
            sub: List[List[Dict[str, Any]]] = [[]]
            for chunk in self._split(phrase):
                options = self._chunk(chunk)
                sub = [s + o for s in sub for o in options]
            seqs += sub
        return _factor(seqs)

    def _chunk(self, chunk: str) -> List[List[Dict[str, Any]]]:
        optional = chunk.endswith("?") and len(chunk) > 1
        if optional:
            chunk = chunk[:-1]
        options: List[List[Dict[str, Any]]] = []
        for alt in self._split(chunk, "|"):
            options.extend(self._alternative(alt))
        # Single plain-word alternatives collapse into one IN token.
        plain = [o for o in options if len(o) == 1 and "OP" not in o[0] and _words_of(o[0])]
        if len(plain) > 1:
            words = set().union(*(_words_of(spec) for (spec,) in plain))
            rest = [o for o in options if o not in plain]
            options = [[{"LOWER": {"IN": sorted(words)}}]] + rest
        if optional:
            if len(options) == 1 and len(options[0]) == 1:
                options = [[dict(options[0][0], OP="?")]]
            else:
                options.append([])
        return options

    def text(self, text: str) -> List[Any]:
        """A text pattern: a list of phrase strings or token-pattern lists."""
        at_start = text.startswith("^")
        chunks = self._split(text[1:] if at_start else text)
        if not chunks:
            self.fail("empty pattern")
        if at_start:
            return [marked for seq in self._tokens(text, chunks) for marked in self._at_start(text, seq)]
        if not any(c.endswith("?") or c.startswith(("~", "<", "$", "(")) or "|" in c or c == "*" for c in chunks):
            phrases: List[str] = []
            for combo in itertools.product(*(_spellings(c) for c in chunks)):
                phrase = " ".join(combo)
                for variant in (phrase, phrase.replace("'", "’")):
                    if variant not in phrases:
                        phrases.append(variant)
            if len(phrases) > MAX_VARIANTS:
                self.fail(f"{text!r} expands to more than {MAX_VARIANTS} spellings")
            return phrases
        return self._tokens(text, chunks)

    def _at_start(self, text: str, seq: List[Dict[str, Any]]) -> List[List[Dict[str, Any]]]:
        """`seq` with its first word marked as the message's first; an optional first word
        makes two patterns, with it and without it."""
        first = {k: v for k, v in seq[0].items() if k != "OP"}
        marked = [[dict(first, IS_SENT_START=True), *seq[1:]]]
        if seq[0].get("OP") == "?":
            marked += self._at_start(text, seq[1:])
        return marked

    def _tokens(self, text: str, chunks: List[str]) -> List[List[Dict[str, Any]]]:
        seqs: List[List[Dict[str, Any]]] = [[]]
        for chunk in chunks:
            options = self._chunk(chunk)
            seqs = _factor([s + o for s in seqs for o in options])
            if len(seqs) > MAX_VARIANTS:
                self.fail(f"{text!r} expands to more than {MAX_VARIANTS} token patterns; split it up")
        if any(all(t.get("OP") == "?" for t in s) for s in seqs):
            self.fail(f"{text!r} can match nothing: every word is optional")
        return seqs

    def raw(self, tokens: List[Any]) -> List[Any]:
        from spacy.schemas import validate_token_pattern

        if not tokens or not all(isinstance(t, dict) for t in tokens):
            self.fail("a token pattern must be a non-empty list of {ATTR: value} mappings")
        errors = validate_token_pattern(tokens)
        if errors:
            self.fail("invalid spaCy token pattern: " + "; ".join(errors))
        return [tokens]


def load_file(
    path: Path, nlp, allowed: Mapping[str, FrozenSet[str]], contexts: Tuple[str, ...] = ()
) -> List[Dict[str, Any]]:
    """Ruler patterns from one file; raises PatternError naming the file.

    ``contexts``: the context sections (CONTEXTS) this kind of file may have; like
    ``_ignore`` they get ``label`` = the section and ``id`` = the entity.
    """
    path = Path(path)
    entity = path.stem
    if entity not in allowed:
        raise PatternError(f"{path}: {entity!r} is not a fact entity; expected one of {sorted(allowed)}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PatternError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise PatternError(f"{path}: expected a mapping of canonical value -> list of patterns")
    words = data.pop(WORDS, None) or {}
    if not isinstance(words, dict):
        raise PatternError(f"{path}: {WORDS} must map NAME -> list of phrases")
    for name, phrases in words.items():
        if not isinstance(phrases, list) or not phrases:
            raise PatternError(f"{path}: {WORDS} {name}: expected a non-empty list of phrases")
        for phrase in phrases:
            if not isinstance(phrase, str):
                raise PatternError(
                    f"{path}: {WORDS} {name}: {phrase!r} is not text "
                    "(quote it; YAML reads yes/no/on/off, numbers and 'x: y' differently)"
                )
    if not data:
        raise PatternError(f"{path}: no canonical values")
    patterns = []
    for value, items in data.items():
        value = str(value)
        special = value == IGNORE or value in contexts
        if not special and value not in allowed[entity]:
            shown = sorted(allowed[entity])
            shown = shown if len(shown) <= 12 else shown[:12] + ["..."]
            raise PatternError(
                f"{path}: {value!r} is not a canonical value of {entity!r}; "
                f"allowed: {shown} (and {', '.join((IGNORE,) + tuple(contexts))})"
            )
        if not isinstance(items, list) or not items:
            raise PatternError(f"{path}: {value!r} must have a non-empty list of patterns")
        label, pid = (value, entity) if special else (entity, value)
        for n, item in enumerate(items, 1):
            compiler = _Compiler(nlp, f"{path}: {value} item {n}", words)
            if isinstance(item, str):
                compiled = compiler.text(item)
            elif isinstance(item, list):
                compiled = compiler.raw(item)
            else:
                hint = " (quote it: YAML reads yes/no/on/off and numbers as non-text)" if isinstance(item, (bool, int, float)) else ""
                compiler.fail(f"expected text or a list of token mappings, got {item!r}{hint}")
            patterns += [{"label": label, "id": pid, "pattern": p} for p in compiled]
    return patterns


def load_dir(
    directory: Path, nlp, allowed: Mapping[str, FrozenSet[str]], contexts: Tuple[str, ...] = ()
) -> List[Dict[str, Any]]:
    """All pattern files, in file-name order; the same pattern for two facts is an error.

    With ``contexts`` (mention files, whose facts may overlap) a pattern may serve several
    facts; only the same pattern for two values of one fact is an error.
    """
    files = sorted(Path(directory).glob("*.yml"))
    if not files:
        raise PatternError(f"{directory}: no pattern files (*.yml)")
    seen: Dict[str, Tuple[str, str]] = {}
    out: List[Dict[str, Any]] = []
    for path in files:
        for pat in load_file(path, nlp, allowed, contexts):
            key = json.dumps(pat["pattern"], sort_keys=True)
            if contexts:
                key = (pat["id"] if pat["label"].startswith("_") else pat["label"], key)
            where = (str(path), f"{pat['label']}={pat['id']}")
            if key in seen:
                if seen[key][1] != where[1]:
                    raise PatternError(
                        f"{path}: pattern {pat['pattern']!r} is given for {where[1]} "
                        f"and for {seen[key][1]} in {seen[key][0]}"
                    )
                continue
            seen[key] = where
            out.append(pat)
    return out


def iter_pattern_files(directory: Path) -> Iterable[Path]:
    return sorted(Path(directory).glob("*.yml"))
