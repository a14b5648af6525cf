"""Decision rules in a small, safe expression language over features, transaction columns and the score.

An expression is parsed with :mod:`ast` and only a whitelist of nodes is accepted: ``and or not``, comparisons
(``< <= > >= == != in``, chained too), ``+ - * / %``, numbers, strings, ``True``/``False``, lists of constants,
names, and the functions ``abs``, ``min``, ``max``, ``missing``. It is compiled into a tree of NumPy closures,
never passed to ``eval``, and it runs on whole columns at once: one row for real-time scoring, a year of history
for a back-test, through the same code. A comparison with a missing value is false.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from argentier.errors import InputError

OUTCOMES = ("approve", "review", "block")
_SEVERITY = {name: rank for rank, name in enumerate(OUTCOMES)}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ARITHMETIC = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Mod: np.mod,
}
_FUNCTIONS = {
    "abs": (1, np.abs),
    "min": (2, np.fmin),
    "max": (2, np.fmax),
    "missing": (1, lambda x: _missing(x)),
}
Namespace = Mapping[str, np.ndarray]
_Compiled = Callable[[Namespace], Any]


def _missing(values: Any) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind == "f":
        return np.isnan(array)
    if array.dtype.kind == "O":
        return np.array(
            [v is None or (isinstance(v, float) and math.isnan(v)) for v in array.ravel()]
        ).reshape(array.shape)
    return np.zeros(array.shape, dtype=bool)


def _compare(op: Callable, left: Any, right: Any) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        try:
            result = op(left, right)
        except TypeError:  # e.g. a text column against a number: never true
            return np.zeros(np.broadcast(np.asarray(left), np.asarray(right)).shape, dtype=bool)
    return np.asarray(result, dtype=bool)


class Expression:
    """A parsed, whitelisted expression; ``evaluate`` returns one boolean per row.

    >>> rule = Expression("amount > 200 and country not in ['FR', 'BE']")
    >>> sorted(rule.names)
    ['amount', 'country']
    >>> rule.evaluate({"amount": np.array([250.0, 250.0, 50.0]), "country": np.array(["US", "FR", "US"])}).tolist()
    [True, False, False]
    >>> Expression("__import__('os')")
    Traceback (most recent call last):
    argentier.errors.InputError: ...: function '__import__' is not allowed (use abs, max, min, missing)
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise InputError("an empty rule expression")
        self.text = text.strip()
        self.names: set[str] = set()
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            raise InputError(f"{self.text!r}: syntax error at column {exc.offset}: {exc.msg}") from exc
        self._compiled = self._compile(tree.body)

    def _fail(self, message: str) -> InputError:
        return InputError(f"{self.text!r}: {message}")

    def _compile(self, node: ast.AST) -> _Compiled:
        if isinstance(node, ast.BoolOp):
            parts = [self._compile(value) for value in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return lambda ns: _reduce(combine, [np.asarray(part(ns), dtype=bool) for part in parts])
        if isinstance(node, ast.UnaryOp):
            operand = self._compile(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda ns: np.logical_not(np.asarray(operand(ns), dtype=bool))
            if isinstance(node.op, ast.USub):
                return lambda ns: np.negative(operand(ns))
            if isinstance(node.op, ast.UAdd):
                return operand
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            left, right, op = self._compile(node.left), self._compile(node.right), _ARITHMETIC[type(node.op)]

            def arithmetic(ns: Namespace) -> Any:
                with np.errstate(divide="ignore", invalid="ignore"):
                    return op(np.asarray(left(ns), dtype=float), np.asarray(right(ns), dtype=float))

            return arithmetic
        if isinstance(node, ast.Compare):
            return self._compile_compare(node)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
                name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise self._fail(f"function {name!r} is not allowed (use {', '.join(sorted(_FUNCTIONS))})")
            arity, function = _FUNCTIONS[node.func.id]
            if len(node.args) != arity:
                raise self._fail(f"{node.func.id}() takes {arity} argument(s)")
            args = [self._compile(arg) for arg in node.args]
            return lambda ns: function(*(np.asarray(arg(ns)) for arg in args))
        if isinstance(node, ast.Name):
            self.names.add(node.id)
            name = node.id
            return lambda ns: ns[name]
        if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float, str)):
            value = node.value
            return lambda ns: value
        raise self._fail(f"{type(node).__name__} is not allowed here ({ast.unparse(node)!r})")

    def _constants(self, node: ast.AST) -> list[Any]:
        if not isinstance(node, (ast.List, ast.Tuple, ast.Set)) or not all(
            isinstance(item, ast.Constant) and isinstance(item.value, (bool, int, float, str))
            for item in node.elts
        ):
            raise self._fail("'in' needs a list of constants, like country in ['FR', 'BE']")
        return [item.value for item in node.elts]

    def _compile_compare(self, node: ast.Compare) -> _Compiled:
        steps = []
        left = self._compile(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                values, negate = self._constants(comparator), isinstance(op, ast.NotIn)
                steps.append((left, None, values, negate))
                left = lambda ns, values=values: values
            elif type(op) in _COMPARE:
                right = self._compile(comparator)
                steps.append((left, right, _COMPARE[type(op)], False))
                left = right
            else:
                raise self._fail(f"operator {type(op).__name__} is not allowed")

        def compare(ns: Namespace) -> np.ndarray:
            results = []
            for lhs, rhs, how, negate in steps:
                if rhs is None:
                    value = np.asarray(lhs(ns))
                    found = np.isin(
                        value, np.asarray(how, dtype=value.dtype if value.dtype.kind == "f" else object)
                    )
                    results.append(np.logical_not(found) & ~_missing(value) if negate else found)
                else:
                    results.append(_compare(how, lhs(ns), rhs(ns)))
            return _reduce(np.logical_and, results)

        return compare

    def evaluate(self, namespace: Namespace) -> np.ndarray:
        """Boolean array: which rows match. Every name must be in ``namespace`` (arrays of one length)."""
        missing = self.names - set(namespace)
        if missing:
            raise self._fail(f"unknown name(s) {', '.join(sorted(missing))}")
        size = len(next(iter(namespace.values()))) if namespace else 1
        return np.broadcast_to(np.asarray(self._compiled(namespace), dtype=bool), (size,))


def _reduce(function: Callable, arrays: list[np.ndarray]) -> np.ndarray:
    result = arrays[0]
    for array in arrays[1:]:
        result = function(result, array)
    return result


@dataclass(frozen=True)
class Rule:
    """A named condition and the outcome it leads to."""

    name: str
    when: str
    outcome: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class RuleSet:
    """Ordered rules with a mode: ``first`` (the first matching rule decides) or ``all`` (the most severe wins).

    >>> rules = RuleSet([Rule("big", "amount > 1000", "review"), Rule("very_big", "amount > 5000", "block")],
    ...                 mode="all")
    >>> outcomes, fired = rules.decide({"amount": np.array([50.0, 2000.0, 9000.0])})
    >>> outcomes, fired
    (['approve', 'review', 'block'], [[], ['big'], ['big', 'very_big']])
    """

    def __init__(self, rules: Sequence[Rule], *, mode: str = "first", default: str = "approve") -> None:
        if mode not in ("first", "all"):
            raise InputError(f"mode must be 'first' or 'all', got {mode!r}")
        if default not in OUTCOMES:
            raise InputError(f"default outcome must be one of {', '.join(OUTCOMES)}, got {default!r}")
        seen = set()
        for rule in rules:
            if rule.outcome not in OUTCOMES:
                raise InputError(
                    f"rule {rule.name!r}: outcome must be one of {', '.join(OUTCOMES)}, got {rule.outcome!r}"
                )
            if rule.name in seen:
                raise InputError(f"two rules are named {rule.name!r}")
            seen.add(rule.name)
        self.rules = tuple(rules)
        self.mode = mode
        self.default = default
        self._expressions = []
        for rule in self.rules:
            try:
                self._expressions.append(Expression(rule.when))
            except InputError as exc:
                raise InputError(f"rule {rule.name!r}: {exc}") from exc

    @property
    def names(self) -> set[str]:
        """Every name the rules read."""
        return set().union(*(expression.names for expression in self._expressions))

    def check_names(self, available: Sequence[str]) -> None:
        """Fail early, naming the rule, if a rule reads a name that scoring will not provide."""
        for rule, expression in zip(self.rules, self._expressions):
            unknown = expression.names - set(available)
            if unknown:
                raise InputError(f"rule {rule.name!r} reads unknown name(s) {', '.join(sorted(unknown))}")

    def matches(self, namespace: Namespace) -> np.ndarray:
        """Boolean matrix, one row per rule, one column per transaction."""
        size = len(next(iter(namespace.values()))) if namespace else 0
        if not self.rules:
            return np.zeros((0, size), dtype=bool)
        result = []
        for rule, expression in zip(self.rules, self._expressions):
            try:
                result.append(expression.evaluate(namespace))
            except InputError as exc:
                raise InputError(f"rule {rule.name!r}: {exc}") from exc
        return np.vstack(result)

    def decide(self, namespace: Namespace) -> tuple[list[str], list[list[str]]]:
        """The outcome of each transaction and the rules that fired for it."""
        matched = self.matches(namespace)
        size = matched.shape[1] if self.rules else len(next(iter(namespace.values())))
        outcomes, fired = [], []
        for column in range(size):
            hits = np.flatnonzero(matched[:, column]) if self.rules else []
            if len(hits) == 0:
                outcomes.append(self.default)
                fired.append([])
            elif self.mode == "first":
                outcomes.append(self.rules[hits[0]].outcome)
                fired.append([self.rules[hits[0]].name])
            else:
                names = [self.rules[i].name for i in hits]
                outcomes.append(max((self.rules[i].outcome for i in hits), key=_SEVERITY.__getitem__))
                fired.append(names)
        return outcomes, fired

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "default": self.default, "rules": [rule.to_dict() for rule in self.rules]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<rules>") -> RuleSet:
        if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
            raise InputError("expected a mapping with a 'rules' list", source=source)
        rules = []
        for number, item in enumerate(data["rules"], start=1):
            if not isinstance(item, Mapping) or not {"name", "when", "outcome"} <= set(item):
                raise InputError(f"rule {number} needs name, when and outcome", source=source)
            rules.append(
                Rule(
                    str(item["name"]),
                    str(item["when"]),
                    str(item["outcome"]),
                    str(item.get("description", "")),
                )
            )
        try:
            return cls(
                rules, mode=str(data.get("mode", "first")), default=str(data.get("default", "approve"))
            )
        except InputError as exc:
            raise InputError(exc.reason, source=source) from exc

    @classmethod
    def load(cls, path: str | Path) -> RuleSet:
        """Read rules from a YAML file (``mode``, ``default``, ``rules: [{name, when, outcome}]``)."""
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise InputError(f"cannot read rules: {exc}", source=str(path)) from exc
        return cls.from_dict(data, source=str(path))


def default_rules(review_at: float = 500.0, block_at: float = 900.0) -> RuleSet:
    """Score thresholds as rules: ``score >= block_at`` blocks, ``score >= review_at`` goes to review.

    >>> default_rules(400, 800).decide({"score": np.array([100.0, 450.0, 990.0])})[0]
    ['approve', 'review', 'block']
    """
    if not 0 <= review_at <= block_at <= 1000:
        raise InputError(f"need 0 <= review threshold ({review_at}) <= block threshold ({block_at}) <= 1000")
    return RuleSet(
        [
            Rule("score_block", f"score >= {float(block_at)}", "block"),
            Rule("score_review", f"score >= {float(review_at)}", "review"),
        ],
        mode="first",
    )
