"""consultancy.yml and its environment overrides: real values load, bad ones stop with the field named."""
from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from leads.consultancy import (
    DEFAULT_FILE,
    FIELDS,
    Consultancy,
    ConsultancyError,
    env_name,
    load_consultancy,
)
from leads.validate import placeholder_in


def write(tmp_path, **changes):
    data = yaml.safe_load(DEFAULT_FILE.read_text())
    data.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data[key]
    path = tmp_path / "consultancy.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_project_file_loads_with_every_field_set_and_no_placeholder():
    consultancy = load_consultancy(environ={})
    assert isinstance(consultancy, Consultancy)
    for field, value in dataclasses.asdict(consultancy).items():
        assert value, field
        assert not placeholder_in(str(value)), field
        assert "contact page on this website" not in str(value)
    assert consultancy.lead_retention_days > 0 and consultancy.conversation_retention_days > 0
    assert consultancy.as_text()["consultancy_email"] == consultancy.email


def test_the_file_header_documents_every_environment_variable():
    header = DEFAULT_FILE.read_text()
    for field in FIELDS:
        assert re.search(rf"#\s+{field}\s+{env_name(field)}\b", header), field


def test_the_details_cannot_be_changed_after_loading():
    consultancy = load_consultancy(environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        consultancy.email = "someone@else.example"


OVERRIDES = {
    "name": ("Cardiff Tender Co", "Cardiff Tender Co"),
    "contact_url": ("https://tenders.example.org/talk-to-us", "https://tenders.example.org/talk-to-us"),
    "email": ("bids@tenders.example.org", "bids@tenders.example.org"),
    "phone": ("+44 29 2018 0123", "+44 29 2018 0123"),
    "opening_hours": ("Weekdays 8:30 to 6", "Weekdays 8:30 to 6"),
    "privacy_url": ("https://tenders.example.org/privacy", "https://tenders.example.org/privacy"),
    "lead_retention_days": ("180", 180),
    "conversation_retention_days": (" 30 ", 30),
}


@pytest.mark.parametrize("field", FIELDS)
def test_each_field_is_overridden_by_its_environment_variable(field):
    given, expected = OVERRIDES[field]
    consultancy = load_consultancy(environ={env_name(field): given})
    assert getattr(consultancy, field) == expected
    others = load_consultancy(environ={})
    assert all(getattr(consultancy, f) == getattr(others, f) for f in FIELDS if f != field)


def test_another_file_is_read_from_consultancy_file(tmp_path):
    path = write(tmp_path, name="Valleys Bid Support")
    assert load_consultancy(environ={"CONSULTANCY_FILE": str(path)}).name == "Valleys Bid Support"


@pytest.mark.parametrize("field, value, message", [
    ("contact_url", "www.example.co.uk/contact", "must be an http:// or https:// URL"),
    ("privacy_url", "ftp://example.co.uk/privacy", "must be an http:// or https:// URL"),
    ("email", "hello at example.co.uk", "must be an email address"),
    ("email", "hello@localhost", "must be an email address"),
    ("phone", "call us", "must be a phone number"),
    ("lead_retention_days", 0, "must be a positive number of days, got 0"),
    ("conversation_retention_days", -5, "must be a positive number of days, got -5"),
    ("lead_retention_days", "a year", "must be a whole number of days"),
    ("name", "[name]", "placeholder wording '[name]'"),
    ("opening_hours", "TODO", "placeholder wording 'TODO'"),
    ("name", "", "is missing or empty"),
    ("phone", None, "is missing or empty"),
])
def test_a_bad_value_in_the_file_is_refused_naming_the_field(tmp_path, field, value, message):
    path = write(tmp_path, **{field: value})
    with pytest.raises(ConsultancyError) as error:
        load_consultancy(path, environ={})
    assert f"consultancy field '{field}' (in {path})" in str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize("field, value, message", [
    ("email", "not-an-email", "must be an email address"),
    ("lead_retention_days", "0", "must be a positive number of days"),
    ("conversation_retention_days", "ninety", "must be a whole number of days"),
    ("contact_url", "https://", "must be an http:// or https:// URL"),
    ("name", "{consultancy}", "placeholder wording"),
])
def test_a_bad_environment_value_is_refused_naming_the_variable(field, value, message):
    with pytest.raises(ConsultancyError) as error:
        load_consultancy(environ={env_name(field): value})
    assert f"consultancy field '{field}' (from {env_name(field)})" in str(error.value)
    assert message in str(error.value)


def test_an_unknown_field_a_missing_file_and_broken_yaml_are_named(tmp_path):
    with pytest.raises(ConsultancyError, match=r"unknown field\(s\) emial"):
        load_consultancy(write(tmp_path, emial="x@example.co.uk"), environ={})
    with pytest.raises(ConsultancyError, match="no such file"):
        load_consultancy(tmp_path / "missing.yml", environ={})
    broken = tmp_path / "broken.yml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(ConsultancyError, match="not valid YAML"):
        load_consultancy(broken, environ={})
