"""The learned layer for facts: a value for a fact span the CRF found where no pattern spoke.

The patterns are the precise, explainable layer; they miss phrasings nobody wrote down. The CRF
(config.yml) learns where facts are from the training annotations, but only their kind
("stage"), not their value ("new"). This maps a CRF span to a canonical value with one small
classifier per fact (character n-grams of the span, logistic regression), trained on the
annotated spans and their values in data/nlu. A value is used only when the classifier is
confident and no pattern found that fact in the message (language/canonical_values.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

# (fact, the span as typed, its canonical value) from the training annotations.
Annotation = Tuple[str, str, str]


@dataclass
class LearnedValues:
    """One classifier per fact with at least two values among its annotations."""

    classifiers: Dict[str, Pipeline]
    single: Dict[str, str]  # facts annotated with one value only

    @classmethod
    def train(cls, annotations: Iterable[Annotation], allowed: Mapping[str, Iterable[str]]) -> "LearnedValues":
        by_fact: Dict[str, List[Tuple[str, str]]] = {}
        for fact, text, value in annotations:
            if value in set(allowed.get(fact, ())):
                by_fact.setdefault(fact, []).append((text.lower(), value))
        classifiers, single = {}, {}
        for fact, pairs in sorted(by_fact.items()):
            values = sorted({value for _, value in pairs})
            if len(values) == 1:
                single[fact] = values[0]
                continue
            model = make_pipeline(
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
                LogisticRegression(max_iter=1000, C=10.0, random_state=42),
            )
            model.fit([text for text, _ in pairs], [value for _, value in pairs])
            classifiers[fact] = model
        return cls(classifiers, single)

    def value(self, fact: str, text: str, threshold: float) -> Optional[str]:
        """The fact's canonical value for the span, or None when the classifier is unsure."""
        if fact in self.single:
            return self.single[fact]
        model = self.classifiers.get(fact)
        if model is None:
            return None
        probabilities = model.predict_proba([text.lower()])[0]
        best = probabilities.argmax()
        return str(model.classes_[best]) if probabilities[best] >= threshold else None
