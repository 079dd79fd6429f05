"""Measuring the trained NLU model on the held-out sets (`make evaluate`).

``python -m language.evaluation`` loads models/route-advisor.tar.gz (it never trains), parses
each held-out set in-process, and reports per set: intent F1 and accuracy, canonical-value F1
per fact, the confusions between values, and parse times. Only held-out lines that are not
also training lines are scored. ``--print-floors`` prints the test floors for the measured
figures (tests/nlu/floors.yml). The pieces live in ``sets`` (what is measured), ``scoring``
(the figures) and ``__main__`` (the report).
"""
