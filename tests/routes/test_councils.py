"""routes/councils.yml and its lookup: the nation comes out right for what visitors type.

The data is edited by hand, so malformed files must be refused with the entry named, and the
NLU copy of the names (data/nlu/lookup_councils.yml) must not drift from it.
"""
import copy
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from routes.councils import (
    DEFAULT_COUNCILS, LOOKUP_FILE, NATIONS, CouncilsError, councils, load_councils,
)

ROOT = Path(__file__).resolve().parents[2]
RAW = yaml.safe_load(DEFAULT_COUNCILS.read_text(encoding="utf-8"))
TRUST = "Health and Social Care Trust"

# Every name in the first hand-written lookup table (data/nlu/lookup_councils.yml before it
# was generated). "Northamptonshire" was dropped: the county council was abolished in 2021
# and the name now covers two councils (North and West Northamptonshire).
FIRST_LOOKUP = [" ".join(name.split()) for name in """
    Barking and Dagenham | Barnet | Barnsley | Bath and North East Somerset | BANES | Bedford |
    Bexley | Birmingham | Blackburn with Darwen | Blackpool | Bolton | Bournemouth, Christchurch
    and Poole | BCP | Bracknell Forest | Bradford | Brent | Brighton and Hove | Brighton |
    Bristol | Bromley | Buckinghamshire | Bucks | Bury Council | Calderdale | Cambridgeshire |
    Camden | Central Bedfordshire | Cheshire East | Cheshire West and Chester | City of London |
    Cornwall | Coventry | Croydon | Cumberland | Darlington | Derby | Derbyshire | Devon |
    Doncaster | Dorset | Dudley | Durham | County Durham | Ealing | East Riding of Yorkshire |
    East Riding | East Sussex | Enfield | Essex | Gateshead | Gloucestershire | Greenwich |
    Hackney | Halton | Hammersmith and Fulham | Hampshire | Haringey | Harrow | Hartlepool |
    Havering | Herefordshire | Hertfordshire | Herts | Hillingdon | Hounslow | Hull | Isle of
    Wight | Isles of Scilly | Islington | Kensington and Chelsea | Kent | Kingston upon Thames |
    Kingston | Kirklees | Knowsley | Lambeth | Lancashire | Leeds | Leicester | Leicestershire |
    Lewisham | Lincolnshire | Liverpool | Luton | Manchester | Medway | Merton | Middlesbrough |
    Milton Keynes | Newcastle | Newcastle upon Tyne | Newham | Norfolk | North East Lincolnshire
    | North Lincolnshire | North Northamptonshire | North Somerset | North Tyneside | North
    Yorkshire | Northumberland | Nottingham | Nottinghamshire | Notts | Oldham | Oxfordshire |
    Oxford | Peterborough | Plymouth | Portsmouth | Reading Borough Council | Redbridge | Redcar
    and Cleveland | Richmond upon Thames | Richmond | Rochdale | Rotherham | Rutland | Salford |
    Sandwell | Sefton | Sheffield | Shropshire | Slough | Solihull | Somerset | South
    Gloucestershire | South Tyneside | Southampton | Southend | Southend-on-Sea | Southwark | St
    Helens | Staffordshire | Stockport | Stockton-on-Tees | Stoke-on-Trent | Stoke | Suffolk |
    Sunderland | Surrey | Sutton | Swindon | Tameside | Telford and Wrekin | Thurrock | Torbay |
    Tower Hamlets | Trafford | Wakefield | Walsall | Waltham Forest | Wandsworth | Warrington |
    Warwickshire | West Berkshire | West Northamptonshire | West Sussex | Westminster |
    Westmorland and Furness | Wigan | Wiltshire | Windsor and Maidenhead | Wirral | Wokingham |
    Wolverhampton | Worcestershire | York | Blaenau Gwent | Bridgend | Caerphilly | Cardiff |
    Carmarthenshire | Ceredigion | Conwy | Denbighshire | Flintshire | Gwynedd | Isle of
    Anglesey | Anglesey | Merthyr Tydfil | Monmouthshire | Neath Port Talbot | Newport |
    Pembrokeshire | Powys | Rhondda Cynon Taf | RCT | Swansea | Torfaen | Vale of Glamorgan |
    Wrexham | Aberdeen | Aberdeenshire | Angus | Argyll and Bute | Clackmannanshire | Dumfries
    and Galloway | Dundee | East Ayrshire | East Dunbartonshire | East Lothian | East
    Renfrewshire | Edinburgh | Falkirk | Fife | Glasgow | Highland | Inverclyde | Midlothian |
    Moray | North Ayrshire | North Lanarkshire | Orkney | Perth and Kinross | Renfrewshire |
    Scottish Borders | Shetland | South Ayrshire | South Lanarkshire | Stirling | West
    Dunbartonshire | West Lothian | Western Isles | Belfast Trust | Northern Trust | South
    Eastern Trust | Southern Trust | Western Trust
""".split("|")]


@pytest.mark.parametrize("text, name, nation", [
    ("Kent", "Kent County Council", "england"),
    ("kent", "Kent County Council", "england"),
    ("  KENT. ", "Kent County Council", "england"),
    ("Kent County Council", "Kent County Council", "england"),
    ("Kent's", "Kent County Council", "england"),
    ("kent county council's", "Kent County Council", "england"),
    ("KCC", "Kent County Council", "england"),
    ("Newport", "Newport City Council", "wales"),
    ("Newport council", "Newport City Council", "wales"),
    ("Cardiff", "Cardiff Council", "wales"),
    ("Glasgow", "Glasgow City Council", "scotland"),
    ("Glasgow City", "Glasgow City Council", "scotland"),
    ("the City of Edinburgh Council!", "City of Edinburgh Council", "scotland"),
    ("Belfast", "Belfast City Council", "northern_ireland"),
    ("Belfast HSC Trust", "Belfast Health and Social Care Trust", "northern_ireland"),
    ("the Southern Trust", "Southern Health and Social Care Trust", "northern_ireland"),
    ("Bristol", "Bristol City Council", "england"),
    ("Bristol City Council", "Bristol City Council", "england"),
    ("Westmorland and Furness", "Westmorland and Furness Council", "england"),
    ("westmorland & furness council", "Westmorland and Furness Council", "england"),
    ("Brighton & Hove", "Brighton and Hove City Council", "england"),
    ("Stoke on Trent", "Stoke-on-Trent City Council", "england"),
    ("St. Helens", "St Helens Borough Council", "england"),
    ("Kings Lynn", "Borough Council of King's Lynn and West Norfolk", "england"),
    ("Ynys Mon", "Isle of Anglesey County Council", "wales"),
    ("City of Leeds", "Leeds City Council", "england"),
    ("London Borough of Barnet Council", "London Borough of Barnet", "england"),
    ("Reading", "Reading Borough Council", "england"),  # not an alias, but the council's own name
    ("Bury council", "Bury Council", "england"),
    # towns of districts abolished in 2023 find the new unitaries
    ("Carlisle", "Cumberland Council", "england"),
    ("Kendal", "Westmorland and Furness Council", "england"),
    ("Harrogate", "North Yorkshire Council", "england"),
    ("Taunton", "Somerset Council", "england"),
])
def test_finds_council_and_nation(text, name, nation):
    council = councils().find(text)
    assert council is not None, text
    assert (council.name, council.nation) == (name, nation)
    assert councils().nation_of(text) == nation


@pytest.mark.parametrize("text", [
    "", "   ", "council", "London", "Kentt", "Kent and Medway", "Bangor", "Cheshire", "Cumbria",
    "Wales", "Bath", "Northamptonshire County Council",
])
def test_finds_nothing_rather_than_guessing(text):
    assert councils().find(text) is None
    assert councils().nation_of(text) is None


@pytest.mark.parametrize("text, names", [
    ("based in Bristol, starting home care in Newport", ["Bristol City Council", "Newport City Council"]),
    ("we're in North Yorkshire, not York", ["North Yorkshire Council", "City of York Council"]),
    ("Kingston upon Hull, then Kingston", ["Hull City Council", "Royal Borough of Kingston upon Thames"]),
    ("branches in Newcastle upon Tyne and Newcastle-under-Lyme",
     ["Newcastle City Council", "Newcastle-under-Lyme Borough Council"]),
    ("our office is in Port Glasgow", ["Inverclyde Council"]),
    ("Sutton Coldfield and Sutton", ["Birmingham City Council", "London Borough of Sutton"]),
    ("Bury St Edmunds", ["West Suffolk Council"]),
    ("a hub in Newport Pagnell", ["Milton Keynes City Council"]),
    ("Kent County Council, and Kent's DPS", ["Kent County Council"]),
    ("the Belfast HSC Trust, not Belfast City Council", ["Belfast Health and Social Care Trust",
                                                          "Belfast City Council"]),
    ("Cardiff's framework and Glasgow's", ["Cardiff Council", "Glasgow City Council"]),
    ("I was reading the guidance on how to bury bad news", []),
    ("we work for Reading council", ["Reading Borough Council"]),
    ("new dom care agency, CQC registered last month", []),
])
def test_search_finds_each_council_in_order(text, names):
    assert [council.name for council in councils().search(text)] == names


def test_counts_per_nation():
    by_nation = {nation: councils().in_nation(nation) for nation in NATIONS}
    assert len(by_nation["wales"]) == 22
    assert len(by_nation["scotland"]) == 32
    ni = [council.name for council in by_nation["northern_ireland"]]
    assert len([name for name in ni if not name.endswith(TRUST)]) == 11
    assert sorted(name for name in ni if name.endswith(TRUST)) == [
        f"{area} {TRUST}" for area in ("Belfast", "Northern", "South Eastern", "Southern", "Western")]
    assert len(by_nation["england"]) >= 300
    assert len(councils()) == sum(map(len, by_nation.values()))


def test_england_is_as_reorganised_in_2023():
    names = {council.name for council in councils().in_nation("england")}
    assert {"Cumberland Council", "Westmorland and Furness Council", "North Yorkshire Council",
            "Somerset Council", "City of London Corporation", "Council of the Isles of Scilly"} <= names
    assert not names & {"Cumbria County Council", "Allerdale Borough Council", "Mendip District Council",
                        "Harrogate Borough Council", "Northamptonshire County Council"}


def test_no_name_or_alias_in_two_nations():
    nations = defaultdict(set)
    for nation, entries in RAW.items():
        for entry in entries:
            for text in [entry["name"], *entry.get("also", [])]:
                nations[" ".join(text.casefold().replace("-", " ").split())].add(nation)
    assert {text: found for text, found in nations.items() if len(found) > 1} == {}


def test_every_name_and_alias_finds_its_own_council():
    wrong = [(text, council.name) for council in councils() for text in (council.name, *council.also)
             if councils().find(text) != council]
    assert wrong == []


def test_names_in_the_first_lookup_table_are_still_found():
    assert len(FIRST_LOOKUP) == 228
    assert [name for name in FIRST_LOOKUP if councils().find(name) is None] == []


def test_lookup_file_is_the_generated_table():
    assert LOOKUP_FILE.read_text(encoding="utf-8") == councils().lookup_table(), (
        "data/nlu/lookup_councils.yml is out of date: "
        "python -m routes.councils --lookup > data/nlu/lookup_councils.yml")


def test_lookup_table_lists_every_name_and_alias_once_sorted():
    table = yaml.safe_load(councils().lookup_table())
    assert table["version"] == "3.1"
    [lookup] = table["nlu"]
    assert lookup["lookup"] == "council"
    examples = [line[2:] for line in lookup["examples"].splitlines()]
    assert examples == sorted(set(examples), key=lambda name: (name.casefold(), name))
    assert set(examples) == {text for council in councils() for text in (council.name, *council.also)}


def test_lookup_command_prints_the_table():
    printed = subprocess.run([sys.executable, "-m", "routes.councils", "--lookup"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    assert printed.decode("utf-8") == councils().lookup_table()


def test_default_file_is_loaded_once():
    assert councils() is councils()


def broken(tmp_path, change):
    raw = copy.deepcopy(RAW)
    change(raw)
    path = tmp_path / "councils.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def entry(raw, nation, name):
    return next(e for e in raw[nation] if e["name"] == name)


CASES = {
    "unknown nation": (
        lambda raw: raw.update(cymru=raw.pop("wales")),
        "unknown nation 'cymru'",
    ),
    "missing nation": (
        lambda raw: raw.pop("scotland"),
        "missing nation 'scotland'",
    ),
    "missing name": (
        lambda raw: entry(raw, "wales", "Newport City Council").pop("name"),
        "wales entry 15 (also: Newport, Casnewydd): missing name",
    ),
    "unknown field": (
        lambda raw: entry(raw, "scotland", "Fife Council").update(aslo=["Kirkcaldy"]),
        "scotland 'Fife Council': unknown field(s) aslo",
    ),
    "aliases not a list": (
        lambda raw: entry(raw, "england", "Kent County Council").update(also="Kent"),
        "england 'Kent County Council': 'also' must be a list of names",
    ),
    "alias shared by two nations": (
        lambda raw: entry(raw, "england", "Isle of Wight Council")["also"].append("Newport"),
        "'newport' names both Isle of Wight Council (england, as 'Newport') and "
        "Newport City Council (wales, as 'Newport City Council'): an alias shared by two nations",
    ),
    "alias shared by two councils of one nation": (
        lambda raw: entry(raw, "england", "Medway Council")["also"].append("Kent's"),
        "'kent' names both Kent County Council (england, as 'Kent') and "
        "Medway Council (england, as 'Kent's'): an alias shared by two england councils",
    ),
    "duplicate name in two nations": (
        lambda raw: raw["wales"].append({"name": "Kent County Council"}),
        "duplicate name 'Kent County Council' (in england and wales)",
    ),
    "duplicate name in one nation": (
        lambda raw: raw["scotland"].append({"name": "fife council", "also": ["Kingdom of Fife"]}),
        "duplicate name 'fife council' (in scotland and scotland)",
    ),
    "within a council not in the file": (
        lambda raw: entry(raw, "england", "Worcester City Council").update(within="Worcestershire"),
        "england 'Worcester City Council': within 'Worcestershire', which is not another council in the file",
    ),
    "within a council of another nation": (
        lambda raw: entry(raw, "england", "Worcester City Council").update(within="Powys County Council"),
        "england 'Worcester City Council': within 'Powys County Council', which is in wales",
    ),
    "within a council that is itself within one": (
        lambda raw: entry(raw, "england", "Wyre Forest District Council").update(within="Worcester City Council"),
        "within 'Worcester City Council', which is itself within 'Worcestershire County Council'",
    ),
    "within that is not a name": (
        lambda raw: entry(raw, "england", "Worcester City Council").update(within=["Worcestershire County Council"]),
        "england 'Worcester City Council': 'within' must be one council's name",
    ),
}


@pytest.mark.parametrize("change, message", CASES.values(), ids=list(CASES))
def test_malformed_file_is_refused_naming_the_entry(tmp_path, change, message):
    with pytest.raises(CouncilsError) as refused:
        load_councils(broken(tmp_path, change))
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize("name, other, same", [
    ("Worcester City Council", "Worcestershire County Council", True),  # a district and its county
    ("Worcestershire County Council", "Worcester City Council", True),
    ("Wyre Forest District Council", "Worcester City Council", True),  # two districts of one county
    ("Mid and East Antrim Borough Council", "Northern Health and Social Care Trust", True),
    ("Leeds City Council", "Leeds City Council", True),
    ("Worcester City Council", "Herefordshire Council", False),
    ("Wyre Forest District Council", "Cambridge City Council", False),  # districts of two counties
    ("Worcestershire County Council", "Warwickshire County Council", False),
    ("Mid Ulster District Council", "Northern Health and Social Care Trust", False),  # in two Trusts
])
def test_same_place_is_one_council_or_one_within_the_other(name, other, same):
    assert councils().same_place(name, other) is same


def test_every_district_is_within_its_county():
    """The file's district section: each district names the county council it lies in."""
    districts = [c for c in councils().in_nation("england") if c.within]
    assert len(districts) == 164
    counties = {c.within for c in districts}
    assert len(counties) == 21 and all(name.endswith("County Council") for name in counties)


def test_invalid_yaml_is_refused(tmp_path):
    path = tmp_path / "councils.yml"
    path.write_text("england: [name: Kent\n", encoding="utf-8")
    with pytest.raises(CouncilsError, match="not valid YAML"):
        load_councils(path)

