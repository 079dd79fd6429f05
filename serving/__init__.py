"""How the assistant is served in production: Rasa's patches, the stores, the visitor-facing guards.

Importing anything from this package applies the patches in serving/patches.py (the one place
where Rasa is patched). Rasa imports it however it is started, because both credentials.yml
(the channels) and endpoints.yml (the tracker and lock stores) name classes that live here or
import from here.
"""
from serving import patches  # noqa: F401  (applies the patches)
