"""What the route advisor's spaCy pipeline found in a message: fact values and councils.

The pipeline (language.build_pipeline) marks facts two ways:

- the **entity_ruler** (language/patterns/*.yml) sets ``doc.ents``: facts whose phrases
  compete, so the longest match wins ("not registered" beats "registered");
- the **mentions** span_ruler (language/mentions/*.yml, plus council names generated from
  routes/councils.yml) fills ``doc.spans["mentions"]``: facts that may overlap the ruler's
  and each other ("CQC registered" is registration=registered *and* regulator=cqc; "new dom
  care agency" is stage=new *and* service=home_care).

``find`` turns both into one list of canonical (entity, value) findings in text order. The
Rasa component (language.canonical_values), the pattern tests and the NLU scoring all call
it, so what is tested is what the bot gets. No Rasa imports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Protocol, Sequence, Set, Tuple

from language.pattern_format import BASE, CURRENT, IGNORE, NOT, TARGET, TARGET_AFTER

SPANS_KEY = "mentions"
COUNCIL = "council"
STAGE, NEW, ESTABLISHED, EXPANDING = "stage", "new", "established", "expanding"
ON_LIST, LISTED = "on_list", frozenset({"framework", "dps", "both"})
FUNDING, NHS = "funding", "nhs"
# A "new" said with one of these is private work only: the first words of the PRIVATE phrases
# of language/patterns/stage.yml (checked by tests/language/test_patterns.py; a copy, because
# the trained model reads no pattern file at run time).
PRIVATE_WORDS = frozenset({"private", "privately", "self-funded", "self-funders", "self-funding", "self"})
# The first words of the WANT phrases of language/patterns/stage.yml (a copy, checked by
# tests/language/test_patterns.py): an "expanding" said with one is a hope, not work elsewhere.
WANT_WORDS = frozenset({"'d", "aiming", "eyeing", "hoping", "keen", "like", "looking", "trying", "wanna", "want", "wanting", "wants", "would"})
# Words of a "new" phrase that denies council work ("no council work", "nothing from the LA",
# "never had anything off Bristol"), unlike a start-up's ("brand new agency").
NO_COUNCIL_WORK_WORDS = frozenset({"council", "councils", "la", "local", "authority", "never", "no", "nothing", "zero"})

# Words after a council's name that are not part of it as typed ("Stoke city", "Staffordshire CC").
COUNCIL_WORDS = frozenset({"city", "council", "cc", "county", "borough", "bc", "mbc", "'s"})

# Within one message a more specific value outranks a more general one of the same fact,
# wherever each is said: "we want to add supported living, we're CQC registered" means
# adding_service (registered, plus a service the registration doesn't cover yet).
OUTRANKS: Dict[Tuple[str, str], FrozenSet[str]] = {
    ("registration", "adding_service"): frozenset({"registered"}),
    # "we're not registered as we don't need to be": not registered because not required.
    ("registration", "not_required"): frozenset({"unregistered"}),
    # "we already work for Glasgow, now expanding into Lanarkshire": new to the council asked about.
    # "haven't worked with this council but we do with the one next door".
    ("stage", "expanding"): frozenset({"established", "new"}),
    # "not on the framework but we are on the DPS": the list they are on.
    ("on_list", "framework"): frozenset({"none"}),
    ("on_list", "dps"): frozenset({"none"}),
    ("on_list", "both"): frozenset({"none"}),
}
# A value read beside another fact's value: "we do companionship so we're not registered" is
# not registered because registration is not required.
READ_WITH: Dict[Tuple[str, str, str, str], str] = {
    ("service", "unregulated", "registration", "unregistered"): "not_required",
}
# One status phrase about both lists ("both shut", "neither is open", "no idea about the
# framework or the DPS", language/patterns/dps.yml) says it of the other list too, in that
# list's words (_both_lists). "Either" counts only beside a doubt ("no clue on either"): "the
# framework isn't open either" is about the framework.
BOTH_LISTS_WORDS = frozenset({"both", "neither"})
DOUBT_WORDS = frozenset({"idea", "clue", "sure", "dunno", "know", "unsure"})
LIST_WORDS = {"dps": frozenset({"dps", "dynamic"}), "framework": frozenset({"framework", "fw"})}
# The statuses (language/patterns/dps.yml, framework.yml) and the words that, right after a
# council's name, make that council the one whose list the status is of ("Kirklees dps is open").
STATUS_FACTS = frozenset({"dps", "framework"})
LIST_HEADS = frozenset({"dps", "dpss", "dynamic", "framework", "frameworks", "fw", "approved", "ppl", "list"})
OTHER_LIST: Dict[str, Tuple[str, Dict[str, str]]] = {
    "dps": ("framework", {"open": "opening", "closed": "closed", "unknown": "unknown"}),
    "framework": ("dps", {"opening": "open", "closed": "closed", "unknown": "unknown"}),
}
# Values of one fact that, said in one message, add up to another: "we're on the DPS and got
# onto the framework last year" is on both.
ADD_UP: Dict[Tuple[str, FrozenSet[str]], str] = {
    ("on_list", frozenset({"dps", "framework"})): "both",
}


class Places(Protocol):
    """How councils (by name) lie in one another: routes.councils.Councils."""

    def same_place(self, name: str, other: str) -> bool:
        """One place to a visitor: the same council, one within the other, or both within a third."""

    def within(self, name: str) -> Optional[str]:
        """The council whose area wholly contains this one, if any."""


class _Apart:
    """No council lies in another: each is only itself."""

    @staticmethod
    def same_place(name: str, other: str) -> bool:
        return name == other

    @staticmethod
    def within(name: str) -> Optional[str]:
        return None


@dataclass(frozen=True)
class Found:
    start: int  # character offsets in the message
    end: int
    entity: str
    value: str  # canonical: a fact's answer in the tree, or a council's name
    text: str


def find(doc, allowed: Mapping[str, FrozenSet[str]], places: Optional[Places] = None) -> List[Found]:
    """Canonical findings in text order (a slot takes the last one of its entity).

    ``allowed``: the canonical values per entity (language.mentions.canonical_values());
    a span whose entity or value is not in it is never returned. ``places``: how councils lie in
    one another ("based in Worcester, after Worcestershire work" names one place, and the
    council is Worcestershire); without it, each council is only itself.
    """
    places = places or _Apart()
    found = [
        Found(e.start_char, e.end_char, e.label_, e.ent_id_, e.text)
        for e in doc.ents
        if e.ent_id_ in allowed.get(e.label_, ())
    ]
    found += _mentions(doc, allowed, places)
    if any((f.entity, f.value) == (STAGE, NEW) and PRIVATE_WORDS & set(f.text.lower().split()) for f in found):
        # Private work only: new to publicly funded work, however long they have traded
        # ("the company's 2 years old, all private"), whatever council they hope to get
        # into ("private pay only atm, hoping to get into Devon").
        found = [f for f in found if (f.entity, f.value) != (STAGE, ESTABLISHED)
                 and not ((f.entity, f.value) == (STAGE, EXPANDING) and WANT_WORDS & set(f.text.lower().split()))]
    if _targets_another_council(doc, found, places):
        found = _as_expanding(found, {ESTABLISHED})
    if _new_only_to_the_target(doc, found, places):
        found = _as_expanding(found, {NEW})
    if _nhs_work_but_no_council_work(found):
        found = _as_expanding(found, {NEW})
    found += _more_from_a_current_council(doc, found, places)
    found += _moving_from_council_to_council(doc, found, places)
    found += _from_nhs_work_to_a_council(doc, found, places)
    if _work_with_one_council_none_with_another(found, places):
        found = _as_expanding(found, {NEW, ESTABLISHED})
    found += _spot_work_with_the_council(found)
    found = _from_a_current_council_to_another(doc, found, places)
    if any(f.entity == ON_LIST and f.value in LISTED for f in found):
        # On the buyer's list with "no packages yet": the list makes them established
        # (the tree's `implies`), so the "new" of no work yet is not taken.
        found = [f for f in found if (f.entity, f.value) != (STAGE, NEW)]
    if lists_of_another_council(doc, found, places):
        found = [f for f in found if not (f.entity == ON_LIST and f.value in LISTED)]
    found = _statuses_of_another_council(doc, found, places)
    found += _both_lists(found)
    for (entity, value), beaten in OUTRANKS.items():
        if any(f.entity == entity and f.value == value for f in found):
            found = [f for f in found if not (f.entity == entity and f.value in beaten)]
    for (beside, value, entity, said), meant in READ_WITH.items():
        if any(f.entity == beside and f.value == value for f in found):
            found = [replace(f, value=meant) if f.entity == entity and f.value == said else f for f in found]
    for (entity, parts), total in ADD_UP.items():
        if parts <= {f.value for f in found if f.entity == entity}:
            found = [replace(f, value=total) if f.entity == entity and f.value in parts else f for f in found]
    return sorted(found, key=lambda f: (f.start, f.end, f.entity))


def _as_expanding(found: List[Found], stages: Set[str]) -> List[Found]:
    """The findings with each stage of ``stages`` read as expanding."""
    return [replace(f, value=EXPANDING) if f.entity == STAGE and f.value in stages else f for f in found]


def said_at_all(doc, allowed: Mapping[str, FrozenSet[str]], ignored: bool = True) -> Set[str]:
    """The facts a pattern matched, kept by ``find`` or not: one it set aside (a list of
    another council, "new" beside a list) is still not for a guess from the whole message;
    nor, where ``ignored``, is one whose words an `_ignore` pattern says are not it ("spot
    only, no framework")."""
    said = ({e.label_ for e in doc.ents if e.ent_id_ in allowed.get(e.label_, ())}
            | {s.label_ for s in _spans(doc) if s.id_ in allowed.get(s.label_, ())})
    if ignored:
        said |= {e.ent_id_ for e in doc.ents if e.label_ == IGNORE and e.ent_id_ in allowed}
    return said


def _targets_another_council(doc, found: List[Found], places: Places) -> bool:
    """Established, and after a council the established phrase does not name ("we work for
    Leeds, want to get into Wakefield", "we do council work up north, eyeing up Dumfries"):
    a council marked by a `_target` or `_target_after` phrase (language/mentions/council.yml)
    outside every span that says established."""
    established = [(f.start, f.end) for f in found if (f.entity, f.value) == (STAGE, ESTABLISHED)]
    if not established:
        return False
    spans = _spans(doc)
    context = _contexts(spans)
    councils = _councils(spans)

    def said_established(s) -> bool:
        return any(start <= s.start_char and s.end_char <= end for start, end in established)

    # The councils the phrase names, or names next ("we do spot work for Bury and Bolton").
    named = [s for s in councils if said_established(s)
             or any(0 <= s.start_char - end <= 1 for _, end in established)]
    named += [s for s in councils if s not in named and any(_joined(doc, n, s) for n in named)]
    worked_for = [s.id_ for s in named]
    return any(
        _tier(s, context, COUNCIL) < 0 and not said_established(s)
        and not any(places.same_place(s.id_, other) for other in worked_for)
        for s in councils
    )


def _targets_and_elsewhere(doc, places: Places, found: Sequence[Found] = ()) -> Tuple[Dict[str, Dict[str, list]], list, Set[str]]:
    """The context phrases, the councils they mark as the one the visitor is after, and the
    names of other councils said plainly or as the visitor's base, not only as the council
    whose list a status of ``found`` is ("Vale of Glam framework opens in spring")."""
    spans = _spans(doc)
    context = _contexts(spans)
    councils = [(s, _tier(s, context, COUNCIL)) for s in _councils(spans)]
    targets = [s for s, tier in councils if tier < 0]
    owners = {owner.start for owner in _status_owners(doc, found).values()}
    elsewhere = {s.id_ for s, tier in councils if tier in (0, 1) and s.start not in owners
                 and not any(places.same_place(s.id_, t.id_) for t in targets)}
    return context, targets, elsewhere


def _from_nhs_work_to_a_council(doc, found: List[Found], places: Places) -> List[Found]:
    """No stage said, NHS funding said and then a council they are after ("we do CHC for the
    ICB, want to work with Camden council now"): NHS work is publicly funded work, so
    expanding, said by the phrase that marks the target."""
    if any(f.entity == STAGE for f in found):
        return []
    context, targets, _ = _targets_and_elsewhere(doc, places)
    if not _nhs_before_the_target(found, targets):
        return []
    return _expanding_into(targets[-1], context)


def _nhs_before_the_target(found: List[Found], targets: list) -> bool:
    """NHS funding said before the last council they are after."""
    return bool(targets) and any((f.entity, f.value) == (FUNDING, NHS) and f.start < targets[-1].start_char
                                 for f in found)


def _work_with_one_council_none_with_another(found: List[Found], places: Places) -> bool:
    """Work with one council (established, or on a list) and none with another (new), two
    councils named: "Dundee already place residents with us, but we've never had an Angus
    council placement", "we're on the Essex framework ... never had anything from Southend"."""
    stages = {f.value for f in found if f.entity == STAGE}
    listed = any(f.entity == ON_LIST and f.value in LISTED for f in found)
    councils = {f.value for f in found if f.entity == COUNCIL}
    return (NEW in stages and (ESTABLISHED in stages or listed)
            and any(not places.same_place(a, b) for a in councils for b in councils))


def _new_only_to_the_target(doc, found: List[Found], places: Places) -> bool:
    """New, said only by the phrases that mark the council they are after ("never worked with
    Durham council", "Flintshire would be brand new to us"), and another council named plainly
    or as their base ("our office is in Darlington"): new to that council, not to council
    work, so expanding. "A start-up in Leeds, never worked with Bradford" stays new. NHS work
    said before the target counts as council work elsewhere: "we do CHC for the ICB but have
    never worked with Derby council" is expanding."""
    new = [f for f in found if (f.entity, f.value) == (STAGE, NEW)]
    if not new:
        return False
    context, targets, elsewhere = _targets_and_elsewhere(doc, places)
    if not targets or not (elsewhere or _nhs_before_the_target(found, targets)):
        return False
    marks = [c for c in context[TARGET].get(COUNCIL, []) if any(c.end == t.start for t in targets)]
    marks += [c for c in context[TARGET_AFTER].get(COUNCIL, []) if any(c.start == t.end for t in targets)]
    return all(any(m.start_char < f.end and f.start < m.end_char for m in marks) for f in new)


def _nhs_work_but_no_council_work(found: List[Found]) -> bool:
    """NHS funding said, and "new" said only as no council work ("we do CHC for the ICB but no
    council work", "NHS packages, nothing from the LA"): NHS work is publicly funded work, so
    new to the council, not to public work (expanding), as every writer of the stop 26
    development set reads it. "A start-up wanting CHC packages" stays new."""
    new = [f for f in found if (f.entity, f.value) == (STAGE, NEW)]
    return (bool(new) and any((f.entity, f.value) == (FUNDING, NHS) for f in found)
            and all(NO_COUNCIL_WORK_WORDS & set(f.text.lower().split()) for f in new)
            and not any(PRIVATE_WORDS & set(f.text.lower().split()) for f in new))


def _moving_from_council_to_council(doc, found: List[Found], places: Places) -> List[Found]:
    """No stage said, one council named plainly or as the base and a different one as the
    target ("based in Bristol, want to take on work in South Glos", "we're in Croydon and
    would like to start working in Bromley"): expanding, said by the phrase that marks the target."""
    if any(f.entity == STAGE for f in found):
        return []
    context, targets, elsewhere = _targets_and_elsewhere(doc, places, found)
    if not targets or not elsewhere:
        return []
    return _expanding_into(targets[-1], context)


def _more_from_a_current_council(doc, found: List[Found], places: Places) -> List[Found]:
    """No stage said, and the council they are after is one they already work for, named
    after a `_current` phrase or listed with one ("we do spot for NE Lincs and North Lincs,
    want more NE Lincs hours"): established, said at that phrase."""
    if any(f.entity == STAGE for f in found):
        return []
    context, targets, _ = _targets_and_elsewhere(doc, places)
    if not targets:
        return []
    # "we used to work for Torbay": work they had, not work they have.
    marks = {c.end: c for c in context[CURRENT].get(COUNCIL, [])
             if [t.lower_ for t in doc[max(c.start - 2, 0):c.start]] != ["used", "to"]}
    councils = _councils(_spans(doc))
    current = [s for s in councils if s.start in marks and _tier(s, context, COUNCIL) == 1]
    current += [s for s in councils if s not in current and any(_joined(doc, c, s) for c in current)]
    if not any(places.same_place(c.id_, targets[-1].id_) and c.start < targets[-1].start for c in current):
        return []
    mark = marks[current[0].start]
    return [Found(mark.start_char, mark.end_char, STAGE, ESTABLISHED, mark.text)]


def _expanding_into(target, context: Dict[str, Dict[str, list]]) -> List[Found]:
    """Stage expanding, found at the phrase that marks ``target`` as the council they are after."""
    phrase = next(c for c in context[TARGET].get(COUNCIL, []) + context[TARGET_AFTER].get(COUNCIL, [])
                  if c.end == target.start or c.start == target.end)
    return [Found(phrase.start_char, phrase.end_char, STAGE, EXPANDING, phrase.text)]


def _spot_work_with_the_council(found: List[Found]) -> List[Found]:
    """No stage said, only spot work (on_list none, said with "spot") and a council named
    ("we're spot only with Luton", "Wrexham - spot only"): spot packages from that council
    are work for it, so established, said where the spot work is."""
    if any(f.entity == STAGE for f in found) or not any(f.entity == COUNCIL for f in found):
        return []
    return [Found(f.start, f.end, STAGE, ESTABLISHED, f.text) for f in found
            if (f.entity, f.value) == (ON_LIST, "none") and "spot" in f.text.lower()][:1]


def _from_a_current_council_to_another(doc, found: List[Found], places: Places) -> List[Found]:
    """A council they already work for (after a `_current` phrase: "we do work for Warrington",
    "we're on Newham's", "we deliver in Bristol"; or inside or just before a phrase that says
    established: "Leeds gives us lots of work") and a different one the slot would take ("Tower
    Hamlets DPS is open", "halton - never worked with them"): they are after that one, new to
    it but not to council work, so expanding (said at the `_current` phrase if no stage was),
    and a list said of the current council is not on_list. "We work for Leeds and Bradford"
    is work for both (`_joined`); private work is not council work."""
    spans = _spans(doc)
    context = _contexts(spans)
    councils = _councils(spans)
    # "we do private work in Newry": not work for the council.
    marks = {c.end: c for c in context[CURRENT].get(COUNCIL, [])
             if not (c.start > 0 and doc[c.start - 1].lower_ in PRIVATE_WORDS)}
    established = [(f.start, f.end) for f in found if (f.entity, f.value) == (STAGE, ESTABLISHED)]
    current = [s for s in councils if s.start in marks
               or any(start <= s.start_char and s.end_char <= end or 0 <= start - s.end_char <= 1
                      for start, end in established)]
    current_ids = {s.id_ for s in current}
    chosen_ids = {f.value for f in found if f.entity == COUNCIL
                  and not any(places.same_place(f.value, c) for c in current_ids)}
    chosen = [s for s in councils if s.id_ in chosen_ids]
    if not current or not chosen or any(_joined(doc, c, s) for c in current for s in chosen):
        return found
    if any((f.entity, f.value) == (STAGE, NEW) and PRIVATE_WORDS & set(f.text.lower().split()) for f in found):
        return found
    found = [f for f in found if not (f.entity == COUNCIL and f.value in current_ids)]

    def of_the_current(f: Found) -> bool:
        before = [s for s in councils if s.end_char <= f.end]
        return bool(before) and max(before, key=lambda s: s.end_char).id_ in current_ids

    found = [f for f in found if not (f.entity == ON_LIST and f.value in LISTED and of_the_current(f))]
    if any(f.entity == STAGE for f in found):
        return _as_expanding(found, {NEW, ESTABLISHED})
    mark = marks[current[0].start]
    return found + [Found(mark.start_char, mark.end_char, STAGE, EXPANDING, mark.text)]


def _both_lists(found: List[Found]) -> List[Found]:
    """The other list's status, where one status phrase is about both lists and nothing is
    said of the other one on its own: "east sussex - both shut" is dps and framework closed."""
    said = {f.entity for f in found}
    out = []
    for f in found:
        if f.entity not in OTHER_LIST or OTHER_LIST[f.entity][0] in said:
            continue
        words = set(re.findall(r"[a-z]+", f.text.lower()))
        if (words & BOTH_LISTS_WORDS or ("either" in words and words & DOUBT_WORDS)
                or all(words & list_words for list_words in LIST_WORDS.values())):
            other, values = OTHER_LIST[f.entity]
            out.append(replace(f, entity=other, value=values[f.value]))
    return out


def _joined(doc, a, b) -> bool:
    """Two council names with only "and", "&", "or" or "/" between them, or a comma that
    a list goes on after ("Leeds, Bradford and Wakefield", not "Bury, Rochdale approached us"),
    the first name's council words aside ("Stoke city and Staffordshire CC"): one group."""
    first, second = sorted((a, b), key=lambda s: s.start)
    between = {t.lower_ for t in doc[first.end:second.start]} - COUNCIL_WORDS
    if not between <= {"and", "&", "or", "/", ","}:
        return False
    return "," not in between or (second.end < len(doc) and doc[second.end].lower_ in {"and", "&", ","})


def lists_of_another_council(doc, found: List[Found], places: Places) -> bool:
    """Expanding into a council they target, and a list said of another ("we're on the Lewisham
    framework and want to get into Greenwich", "new to Shropshire, we're on Telford's DPS",
    "expanding into Redbridge from Havering, where we've been on the framework"): the list is not
    the target council's, whose on_list stays unsaid (the assistant asks). A list said after
    the target, with no other council named between them, keeps. CanonicalValues asks it too
    of a list the CRF found."""
    if not any((f.entity, f.value) == (STAGE, EXPANDING) for f in found):
        return False
    spans = _spans(doc)
    context = _contexts(spans)
    councils = [(s, _tier(s, context, COUNCIL)) for s in _councils(spans)]
    targets = [s for s, tier in councils if tier < 0]
    if not targets:
        return False
    target_ids = {t.id_ for t in targets}
    lists = [f for f in found if f.entity == ON_LIST and f.value in LISTED]

    def of_another(found_list: Found) -> bool:
        # The council named last before the list ends ("we're on Telford's DPS", "from
        # Havering, where we've been on the framework"), or none: said before the target.
        before = [s for s, _ in councils if s.end_char <= found_list.end]
        if before:
            last = max(before, key=lambda s: s.end_char).id_
            return not any(places.same_place(last, t) for t in target_ids)
        return found_list.start < min(t.start_char for t in targets)

    return bool(lists) and all(of_another(f) for f in lists)


def _status_owners(doc, found: Sequence[Found]) -> Dict[Found, Any]:
    """Each DPS or framework status whose list word comes right after a council's name (its
    "'s" or "council" aside): "Kirklees dps is open", "Manchester's framework closed". The
    council named is the one that list is of."""
    owners: Dict[Found, Any] = {}
    statuses = [f for f in found if f.entity in STATUS_FACTS]
    if not statuses:
        return owners
    for span in _councils(_spans(doc)):
        i = span.end
        while i < len(doc) and doc[i].lower_ in COUNCIL_WORDS:
            i += 1
        if i < len(doc) and doc[i].lower_ in LIST_HEADS:
            for f in statuses:
                if f.start <= doc[i].idx < f.end:
                    owners[f] = span
    return owners


def _statuses_of_another_council(doc, found: List[Found], places: Places) -> List[Found]:
    """A DPS or framework status of a council other than the one the council slot takes (the
    last found): "Kirklees dps is open but its Calderdale we want", "Tower Hamlets dps is open,
    but we want Hackney work". What is open at the target stays unsaid (the assistant asks)."""
    councils = [f for f in found if f.entity == COUNCIL]
    owners = _status_owners(doc, found)
    if not councils or not owners:
        return found
    target = councils[-1].value
    return [f for f in found if f not in owners or places.same_place(owners[f].id_, target)]


def council_spans(doc) -> List[Tuple[int, int]]:
    """Character spans of every council name recognised, used or not ("not Kent", "based
    in Bristol"): a statistical council entity overlapping one of these is not a new name."""
    return [(s.start_char, s.end_char) for s in _spans(doc) if s.label_ == COUNCIL]


def _councils(spans) -> list:
    """The council names among ``spans``, a name inside a longer one aside: "Gloucestershire"
    in "South Gloucestershire DPS is closed" is not a second council (whose DPS that would be)."""
    return _longest_first([s for s in spans if s.label_ == COUNCIL])


def _spans(doc) -> Sequence:
    return doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else ()


def _contexts(spans) -> Dict[str, Dict[str, list]]:
    """The context spans, by section (`_ignore`, `_target`, `_target_after`, `_base`, `_current`, `_not`)
    and then by the entity they are context for."""
    context: Dict[str, Dict[str, list]] = {IGNORE: {}, TARGET: {}, TARGET_AFTER: {}, BASE: {}, CURRENT: {}, NOT: {}}
    for s in spans:
        if s.label_ in context:
            context[s.label_].setdefault(s.id_, []).append(s)
    return context


def _mentions(doc, allowed: Mapping[str, FrozenSet[str]], places: Places) -> List[Found]:
    spans = _spans(doc)
    context = _contexts(spans)
    candidates: Dict[str, list] = {}
    for s in spans:
        if s.label_ not in context and s.id_ in allowed.get(s.label_, ()):
            candidates.setdefault(s.label_, []).append(s)
    out: List[Found] = []
    for entity, spans_of in sorted(candidates.items()):
        ignores = context[IGNORE].get(entity, [])
        kept = [s for s in spans_of if not any(i.start < s.end and s.start < i.end and len(i) > len(s) for i in ignores)]
        kept = _longest_first(kept)
        # Tiers: one right after a `_target` phrase ("want to get into Wakefield") beats a plain
        # mention, which beats one right after a `_base` phrase ("based in Bristol"), which beats
        # one right after a `_not` phrase ("not Kent"); only the best tier is used.
        tier = {s: _tier(s, context, entity) for s in kept}
        best = min(tier.values(), default=0)
        chosen = [s for s in kept if tier[s] == best]
        if entity == COUNCIL:
            chosen = _the_councils_around(chosen, [s for s in kept if tier[s] < 2], places)
        out += [Found(s.start_char, s.end_char, entity, s.id_, s.text) for s in chosen]
    return out


def _the_councils_around(chosen: list, named: list, places: Places) -> list:
    """Each chosen council, or the council around it where the visitor names that one too:
    in "we get spot packages from Kent County Council for our Maidstone branch" the council
    is Kent, which buys the care; Maidstone only says where."""
    out = []
    for span in chosen:
        outer = places.within(span.id_)
        around = [s for s in named if s.id_ == outer]
        out.append(around[0] if around else span)
    return sorted(set(out), key=lambda s: s.start)


def _tier(span, context: Dict[str, Dict[str, list]], entity: str) -> int:
    """-1 after a `_target` phrase or before a `_target_after` one, 1 after `_base` or
    `_current` (a `_target` phrase that ends there too wins: "want to work in"), 2 after
    `_not` (unless a `_target` phrase as long ends there too, "but not Bradford's", or a
    `_target_after` one follows, "not Cardiff yet"), else 0."""
    def after(section: str) -> int:
        return max((len(c) for c in context[section].get(entity, []) if c.end == span.start), default=0)

    targeted = any(c.start == span.end for c in context[TARGET_AFTER].get(entity, []))
    if after(NOT) and not (targeted or after(TARGET) >= after(NOT)):
        return 2
    if after(BASE):
        return 1
    if after(TARGET) or targeted:
        return -1
    if after(CURRENT):
        return 1
    return 0


def _longest_first(spans: list) -> list:
    """Non-overlapping spans, the longest winning (then the earliest), like the entity_ruler:
    "Care Inspectorate Wales" is ciw, not the Care Inspectorate followed by Wales."""
    chosen: list = []
    taken: Set[int] = set()
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.id_)):
        if not taken.intersection(range(s.start, s.end)):
            chosen.append(s)
            taken.update(range(s.start, s.end))
    return sorted(chosen, key=lambda s: s.start)
