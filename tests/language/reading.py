"""How the language tests read a message: the facts the built pipeline gives, as Rasa gets them."""
from language.facts import find
from language.mentions import canonical_values, councils

ALLOWED = canonical_values()
PLACES = councils()


def facts(nlp, text):
    """[(entity, canonical value)] the pipeline finds in text, in order: the tree's facts and
    recognised councils, exactly what CanonicalValues hands Rasa (language.facts.find)."""
    return [(f.entity, f.value) for f in find(nlp(text), ALLOWED, PLACES)]
