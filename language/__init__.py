"""Language understanding for the route advisor.

- ``language/patterns/*.yml``: entity_ruler patterns, one file per competing fact entity.
- ``language/mentions/*.yml``: span_ruler patterns for facts that may overlap (service,
  regulator, funding, on_list) and the councils' context phrases; council names come from
  routes/councils.yml at build time (``language.mentions``).
- ``language.build_pipeline``: builds the spaCy pipeline Rasa's SpacyNLP loads;
  ``language.package_pipeline`` makes it the wheel ``en_route_advisor`` that `make spacy`
  installs, so Rasa loads it by name.
- ``language.facts.find``: the canonical findings in a processed message (both layers).
- ``language.canonical_values.CanonicalValues``: Rasa component that emits them, so every
  fact value reaching a slot is canonical (see docs/contract.md).
"""
