"""CloudWatch Logs metric filters: match log events against a filter pattern and compute the metric
datapoints the service would publish (moto stores metric filters but publishes nothing, and ignores
JSON patterns).

Encoded from:

- "Filter pattern syntax for metric filters, subscription filters, filter log events":
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
- "Using filter patterns to match terms in JSON log events":
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
- MetricTransformation (``metricValue`` may be a number or ``$.field``; ``defaultValue`` is "the
  value to emit when a filter pattern does not match a log event"):
  https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html

Supported subset (anything else raises ``ValueError`` rather than guessing):

- empty pattern: every event matches;
- terms: ``ERROR timeout`` (all must appear, case-sensitive), ``"drift warning"`` (a quoted
  phrase), ``?ERROR ?WARN`` (any of them), ``-DEBUG`` (excluded);
- JSON: ``{ $.status >= 500 }``, ``{ $.level = "ERROR" }``, ``{ $.model = v2* }`` (``*`` wildcard),
  nested fields and array indexes (``$.a.b[0]``), ``&&`` / ``||`` with parentheses,
  ``IS TRUE`` / ``IS FALSE`` / ``IS NULL``, ``EXISTS`` / ``NOT EXISTS``. Numeric comparisons need a
  number on both sides; ``=`` / ``!=`` with a string compare strings. A non-JSON message never
  matches a JSON pattern.

Space-delimited patterns (``[ip, user, ...]``) and regular expressions are not simulated.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

_MISSING = object()
_NUM_OPS = {">": lambda a, b: a > b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}


@dataclass(frozen=True)
class Datapoint:
    timestamp_ms: int
    value: float
    message: str


def compile_pattern(pattern: str) -> Callable[[str], bool]:
    """A predicate ``message -> bool`` for ``pattern``."""
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text.startswith("{"):
        if not text.endswith("}"):
            raise ValueError(f"unbalanced JSON filter pattern: {pattern!r}")
        tree = _JsonParser(text[1:-1]).parse()

        def match_json(message: str) -> bool:
            try:
                doc = json.loads(message)
            except ValueError:
                return False
            return _eval(tree, doc)

        return match_json
    if text.startswith("["):
        raise ValueError("space-delimited filter patterns are not simulated")
    return _compile_terms(text)


def matches(pattern: str, message: str) -> bool:
    return compile_pattern(pattern)(message)


def metric_datapoints(pattern: str, transformation: dict, events: Iterable[dict]) -> list[Datapoint]:
    """The datapoints a metric filter emits for ``events`` (dicts with ``timestamp``, ``message``).

    A matching event emits ``metricValue`` (a number, or the numeric value of ``$.field`` in the
    event); a non-matching event emits ``defaultValue`` if the filter has one, else nothing."""
    predicate = compile_pattern(pattern)
    value_spec = str(transformation.get("metricValue", "1"))
    default = transformation.get("defaultValue")
    out: list[Datapoint] = []
    for event in events:
        message = event["message"]
        if predicate(message):
            value = _metric_value(value_spec, message)
            if value is not None:
                out.append(Datapoint(int(event["timestamp"]), value, message))
        elif default is not None:
            out.append(Datapoint(int(event["timestamp"]), float(default), message))
    return out


def _metric_value(spec: str, message: str) -> float | None:
    if spec.startswith("$."):
        try:
            value = _lookup(json.loads(message), spec)
        except ValueError:
            return None
        # A field that is absent or not numeric publishes nothing for that event.
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return float(spec)


# -- terms -------------------------------------------------------------------------------------
_TERM = re.compile(r'([?-]?)("(?:[^"\\]|\\.)*"|\S+)')


def _compile_terms(text: str) -> Callable[[str], bool]:
    required, optional, excluded = [], [], []
    for prefix, raw in _TERM.findall(text):
        term = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw
        {"": required, "?": optional, "-": excluded}[prefix].append(term)

    def match(message: str) -> bool:
        if any(t in message for t in excluded):
            return False
        if optional and not any(t in message for t in optional):
            return False
        return all(t in message for t in required)

    return match


# -- JSON patterns -----------------------------------------------------------------------------
_TOKENS = re.compile(
    r"\s*(?:(?P<op>&&|\|\||>=|<=|!=|=|>|<|\(|\))|(?P<sel>\$(?:\.[A-Za-z0-9_\-@]+|\[\d+\])+)"
    r'|(?P<str>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()=!<>&|]+))'
)


class _JsonParser:
    def __init__(self, text: str):
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKENS.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot parse JSON filter pattern near {text[pos:]!r}")
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ValueError("unexpected end of JSON filter pattern")
        self.i += 1
        return token

    def parse(self):
        tree = self.parse_or()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()[1]!r} in JSON filter pattern")
        return tree

    def parse_or(self):
        left = self.parse_and()
        while self.peek() == ("op", "||"):
            self.take()
            left = ("or", left, self.parse_and())
        return left

    def parse_and(self):
        left = self.parse_atom()
        while self.peek() == ("op", "&&"):
            self.take()
            left = ("and", left, self.parse_atom())
        return left

    def parse_atom(self):
        kind, value = self.take()
        if (kind, value) == ("op", "("):
            inner = self.parse_or()
            if self.take() != ("op", ")"):
                raise ValueError("missing ')' in JSON filter pattern")
            return inner
        if kind != "sel":
            raise ValueError(f"expected a $.selector, got {value!r}")
        selector = value
        kind, op = self.take()
        if kind == "word" and op.upper() == "IS":
            _, what = self.take()
            what = what.upper()
            if what not in ("TRUE", "FALSE", "NULL"):
                raise ValueError(f"IS {what} is not supported")
            return ("is", selector, what)
        if kind == "word" and op.upper() == "EXISTS":
            return ("exists", selector, True)
        if kind == "word" and op.upper() == "NOT":
            _, word = self.take()
            if word.upper() != "EXISTS":
                raise ValueError("expected NOT EXISTS")
            return ("exists", selector, False)
        if kind != "op" or op not in ("=", "!=", ">", "<", ">=", "<="):
            raise ValueError(f"expected a comparison after {selector}, got {op!r}")
        vkind, raw = self.take()
        if vkind not in ("str", "word"):
            raise ValueError(f"expected a value after {selector} {op}")
        value: tuple[str, Any]
        try:
            value = ("str", raw[1:-1].replace('\\"', '"')) if vkind == "str" else ("num", float(raw))
        except ValueError:
            value = ("str", raw)
        if value[0] == "str" and op not in ("=", "!="):
            raise ValueError(f"{op} needs a number; only = and != compare strings")
        return ("cmp", selector, op, value)


def _lookup(doc: Any, selector: str) -> Any:
    current = doc
    for name, index in re.findall(r"\.([A-Za-z0-9_\-@]+)|\[(\d+)\]", selector):
        if name:
            if not isinstance(current, dict) or name not in current:
                return _MISSING
            current = current[name]
        else:
            if not isinstance(current, list) or int(index) >= len(current):
                return _MISSING
            current = current[int(index)]
    return current


def _eval(tree, doc) -> bool:
    head = tree[0]
    if head == "or":
        return _eval(tree[1], doc) or _eval(tree[2], doc)
    if head == "and":
        return _eval(tree[1], doc) and _eval(tree[2], doc)
    value = _lookup(doc, tree[1])
    if head == "exists":
        return (value is not _MISSING) == tree[2]
    if head == "is":
        return {"TRUE": value is True, "FALSE": value is False, "NULL": value is None}[tree[2]]
    _, _, op, (vtype, expected) = tree
    if value is _MISSING or value is None or isinstance(value, (dict, list)):
        return False
    if vtype == "num":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if op in ("=", "!="):
            return (value == expected) == (op == "=")
        return _NUM_OPS[op](value, expected)
    if op not in ("=", "!="):
        raise ValueError("only = and != compare strings")
    text = value if isinstance(value, str) else json.dumps(value)
    hit = re.fullmatch(re.escape(expected).replace(r"\*", ".*"), text, flags=re.S) is not None
    return hit == (op == "=")
