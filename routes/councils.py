"""UK local authorities by nation, and a lookup from what a visitor calls one.

Visitors name a council or a town, rarely a nation, and the nation decides the regulator, the
law and the tender portals. The list lives in routes/councils.yml so a bid writer can correct
it; a mistake there is refused on load with a message naming the entry, because an alias
naming two councils would quietly send a visitor to the wrong regulator. For the same reason
matching is exact after normalisation, never fuzzy: "Newport" must not drift to "Newham".

`python -m routes.councils --lookup` prints the Rasa NLU lookup table kept in
data/nlu/lookup_councils.yml. No Rasa imports.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple, Union

from routes.content import read_yaml

NATIONS = ("england", "wales", "scotland", "northern_ireland")
ENTRY_FIELDS = ("name", "also", "within")
DEFAULT_COUNCILS = Path(__file__).with_name("councils.yml")
LOOKUP_FILE = Path(__file__).resolve().parent.parent / "data" / "nlu" / "lookup_councils.yml"
LOOKUP_COMMAND = "python -m routes.councils --lookup > data/nlu/lookup_councils.yml"

# Words visitors put around a council's own name. The longest one at the end (a suffix) is
# dropped, then a prefix, so "Kent County Council", "Kent council" and "Kent" meet.
SUFFIXES = tuple(tuple(s.split()) for s in sorted((
    "council", "county council", "city council", "borough council", "district council",
    "county borough council", "metropolitan borough council", "metropolitan district council",
    "city and district council", "islands council", "county", "city", "borough", "district",
), key=lambda s: -len(s.split())))
# Only for what a visitor types, never for building keys: "City of London" must not become
# "London", which names 33 councils.
PREFIXES = tuple(tuple(s.split()) for s in (
    "london borough of", "royal borough of", "city and county of", "borough of", "city of",
))

Words = Tuple[str, ...]


class CouncilsError(ValueError):
    """routes/councils.yml is malformed; the message names the entry at fault."""


@dataclass(frozen=True)
class Council:
    name: str
    nation: str  # one of NATIONS
    also: Tuple[str, ...] = ()
    within: Optional[str] = None  # the name of the council whose area wholly contains this one


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def _fold(text: str) -> str:
    """Lower case without accents ("Ynys Môn" = "ynys mon"), one apostrophe, & as "and"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_APOSTROPHES).lower().replace("&", " and ")


def _words(text: str, possessive: str = "") -> Words:
    """The words of `text`; punctuation and hyphens are spaces, "Kent's" is "kent".

    `possessive` replaces "'s": "" for what visitors type, "s" as a second spelling of the
    names in the file, so "Kings Lynn" finds "King's Lynn".
    """
    words = []
    for token in _TOKEN.findall(_fold(text)):
        if token.endswith("'s"):
            token = token[:-2] + possessive
        words.append(token.replace("'", ""))
    return tuple(words)


def _without_the(words: Words) -> Words:
    return words[1:] if len(words) > 1 and words[0] == "the" else words


def _core(words: Words) -> Words:
    """Without a leading "the" and the longest council suffix: "kent county council" -> "kent"."""
    words = _without_the(words)
    for suffix in SUFFIXES:
        if len(words) > len(suffix) and words[-len(suffix):] == suffix:
            return words[:-len(suffix)]
    return words


def _bare(words: Words) -> Words:
    for prefix in PREFIXES:
        if len(words) > len(prefix) and words[:len(prefix)] == prefix:
            return words[len(prefix):]
    return words


# A compass point visitors shorten: "S Lanarkshire", "W Sussex", "E Riding".
COMPASS = {"north": "n", "south": "s", "east": "e", "west": "w"}


def _spellings(text: str) -> Set[Words]:
    spellings = {_without_the(_words(text)), _without_the(_words(text, possessive="s"))}
    return spellings | {(COMPASS[w[0]], *w[1:]) for w in spellings if len(w) > 1 and w[0] in COMPASS}


class Councils:
    """Every council in the file, and lookups from a visitor's words to one of them."""

    def __init__(self, councils: Sequence[Council], whole: Dict[Words, Council],
                 in_sentence: Dict[Words, Council]):
        self.councils = tuple(councils)
        self._by_name = {council.name: council for council in councils}
        self._whole = whole  # a visitor's whole answer, after _core
        self._in_sentence = in_sentence  # names and aliases as written, to pick out of text
        self._longest = max(map(len, in_sentence), default=0)

    def __iter__(self) -> Iterator[Council]:
        return iter(self.councils)

    def __len__(self) -> int:
        return len(self.councils)

    def in_nation(self, nation: str) -> List[Council]:
        return [council for council in self.councils if council.nation == nation]

    def within(self, name: str) -> Optional[str]:
        """The name of the council whose area wholly contains the council named, if any."""
        council = self._by_name.get(name)
        return council.within if council else None

    def same_place(self, name: str, other: str) -> bool:
        """Whether two councils (by name) are one place to a visitor: the same council, one
        within the other ("Worcester" and Worcestershire), or both within a third ("Kidderminster"
        and "Worcester"). Names not in the file are the same place only if equal."""
        return name == other or bool(self._area(name) & self._area(other) - {None})

    def _area(self, name: str) -> Set[Optional[str]]:
        council = self._by_name.get(name)
        return {name, council.within} if council else {name}

    def find(self, text: str) -> Optional[Council]:
        """The council `text` names, when the text is just a council or place name.

        Case, punctuation, "the", "'s" and council words ("Kent County Council's") are
        ignored; anything else must match a name or alias exactly, so "London" and typos
        find nothing rather than a guess.
        """
        words = _words(text)
        for form in (words, _core(words), _bare(_core(words))):
            if form in self._whole:
                return self._whole[form]
        return None

    def nation_of(self, text: str) -> Optional[str]:
        """The nation of the council `text` names, or None; for a sentence use search()."""
        council = self.find(text)
        return council.nation if council else None

    def search(self, text: str) -> List[Council]:
        """Every council named in a longer text, once each, in order of appearance.

        At each word the longest name wins, so "Newcastle upon Tyne", "Port Glasgow" and
        "Sutton Coldfield" are not read as Newcastle(-under-Lyme), Glasgow and Sutton. Short
        names that are everyday words (Reading, Bury) count here only with a council word
        after them ("Reading council") because they are not aliases in the file.
        """
        words = _words(text)
        found: List[Council] = []
        start = 0
        while start < len(words):
            for length in range(min(self._longest, len(words) - start), 0, -1):
                council = self._in_sentence.get(words[start:start + length])
                if council is not None:
                    if council not in found:
                        found.append(council)
                    start += length
                    break
            else:
                start += 1
        return found

    def lookup_table(self) -> str:
        """The Rasa NLU lookup table of every name and alias, for data/nlu/lookup_councils.yml."""
        names = {name for council in self.councils for name in (council.name, *council.also)}
        lines = [
            f"# Generated by `{LOOKUP_COMMAND}`",
            "# from routes/councils.yml: do not edit by hand, edit that file and regenerate.",
            "# Every UK council and NI health and social care trust, and the short names and towns",
            "# visitors call them by. Used only as a feature (RegexFeaturizer -> CRFEntityExtractor)",
            "# for the free-text `council` entity; the value stays as the visitor wrote it.",
            'version: "3.1"',
            "",
            "nlu:",
            "- lookup: council",
            "  examples: |",
        ]
        lines += [f"    - {name}" for name in sorted(names, key=lambda n: (n.casefold(), n))]
        return "\n".join(lines) + "\n"


def load_councils(path: Union[str, Path] = DEFAULT_COUNCILS) -> Councils:
    """Read and check a councils file; CouncilsError (a ValueError) names the faulty entry."""
    return parse_councils(read_yaml(path, CouncilsError))


def parse_councils(raw: object) -> Councils:
    if not isinstance(raw, dict):
        raise CouncilsError(f"the councils file must be a mapping of {', '.join(NATIONS)}")
    for nation in raw:
        if nation not in NATIONS:
            raise CouncilsError(f"unknown nation '{nation}' (expected one of {', '.join(NATIONS)})")
    for nation in NATIONS:
        if nation not in raw:
            raise CouncilsError(f"missing nation '{nation}'")
    councils = [council for nation in NATIONS for council in _nation(nation, raw.get(nation))]

    whole: Dict[Words, Tuple[Council, str]] = {}
    in_sentence: Dict[Words, Tuple[Council, str]] = {}
    named: Dict[Words, Council] = {}
    for council in councils:
        for words in _spellings(council.name):
            if words in named:
                raise CouncilsError(f"duplicate name '{council.name}' (in {named[words].nation} "
                                    f"and {council.nation})")
            named[words] = council
        for text in (council.name, *council.also):
            for words in _spellings(text):
                _claim(in_sentence, words, council, text)
                _claim(whole, words, council, text)
                _claim(whole, _core(words), council, text)
        # "Reading council" in a sentence, though "Reading" alone is not an alias.
        for words in _spellings(council.name):
            _claim(in_sentence, _core(words) + ("council",), council, council.name)
    _check_within(councils)
    return Councils(councils,
                    {words: council for words, (council, _) in whole.items()},
                    {words: council for words, (council, _) in in_sentence.items()})


def _nation(nation: str, entries: object) -> List[Council]:
    if not isinstance(entries, list) or not entries:
        raise CouncilsError(f"{nation}: expected a list of councils")
    councils = []
    for number, entry in enumerate(entries, start=1):
        label = f"{nation} entry {number}"
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            label = f"{nation} '{entry['name']}'"
        if not isinstance(entry, dict):
            raise CouncilsError(f"{label}: expected 'name:' and 'also:', got {entry!r}")
        unknown = sorted(set(map(str, entry)) - set(ENTRY_FIELDS))
        if unknown:
            raise CouncilsError(f"{label}: unknown field(s) {', '.join(unknown)} "
                                f"(expected {', '.join(ENTRY_FIELDS)})")
        name = entry.get("name")
        if not isinstance(name, str) or not _words(name):
            also = entry.get("also")
            hint = f" (also: {', '.join(map(str, also))})" if isinstance(also, list) and also else ""
            raise CouncilsError(f"{label}{hint}: missing name")
        also = entry.get("also") or []
        if not isinstance(also, list) or not all(isinstance(a, str) and _words(a) for a in also):
            raise CouncilsError(f"{label}: 'also' must be a list of names, got {also!r}")
        within = entry.get("within")
        if within is not None and not (isinstance(within, str) and within.strip()):
            raise CouncilsError(f"{label}: 'within' must be one council's name, got {within!r}")
        councils.append(Council(name.strip(), nation, tuple(a.strip() for a in also),
                                within.strip() if within else None))
    return councils


def _check_within(councils: Sequence[Council]) -> None:
    """`within` names another council of the same nation, one that is within none itself."""
    by_name = {council.name: council for council in councils}
    for council in councils:
        if council.within is None:
            continue
        outer = by_name.get(council.within)
        if outer is None or outer is council:
            raise CouncilsError(f"{council.nation} '{council.name}': within '{council.within}', "
                                f"which is not another council in the file")
        if outer.nation != council.nation:
            raise CouncilsError(f"{council.nation} '{council.name}': within '{council.within}', "
                                f"which is in {outer.nation}")
        if outer.within is not None:
            raise CouncilsError(f"{council.nation} '{council.name}': within '{council.within}', "
                                f"which is itself within '{outer.within}'")


def _claim(keys: Dict[Words, Tuple[Council, str]], words: Words, council: Council, text: str) -> None:
    """Give `words` to `council`, refusing words another council already has."""
    if not words:
        return
    other, other_text = keys.setdefault(words, (council, text))
    if other is council:
        return
    shared = ("shared by two nations" if other.nation != council.nation
              else f"shared by two {council.nation} councils")
    raise CouncilsError(
        f"'{' '.join(words)}' names both {other.name} ({other.nation}, as '{other_text}') and "
        f"{council.name} ({council.nation}, as '{text}'): an alias {shared}; each must name "
        f"one council")


@lru_cache(maxsize=None)
def councils() -> Councils:
    """The default file, loaded and checked once per process."""
    return load_councils(DEFAULT_COUNCILS)


def main(argv: Optional[Sequence[str]] = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) != ["--lookup"]:
        print(f"usage: {LOOKUP_COMMAND}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(councils().lookup_table().encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
