"""The message-level learned layer: a fact's value read from the whole message.

The patterns say a fact only where someone wrote its phrase down, and the span layer
(language/learned_values.py) only where the CRF marks a span. Visitors often say a fact
around the words rather than in them: "we're based in Bristol, want to take on work in South
Glos" is expanding, and no phrase in it says so. This reads each fact from the message as a
whole: one logistic regression per fact over word and character n-grams, shared by all facts,
trained on statement messages (``inform``) and the facts they state, or ``NOT_SAID``.
CanonicalValues (language/canonical_values.py) asks it for facts neither other layer found,
in a statement with no hedge, and takes a value only at ``threshold`` or above; where it is
very sure, its reading of the whole statement also overrules theirs.

No Rasa imports: it is trained from (text, facts) pairs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

NOT_SAID = "-"  # the label of a message that does not state the fact
# (message text, {fact: canonical value}) for each statement the classifiers learn from.
Example = Tuple[str, Mapping[str, str]]


def _vectoriser() -> FeatureUnion:
    """Words and word pairs ("based in", "want to") and character n-grams within words,
    which carry misspellings ("framwork") and shorthand ("reg'd") to their neighbours."""
    return FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ("characters", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
    ])


@dataclass
class MessageValues:
    """One classifier per fact that has at least one value among the examples."""

    vectoriser: FeatureUnion
    classifiers: Dict[str, LogisticRegression]

    @classmethod
    def train(cls, examples: Iterable[Example], facts: Sequence[str],
              allowed: Mapping[str, Iterable[str]]) -> "MessageValues":
        """``facts``: the facts to learn; a value outside ``allowed`` counts as not said."""
        examples = [(text.lower(), facts_said) for text, facts_said in examples]
        vectoriser = _vectoriser()
        features = vectoriser.fit_transform([text for text, _ in examples])
        labels = {}
        for fact in facts:
            values = set(allowed.get(fact, ()))
            said = [facts_said.get(fact) if facts_said.get(fact) in values else NOT_SAID for _, facts_said in examples]
            if len(set(said)) > 1:
                labels[fact] = said
        # Newton-CG reaches the same minimum as the default lbfgs (probabilities within 3e-4)
        # in 14 iterations rather than 120, and the facts are fitted two at a time: 16 s of
        # each training became 6.
        fitted = Parallel(n_jobs=2, prefer="threads")(
            delayed(_fit)(features, said) for said in labels.values())
        return cls(vectoriser, dict(zip(labels, fitted)))

    def values(self, text: str, threshold: float, facts: Optional[Iterable[str]] = None) -> Dict[str, str]:
        """The value of each fact (of ``facts``, or all when None) the message states with
        probability ``threshold`` or more."""
        return {fact: value for fact, (value, probability) in self.best(text, facts).items()
                if value != NOT_SAID and probability >= threshold}

    def best(self, text: str, facts: Optional[Iterable[str]] = None) -> Dict[str, Tuple[str, float]]:
        """Each fact's likeliest reading, ``NOT_SAID`` included, with its probability."""
        wanted: List[str] = [f for f in (self.classifiers if facts is None else facts) if f in self.classifiers]
        if not wanted:
            return {}
        scores = self._scores(text.lower())
        readings = {}
        for fact in wanted:
            probabilities = _probabilities(scores[fact])
            best = int(probabilities.argmax())
            readings[fact] = (str(self.classifiers[fact].classes_[best]), float(probabilities[best]))
        return readings

    def _scores(self, text: str) -> Dict[str, np.ndarray]:
        """Every classifier's decision scores for ``text`` (lower case). The same figures as
        ``vectoriser.transform`` and each ``decision_function``, read straight from the
        vocabularies and the stacked weights: sklearn's per-call checks cost more than the
        sums (4 ms against 0.3 ms a message), and a parse should stay a few milliseconds."""
        if getattr(self, "_stacked", None) is None:
            self._stacked = self._stack()
        parts, facts, weights, intercepts, ends = self._stacked
        row = intercepts.copy()
        for analyse, vocabulary, idf, offset in parts:
            counts: Dict[int, int] = {}
            for gram in analyse(text):
                column = vocabulary.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            columns = np.fromiter(counts, dtype=np.int64)
            tfidf = (1.0 + np.log(np.fromiter(counts.values(), dtype=float))) * idf[columns]
            tfidf /= np.sqrt((tfidf ** 2).sum())
            row += tfidf @ weights[columns + offset]
        return dict(zip(facts, np.split(row, ends[:-1])))

    def __getstate__(self) -> dict:
        """Pickled without the stacked weights and analysers: rebuilt on first use."""
        return {k: v for k, v in self.__dict__.items() if k != "_stacked"}

    def _stack(self):
        parts, offset = [], 0
        for _, vectoriser in self.vectoriser.transformer_list:
            parts.append((vectoriser.build_analyzer(), vectoriser.vocabulary_, vectoriser.idf_, offset))
            offset += len(vectoriser.vocabulary_)
        facts = list(self.classifiers)
        weights = np.vstack([self.classifiers[f].coef_ for f in facts]).T
        intercepts = np.concatenate([self.classifiers[f].intercept_ for f in facts])
        ends = np.cumsum([len(self.classifiers[f].intercept_) for f in facts])
        return parts, facts, weights, intercepts, ends


def _fit(features, labels: List[str]) -> LogisticRegression:
    """C=10: in five-fold cross-validation over language/situations.yml (folds of neighbouring
    writers) every fact's F1 rose from C=5 (mean 0.836 -> 0.846), at the same fitting time."""
    return LogisticRegression(max_iter=2000, C=10.0, random_state=42, solver="newton-cg").fit(features, labels)


def _probabilities(scores: np.ndarray) -> np.ndarray:
    """What LogisticRegression.predict_proba gives for these decision scores: a sigmoid for
    two values (one score), a softmax for more."""
    if len(scores) == 1:
        positive = 1.0 / (1.0 + np.exp(-scores[0]))
        return np.array([1.0 - positive, positive])
    exp = np.exp(scores - scores.max())
    return exp / exp.sum()
