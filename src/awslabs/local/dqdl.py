"""A local evaluator for AWS Glue Data Quality rulesets written in DQDL.

moto does not implement Glue Data Quality (no ``CreateDataQualityRuleset``, no evaluation run), so
off AWS the lab keeps the learner's DQDL text in S3 and this module really evaluates it on the data
(pandas), reporting each rule the way Glue's ``GetDataQualityResult`` does: ``RuleResults`` with
``Name`` (``Rule_1``...), ``Description`` (the rule's text), ``Result`` (``PASS``/``FAIL``),
``EvaluationMessage`` and ``EvaluatedMetrics``, plus an overall ``Score`` (passed / total).

The parser is a real one (a tokenizer and a recursive-descent grammar), not a regular expression
per rule: ``Rules = [ rule, rule, ... ]``; a rule is ``<RuleType> "col"... <expression>
[with threshold <expression>]``; composite rules join parenthesised rules with ``and`` / ``or``
(each operand in parentheses, as the DQDL reference requires). Expressions: ``= != > >= < <=``
followed by a number, ``between a and b``, ``[not] in [v, ...]`` and ``matches "regex"``.

Rule semantics (DQDL reference, https://docs.aws.amazon.com/glue/latest/dg/dqdl.html and the rule
type pages under it; each registered in ``awslabs.facts`` as ``glue.dqdl_*``):

- ``RowCount <expr>`` — the number of rows;
- ``IsComplete "c"`` — every value is non-null; ``Completeness "c" <expr>`` — the fraction of
  non-null values;
- ``IsUnique "c"`` — every value is unique; ``Uniqueness "c" <expr>`` — the fraction of rows whose
  value occurs exactly once ("unique values occur exactly once");
- ``ColumnValues "c" <expr> [with threshold <expr>]`` — each value satisfies the expression; without
  a threshold every row must, with one the fraction of rows that do is compared with it. A null
  satisfies no comparison (the reference lists ``NULL`` as a keyword to allow it in a list);
- ``ColumnLength "c" <expr>`` — the length of every non-null string value;
- ``Mean``, ``StandardDeviation`` (population), ``Sum`` — of the non-null values;
- ``DistinctValuesCount "c" <expr>`` — the number of distinct non-null values.

``between a and b`` is evaluated inclusive of both ends (the reference does not say; see the fact
``glue.dqdl_between``); the lab's data never sits on a boundary.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..facts import value as _fact

RULE_TYPES: tuple[str, ...] = tuple(_fact("glue.dqdl_rule_types"))  # the rule types this evaluator knows
NULL_KEYWORD = "NULL"


class DQDLError(ValueError):
    """The ruleset does not parse (Glue refuses such a ruleset at CreateDataQualityRuleset)."""


# -- tokens -----------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<op>>=|<=|!=|=|>|<)
  | (?P<punct>[\[\](),])
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise DQDLError(f"unexpected character {text[pos]!r} at position {pos}")
        kind = match.lastgroup
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


# -- syntax tree ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expression:
    op: str  # = != > >= < <= between in not_in matches
    args: tuple = ()

    def text(self) -> str:
        if self.op == "between":
            return f"between {_num(self.args[0])} and {_num(self.args[1])}"
        if self.op in ("in", "not_in"):
            items = ", ".join(v if v == NULL_KEYWORD else f'"{v}"' if isinstance(v, str) else _num(v)
                              for v in self.args)
            return f"{'not in' if self.op == 'not_in' else 'in'} [{items}]"
        if self.op == "matches":
            return f'matches "{self.args[0]}"'
        return f"{self.op} {_num(self.args[0])}"

    def holds(self, value: Any) -> bool:
        """Does ``value`` satisfy the expression? A null satisfies nothing but ``in [NULL]``."""
        if _is_null(value):
            return (self.op == "in" and NULL_KEYWORD in self.args) or (
                self.op == "not_in" and NULL_KEYWORD not in self.args)
        if self.op in ("in", "not_in"):
            inside = any(_same(value, v) for v in self.args if v != NULL_KEYWORD)
            return inside if self.op == "in" else not inside
        if self.op == "matches":
            return re.fullmatch(self.args[0], str(value)) is not None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        if self.op == "between":
            low, high = self.args
            return low <= number <= high
        bound = self.args[0]
        return {"=": number == bound, "!=": number != bound, ">": number > bound, ">=": number >= bound,
                "<": number < bound, "<=": number <= bound}[self.op]


@dataclass(frozen=True)
class Rule:
    rule_type: str
    columns: tuple[str, ...] = ()
    expression: Expression | None = None
    threshold: Expression | None = None

    def text(self) -> str:
        parts = [self.rule_type, *[f'"{c}"' for c in self.columns]]
        if self.expression:
            parts.append(self.expression.text())
        if self.threshold:
            parts.append(f"with threshold {self.threshold.text()}")
        return " ".join(parts)


@dataclass(frozen=True)
class Composite:
    op: str  # and | or
    parts: tuple = field(default=())

    def text(self) -> str:
        return f" {self.op} ".join(f"({p.text()})" for p in self.parts)


# -- parser -----------------------------------------------------------------------------------------
_NEEDS_EXPRESSION = {"RowCount", "Completeness", "Uniqueness", "ColumnValues", "ColumnLength", "Mean",
                     "StandardDeviation", "Sum", "DistinctValuesCount"}
_NO_EXPRESSION = {"IsComplete", "IsUnique"}


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> Token:
        token = self.peek()
        if token is None:
            raise DQDLError(f"the ruleset ends early: expected {text or kind}")
        if (kind and token.kind != kind) or (text is not None and token.text != text):
            raise DQDLError(f"expected {text or kind} at position {token.pos}, found {token.text!r}")
        self.i += 1
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.text == text

    def ruleset(self) -> list:
        self.take("word", "Rules")
        self.take("op", "=")
        self.take("punct", "[")
        rules = [self.rule()]
        while self.at(","):
            self.take("punct", ",")
            rules.append(self.rule())
        self.take("punct", "]")
        if self.peek() is not None:
            raise DQDLError(f"unexpected {self.peek().text!r} after the closing ] of Rules")
        return rules

    def rule(self):
        if not self.at("("):
            return self.simple()
        first = self.group()
        op = self.peek().text if self.peek() is not None and self.peek().text in ("and", "or") else None
        if op is None:
            return first
        parts = [first]
        while self.at(op):
            self.take("word", op)
            if not self.at("("):
                raise DQDLError(f"each rule joined with '{op}' must be in parentheses")
            parts.append(self.group())
        if self.peek() is not None and self.peek().text in ("and", "or"):
            raise DQDLError("mixing 'and' and 'or' needs parentheses around each group")
        return Composite(op, tuple(parts))

    def group(self):
        self.take("punct", "(")
        inner = self.rule()
        self.take("punct", ")")
        return inner

    def simple(self) -> Rule:
        name = self.take("word").text
        if name not in RULE_TYPES:
            raise DQDLError(f"unknown rule type {name!r} (this evaluator knows: {', '.join(RULE_TYPES)})")
        columns = []
        while self.peek() is not None and self.peek().kind == "string":
            columns.append(_unquote(self.take("string").text))
        if name != "RowCount" and not columns:
            raise DQDLError(f"{name} needs a column name in double quotes")
        expression = None
        if name in _NEEDS_EXPRESSION:
            expression = self.expression()
        threshold = None
        if self.at("with"):
            self.take("word", "with")
            self.take("word", "threshold")
            threshold = self.expression()
            if name != "ColumnValues" and name != "ColumnLength":
                raise DQDLError(f"{name} does not take 'with threshold'")
        if name in _NO_EXPRESSION and self.peek() is not None and self.peek().kind == "op":
            raise DQDLError(f"{name} takes no expression")
        return Rule(name, tuple(columns), expression, threshold)

    def expression(self) -> Expression:
        token = self.peek()
        if token is None:
            raise DQDLError("the rule needs an expression (e.g. > 0.95, between 1 and 10, in [\"a\"])")
        if token.kind == "op":
            self.take("op")
            return Expression(token.text, (self.number(),))
        if token.text == "between":
            self.take("word", "between")
            low = self.number()
            self.take("word", "and")
            high = self.number()
            if low > high:
                raise DQDLError(f"between {low} and {high}: the lower bound is above the upper one")
            return Expression("between", (low, high))
        if token.text in ("in", "not"):
            negate = token.text == "not"
            if negate:
                self.take("word", "not")
            self.take("word", "in")
            return Expression("not_in" if negate else "in", tuple(self.values()))
        if token.text == "matches":
            self.take("word", "matches")
            pattern = _unquote(self.take("string").text)
            try:
                re.compile(pattern)
            except re.error as err:
                raise DQDLError(f"matches {pattern!r}: not a regular expression ({err})") from None
            return Expression("matches", (pattern,))
        raise DQDLError(f"expected an expression at position {token.pos}, found {token.text!r}")

    def number(self) -> float:
        return float(self.take("number").text)

    def values(self) -> list:
        self.take("punct", "[")
        items = [self.value()]
        while self.at(","):
            self.take("punct", ",")
            items.append(self.value())
        self.take("punct", "]")
        return items

    def value(self):
        token = self.peek()
        if token is not None and token.kind == "string":
            return _unquote(self.take("string").text)
        if token is not None and token.kind == "number":
            return self.number()
        if token is not None and token.text == NULL_KEYWORD:
            self.take("word")
            return NULL_KEYWORD
        raise DQDLError(f"expected a value in the list, found {token.text if token else 'the end'!r}")


def parse(text: str) -> list:
    """The rules of a DQDL ruleset (``Rule`` or ``Composite``), or ``DQDLError``."""
    return _Parser(text).ruleset()


# -- evaluation -------------------------------------------------------------------------------------
def _metric(rule: Rule, frame) -> tuple[float, str]:
    """The metric a rule's expression is compared with, and its Glue metric name."""
    column = rule.columns[0] if rule.columns else None
    series = frame[column] if column is not None else None
    kind = rule.rule_type
    if kind == "RowCount":
        return float(len(frame)), "Dataset.*.RowCount"
    if kind in ("Completeness", "IsComplete"):
        share = float(series.notna().mean()) if len(series) else 1.0
        return share, f"Column.{column}.Completeness"
    if kind in ("Uniqueness", "IsUnique"):
        keys = frame[list(rule.columns)].astype(str).agg("\x1f".join, axis=1) if len(rule.columns) > 1 else series
        counts = keys.value_counts(dropna=False)
        share = float((keys.map(counts) == 1).mean()) if len(keys) else 1.0
        return share, f"Column.{column}.Uniqueness"
    values = series.dropna()
    if kind == "Mean":
        return float(values.astype(float).mean()), f"Column.{column}.Mean"
    if kind == "StandardDeviation":
        return float(values.astype(float).std(ddof=0)), f"Column.{column}.StandardDeviation"
    if kind == "Sum":
        return float(values.astype(float).sum()), f"Column.{column}.Sum"
    if kind == "DistinctValuesCount":
        return float(values.nunique()), f"Column.{column}.DistinctValuesCount"
    raise DQDLError(f"no metric for {kind}")


def _evaluate_rule(rule: Rule, frame) -> tuple[bool, str, dict]:
    missing = [c for c in rule.columns if c not in frame.columns]
    if missing:
        return False, f"Column {missing[0]} does not exist in the data", {}
    kind = rule.rule_type
    if kind in ("IsComplete", "IsUnique"):
        share, name = _metric(rule, frame)
        ok = share == 1.0
        what = "complete" if kind == "IsComplete" else "unique"
        message = "" if ok else f"Value: {share:.4f} does not meet the constraint requirement! ({what} share < 1)"
        return ok, message, {name: share}
    if kind in ("ColumnValues", "ColumnLength"):
        series = frame[rule.columns[0]]
        if kind == "ColumnLength":
            series = series.dropna().astype(str).str.len()
        held = series.map(rule.expression.holds)
        share = float(held.mean()) if len(held) else 1.0
        ok = rule.threshold.holds(share) if rule.threshold else share == 1.0
        name = f"Column.{rule.columns[0]}.{'ColumnValues' if kind == 'ColumnValues' else 'ColumnLength'}.Compliance"
        failing = int((~held).sum())
        message = "" if ok else (f"Value: {share:.4f} does not meet the constraint requirement! "
                                 f"{failing} of {len(held)} rows fail {rule.expression.text()}")
        return ok, message, {name: share}
    metric, name = _metric(rule, frame)
    ok = not math.isnan(metric) and rule.expression.holds(metric)
    message = "" if ok else f"Value: {metric:.6g} does not meet the constraint requirement!"
    return ok, message, {name: metric}


def _evaluate(node, frame) -> tuple[bool, str, dict]:
    if isinstance(node, Rule):
        return _evaluate_rule(node, frame)
    outcomes = [_evaluate(part, frame) for part in node.parts]
    metrics = {k: v for _, _, m in outcomes for k, v in m.items()}
    ok = all(o[0] for o in outcomes) if node.op == "and" else any(o[0] for o in outcomes)
    message = "" if ok else "; ".join(o[1] for o in outcomes if not o[0])
    return ok, message, metrics


def evaluate(ruleset_text: str, frame) -> dict:
    """Evaluate a DQDL ruleset on a pandas DataFrame: Glue's result shape (``RuleResults``, ``Score``)."""
    rules = parse(ruleset_text)
    results = []
    for index, node in enumerate(rules, start=1):
        ok, message, metrics = _evaluate(node, frame)
        result = {"Name": f"Rule_{index}", "Description": node.text(), "Result": "PASS" if ok else "FAIL",
                  "EvaluatedMetrics": metrics}
        if message:
            result["EvaluationMessage"] = message
        results.append(result)
    passed = sum(r["Result"] == "PASS" for r in results)
    return {"RuleResults": results, "Score": passed / len(results), "RowCount": len(frame)}


# -- helpers ----------------------------------------------------------------------------------------
def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _same(value: Any, listed: Any) -> bool:
    if isinstance(listed, str):
        return str(value) == listed
    try:
        return float(value) == float(listed)
    except (TypeError, ValueError):
        return False
