"""The grouper's memory, laid out so that one new update is scored against every member in a few NumPy calls.

Scoring member by member in Python costs O(members x terms) interpreter steps per update, which made a watch
of a few thousand updates, and the benchmark's grid search, slow. Here the members' terms are one flat array
(``terms``, with ``owner`` giving each entry's member), their vectors one matrix, and each member's group one
array; a score is then a handful of vectorised passes. The arithmetic is the module docstring's of
:mod:`argentier.regwatch.grouping`, term for term.
"""

from __future__ import annotations

import numpy as np


def _grow(array: np.ndarray, needed: int) -> np.ndarray:
    """``array`` with room for ``needed`` rows (doubling, so appends stay amortised O(1))."""
    if needed <= len(array):
        return array
    bigger = np.zeros((max(needed, 2 * len(array)), *array.shape[1:]), dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


class MemberIndex:
    """Members' term sets, vectors and groups; :meth:`scores` gives every group's similarity to a new member."""

    def __init__(self, number_boost: float) -> None:
        self.number_boost = number_boost
        self.vocabulary: dict[str, int] = {}
        self.frequency = np.zeros(256)  # members holding each term
        self.has_digit = np.zeros(256, dtype=bool)
        self.terms = np.zeros(1024, dtype=np.int64)  # every member's term ids, concatenated
        self.owner = np.zeros(1024, dtype=np.int64)  # the member each entry of ``terms`` belongs to
        self.n_entries = 0
        self.group_of = np.zeros(64, dtype=np.int64)
        self.vectors: np.ndarray | None = None
        self.has_vector = np.zeros(64, dtype=bool)
        self.n_members = 0

    def term_ids(self, terms: frozenset[str]) -> np.ndarray:
        """Ids of ``terms``, registering new ones and counting them in the document frequencies."""
        ids = []
        for term in sorted(terms):
            index = self.vocabulary.get(term)
            if index is None:
                index = self.vocabulary[term] = len(self.vocabulary)
                self.frequency = _grow(self.frequency, index + 1)
                self.has_digit = _grow(self.has_digit, index + 1)
                self.has_digit[index] = any(ch.isdigit() for ch in term)
            ids.append(index)
        found = np.asarray(ids, dtype=np.int64)
        self.frequency[found] += 1
        return found

    def weights(self) -> np.ndarray:
        """Each term's weight now: BM25 IDF over the members so far (and the update being scored), boosted for
        terms holding a digit."""
        size = len(self.vocabulary)
        frequency = self.frequency[:size]
        idf = np.log(1.0 + (self.n_members + 1 - frequency + 0.5) / (frequency + 0.5))
        return np.where(self.has_digit[:size], idf * self.number_boost, idf)

    def append(self, ids: np.ndarray, group: int, vector: np.ndarray | None) -> None:
        """Record a member (whose terms ``ids`` were counted by :meth:`term_ids`) as part of ``group``."""
        member, end = self.n_members, self.n_entries + len(ids)
        self.terms, self.owner = _grow(self.terms, end), _grow(self.owner, end)
        self.terms[self.n_entries : end] = ids
        self.owner[self.n_entries : end] = member
        self.n_entries = end
        self.group_of = _grow(self.group_of, member + 1)
        self.has_vector = _grow(self.has_vector, member + 1)
        self.group_of[member] = group
        if vector is not None:
            if self.vectors is None:
                self.vectors = np.zeros((64, len(vector)), dtype=np.float32)
            self.vectors = _grow(self.vectors, member + 1)
            self.vectors[member] = vector
            self.has_vector[member] = True
        self.n_members += 1

    def keyword_overlaps(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """IDF-weighted Jaccard of the term set ``ids`` with each member's, in [0, 1]."""
        n, entries = self.n_members, self.n_entries
        terms, owner = self.terms[:entries], self.owner[:entries]
        member_weight = np.bincount(owner, weights=weights[terms], minlength=n)
        mine = np.zeros(len(weights), dtype=bool)
        mine[ids] = True
        shared = mine[terms]
        common = np.bincount(owner[shared], weights=weights[terms[shared]], minlength=n)
        union = member_weight + weights[ids].sum() - common
        return np.divide(common, union, out=np.zeros(n), where=union > 0)

    def cosines(self, vector: np.ndarray) -> np.ndarray:
        """Dot products of ``vector`` with each member's vector (-inf for members without one)."""
        n = self.n_members
        if self.vectors is None:
            return np.full(n, -np.inf)
        dots = self.vectors[:n] @ vector
        return np.where(self.has_vector[:n], dots, -np.inf)

    def best_per_group(self, values: np.ndarray, n_groups: int) -> np.ndarray:
        """The largest of ``values`` (one per member) within each group; -inf for a group with none."""
        best = np.full(n_groups, -np.inf)
        np.maximum.at(best, self.group_of[: self.n_members], values)
        return best
