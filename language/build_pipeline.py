"""Build the spaCy pipeline that Rasa's SpacyNLP loads (config.yml).

    python -m language.build_pipeline [out_dir]     # default build/spacy/en_route_advisor

A blank English pipeline: lookup lemmatizer (spacy-lookups-data) + the spelling step
(language/spelling.py) + entity_ruler (spaCy's, indexed by first word: language/first_word.py) with the patterns in language/patterns/*.yml + a
span_ruler "mentions" with the patterns in language/mentions/*.yml and the council names
of routes/councils.yml. The rulers match on NORM, which the spelling step sets to each
word's lower case or its correction; its vocabulary is every word of those patterns plus
common English. No statistical model, so the build is deterministic and takes a few seconds. A malformed pattern file or
a value that is not canonical (a fact's answers in routes/decision-tree.yml) stops the
build with a message naming the file.

The Rasa model does not contain this pipeline: SpacyNLP loads it by name at train *and*
run time. `make spacy` builds it here, packages it (`spacy package`, a wheel in
build/spacy/dist/) and installs the package ``en_route_advisor`` into the venv, so config.yml
names the package and Rasa finds it from any working directory. The package version is
PIPELINE_VERSION plus a digest of everything the pipeline is made of, so a changed pipeline
is a new version, and an image or venv says which one it has.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterable, Mapping
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import yaml

from language import first_word
from language.contract import REPO_ROOT, allowed_values
from language.facts import SPANS_KEY
from language.mentions import MENTIONS_DIR, canonical_values, mention_patterns
from language.pattern_format import PatternError, load_dir
from language.spelling import FACTORY as SPELLING_FACTORY
from language.spelling import english_frequencies

PATTERNS_DIR = REPO_ROOT / "language" / "patterns"
SHORTHAND = REPO_ROOT / "language" / "shorthand.yml"  # texting shorthand -> the word (spelling step)
ABBREVIATIONS = REPO_ROOT / "language" / "abbreviations.yml"  # "hrs" -> hours, for the patterns (NORM)
DEFAULT_OUT = Path("build/spacy/en_route_advisor")
PIPELINE_VERSION = "1.0.0"
# Our code the package carries (spacy package --code): the pipeline's own factories.
PACKAGED_CODE = (REPO_ROOT / "language" / "spelling.py", REPO_ROOT / "language" / "first_word.py")
_WORD_ATTRS = ("LOWER", "NORM", "ORTH", "TEXT")


def pattern_vocabulary(patterns: Iterable[dict[str, Any]], nlp) -> tuple[set[str], list[frozenset[str]]]:
    """Every word (lower case) the patterns name, the spelling step's domain vocabulary,
    and the sets of words a token may be one of (where typos are listed beside their word)."""
    words: set[str] = set()
    alternatives: set[frozenset[str]] = set()
    for pat in patterns:
        if isinstance(pat["pattern"], str):
            words.update(t.lower_ for t in nlp.make_doc(pat["pattern"]))
            continue
        for spec in pat["pattern"]:
            for attr in _WORD_ATTRS:
                value = spec.get(attr)
                if isinstance(value, str):
                    words.add(value.lower())
                elif isinstance(value, dict):
                    for key in ("IN", "NOT_IN"):
                        listed = frozenset(str(v).lower() for v in value.get(key, ()))
                        words |= listed
                        if len(listed) > 1:
                            alternatives.add(listed)
    return words, sorted(alternatives, key=sorted)


def on_norm(patterns: list[dict[str, Any]], typos: Mapping[str, str], per_fact: bool = False) -> list[dict[str, Any]]:
    """Token patterns written for LOWER, matching NORM instead: lower case, a listed typo
    written as the word it mistypes, as the spelling step writes a message's NORM. Phrase
    patterns are unchanged: the rulers' phrase_matcher_attr is NORM, and their docs go
    through the spelling step. Two patterns that become one for different values fail
    (``per_fact``, for mention files: for different values of one fact, as in load_dir)."""

    def word(value: Any) -> Any:
        if isinstance(value, str):
            return typos.get(value.lower(), value.lower())
        if isinstance(value, dict):
            return {k: sorted({word(v) for v in vs}) if k in ("IN", "NOT_IN") else vs for k, vs in value.items()}
        return value

    out, seen = [], {}
    for pat in patterns:
        if isinstance(pat["pattern"], list):
            tokens = [{("NORM" if k == "LOWER" else k): (word(v) if k in ("LOWER", "NORM") else v)
                       for k, v in spec.items()} for spec in pat["pattern"]]
            pat = {**pat, "pattern": tokens}
            key = json.dumps(tokens, sort_keys=True)
            if per_fact:
                key = (pat["id"] if pat["label"].startswith("_") else pat["label"], key)
            if seen.setdefault(key, (pat["label"], pat["id"])) != (pat["label"], pat["id"]):
                raise PatternError(
                    f"pattern {tokens!r} is given for {pat['label']}={pat['id']} and for "
                    "{}={} once listed typos are read as the words they mistype".format(*seen[key])
                )
        out.append(pat)
    return out


def make_nlp(
    patterns_dir: Path = PATTERNS_DIR, tree_path: Path | None = None, mentions_dir: Path = MENTIONS_DIR
):
    """The pipeline in memory (used by the build and by the tests)."""
    import spacy

    nlp = spacy.blank("en")
    # "150hrs+" is "150", "hrs", "+", as "150 hrs" is: the patterns' <small>/<big> hrs read it.
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(
        list(nlp.Defaults.suffixes) + [r"(?<=[0-9])(?:hrs|hr|hours|hour)", r"(?<=[0-9a-z])\+"]).search
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # Sets NORM (lower case, or a typo's correction) for the rulers; the text stays as typed.
    spelling = nlp.add_pipe(SPELLING_FACTORY, name="spelling")
    # Patterns are validated by language.pattern_format (naming the file), not by the rulers.
    # The built-in rulers with their token patterns indexed by first word (language/first_word.py).
    ruler = nlp.add_pipe(first_word.ENTITY_RULER, name="entity_ruler", config={"phrase_matcher_attr": "NORM", "overwrite_ents": True})
    # Facts that may overlap the ruler's and each other (regulator, service, ...) and councils:
    # every match is kept in doc.spans["mentions"]; language/facts.py picks the winners.
    mentions = nlp.add_pipe(
        first_word.SPAN_RULER, name="mentions", config={"spans_key": SPANS_KEY, "phrase_matcher_attr": "NORM", "overwrite": True}
    )
    nlp.initialize()  # loads the lemma tables; it would also empty the rulers, so patterns come after
    allowed = canonical_values(tree_path)
    patterns = load_dir(patterns_dir, nlp, allowed_values(tree_path))
    spans = mention_patterns(nlp, allowed, mentions_dir)
    spelling.learn(*pattern_vocabulary(patterns + spans, nlp), english=english_frequencies(),
                   shorthand=yaml.safe_load(SHORTHAND.read_text(encoding="utf-8")),
                   abbreviations=yaml.safe_load(ABBREVIATIONS.read_text(encoding="utf-8")))
    patterns, spans = on_norm(patterns, spelling.typos), on_norm(spans, spelling.typos, per_fact=True)
    # Phrase patterns are docs made by the pipes before the ruler: the spelling step gives
    # them the same NORM a message gets (their words are its vocabulary: never corrected).
    with nlp.select_pipes(disable=["lemmatizer", "mentions"]):
        ruler.add_patterns(patterns)
    with nlp.select_pipes(disable=["lemmatizer", "entity_ruler"]):
        mentions.add_patterns(spans)
    digest = hashlib.sha256()
    digest.update(json.dumps([patterns, spans], sort_keys=True).encode())
    digest.update(nlp.config.to_str().encode())
    digest.update(nlp.get_pipe("lemmatizer").lookups.to_bytes())
    digest.update(json.dumps([sorted(spelling.domain.items()), sorted(spelling.typos.items()), sorted(spelling.english),
                              sorted(spelling.shorthand.items())]).encode())
    for source in PACKAGED_CODE:  # the package carries these files' code
        digest.update(source.read_bytes())
    nlp.meta.update(
        name="route_advisor",
        # A PEP 440 local version: pip installs a rebuilt pipeline as the upgrade it is.
        version=f"{PIPELINE_VERSION}+{digest.hexdigest()[:12]}",
        description=(
            "Blank English + lookup lemmatizer + spelling (NORM) + entity_ruler (facts) "
            "+ span_ruler (mentions, councils)"
        ),
        requirements=[f"symspellpy=={installed_version('symspellpy')}"],
        patterns_count=len(patterns),
        mentions_count=len(spans),
        spelling_vocabulary=len(spelling.domain),
    )
    return nlp


def build(out_dir: Path = DEFAULT_OUT, patterns_dir: Path = PATTERNS_DIR) -> Path:
    nlp = make_nlp(patterns_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return out_dir


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m language.build_pipeline [out_dir]", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        out = build(Path(args[0]) if args else DEFAULT_OUT)
    except PatternError as exc:
        print(f"error: bad pattern file: {exc}", file=sys.stderr)
        return 1
    meta = json.loads((out / "meta.json").read_text())
    print(
        f"built {out} version {meta['version']} ({meta['patterns_count']} patterns, "
        f"{meta['mentions_count']} mention patterns) "
        f"in {time.monotonic() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
