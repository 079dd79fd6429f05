"""Language understanding for the route advisor.

- ``language/patterns/*.yml``: entity_ruler patterns, one file per fact entity.
- ``language.build_pipeline``: builds the spaCy pipeline Rasa's SpacyNLP loads.
- ``language.canonical_values.CanonicalValues``: Rasa component that makes every
  extracted fact value canonical (see docs/contract.md).
"""
