"""Validate DeepAR training/test data and hyperparameters the way the algorithm documents them.

Rules encoded (https://docs.aws.amazon.com/sagemaker/latest/dg/deepar.html, "Input/Output
Interface for the DeepAR Algorithm"; https://docs.aws.amazon.com/sagemaker/latest/dg/deepar_hyperparameters.html):

- JSON Lines: one JSON object per line.
- ``start``: a string ``YYYY-MM-DD HH:MM:SS`` (or ``YYYY-MM-DD``), no time zone.
- ``target``: an array of numbers; missing values are ``"NaN"`` or ``null``.
- ``cat`` (optional): an array of non-negative integers; if any record has ``cat``, all must, with
  the same number of categorical features.
- ``dynamic_feat`` (optional): an array of arrays of numbers; if used, every record has the same
  number of feature series, each exactly as long as ``target`` in training data (in inference
  requests they extend ``prediction_length`` beyond it); missing values are not allowed in them.
- **One frequency**: all series share the job's ``time_freq``. The data carries no frequency, so
  this validator checks what it can see: every ``start`` lies on the ``time_freq`` grid (``D``,
  ``W`` and ``M`` start at midnight, ``H`` on the hour, ``<n>min`` on a multiple of n minutes) — an
  awslabs check of a documented rule, not an AWS error message. For a multiple (``2H``, ``3D``) only
  the base unit's grid is checked: DeepAR documents no anchor for the multiple, so a ``2H`` series
  may start at any full hour.
- **Train/test split**: the test channel holds the full series, the train channel the same series
  without their last ``prediction_length`` points. So every test series must be its training
  series (same ``start``, same ``cat``, same first values) extended by ``prediction_length``.
- **Hyperparameters**: ``time_freq``, ``context_length``, ``prediction_length`` and ``epochs`` are
  required; ``time_freq`` is ``M``, ``W``, ``D``, ``H`` or ``min``, optionally preceded by an integer
  multiple ("Valid values: An integer followed by M, W, D, H, or min": ``5min``, ``2H``, ``12H``,
  ``3D`` are all valid; awslabs.facts ``deepar.time_freq``); ``likelihood`` is one
  of ``gaussian``, ``beta``, ``negative-binomial``, ``student-T``, ``deterministic-L1``.

Every error is a sentence naming the line and the field.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from awslabs import facts

REQUIRED_HYPERPARAMETERS = tuple(facts.value("deepar.required_hyperparameters"))
LIKELIHOODS = ("gaussian", "beta", "negative-binomial", "student-T", "deterministic-L1")
# An optional positive integer multiple, then the base frequency (deepar_hyperparameters.html).
_FREQ = re.compile(r"^([1-9]\d*)?(M|W|D|H|min)$")


@dataclass
class DatasetReport:
    records: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    num_cat: int | None = None
    num_dynamic_feat: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.lower() == "nan") or (
        isinstance(value, float) and math.isnan(value))


def parse_start(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def on_frequency_grid(start: dt.datetime, time_freq: str) -> bool:
    match = _FREQ.match(time_freq)
    if not match:
        return True  # validate_hyperparameters reports a bad time_freq
    multiple, unit = int(match.group(1) or 1), match.group(2)
    if unit in ("D", "W", "M"):
        return (start.hour, start.minute, start.second) == (0, 0, 0)
    if unit == "H":
        return (start.minute, start.second) == (0, 0)
    return start.second == 0 and (start.hour * 60 + start.minute) % multiple == 0


def validate_record(record: Any, where: str, time_freq: str | None = None) -> list[str]:
    errors: list[str] = []
    if not isinstance(record, dict):
        return [f"{where}: a record must be a JSON object, got {type(record).__name__}"]
    unknown = set(record) - {"start", "target", "cat", "dynamic_feat"}
    if unknown:
        errors.append(f"{where}: unknown field(s) {sorted(unknown)} (DeepAR reads start, target, cat, dynamic_feat)")
    start = parse_start(record.get("start"))
    if "start" not in record:
        errors.append(f"{where}: 'start' is missing")
    elif start is None:
        errors.append(f"{where}: 'start' must be 'YYYY-MM-DD HH:MM:SS' without a time zone, got {record['start']!r}")
    elif time_freq and not on_frequency_grid(start, time_freq):
        errors.append(f"{where}: 'start' {record['start']!r} is not on the {time_freq} grid: all series must share "
                      "one frequency")
    target = record.get("target")
    if not isinstance(target, list) or not target:
        errors.append(f"{where}: 'target' must be a non-empty array of numbers")
        target = []
    else:
        bad = [i for i, v in enumerate(target) if not (_is_number(v) or _is_missing(v))]
        if bad:
            errors.append(f"{where}: 'target' has non-numeric values at positions {bad[:5]} (use \"NaN\" or null "
                          "for missing values)")
    if "cat" in record:
        cat = record["cat"]
        if not isinstance(cat, list) or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in cat):
            errors.append(f"{where}: 'cat' must be an array of non-negative integers, got {cat!r}")
    if "dynamic_feat" in record:
        feats = record["dynamic_feat"]
        if not isinstance(feats, list) or not all(isinstance(f, list) for f in feats):
            errors.append(f"{where}: 'dynamic_feat' must be an array of arrays")
        else:
            for k, feat in enumerate(feats):
                if len(feat) != len(target):
                    errors.append(f"{where}: dynamic_feat[{k}] has {len(feat)} values but 'target' has {len(target)}: "
                                  "each feature series must be as long as the target")
                if any(_is_missing(v) for v in feat):
                    errors.append(f"{where}: dynamic_feat[{k}] has missing values, which DeepAR does not accept")
                elif not all(_is_number(v) for v in feat):
                    errors.append(f"{where}: dynamic_feat[{k}] must hold numbers only")
    return errors


def validate_dataset(text_or_records: str | Iterable[dict], name: str = "data",
                     time_freq: str | None = None) -> DatasetReport:
    """Parse (if text) and validate a whole channel; cross-record rules included."""
    report = DatasetReport()
    if isinstance(text_or_records, str):
        for lineno, line in enumerate(text_or_records.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                report.records.append(json.loads(line))
            except json.JSONDecodeError as err:
                report.errors.append(f"{name} line {lineno}: not JSON ({err.msg}); the format is JSON Lines")
                report.records.append(None)  # keep line numbers aligned
    else:
        report.records = list(text_or_records)
    with_cat = with_feat = 0
    for i, record in enumerate(report.records, start=1):
        if record is None:
            continue
        where = f"{name} line {i}"
        report.errors += validate_record(record, where, time_freq)
        if not isinstance(record, dict):
            continue
        if isinstance(record.get("cat"), list):
            with_cat += 1
            if report.num_cat is None:
                report.num_cat = len(record["cat"])
            elif len(record["cat"]) != report.num_cat:
                report.errors.append(f"{where}: {len(record['cat'])} categorical features, the first record has "
                                     f"{report.num_cat}: all records must have the same number")
        if isinstance(record.get("dynamic_feat"), list):
            with_feat += 1
            if report.num_dynamic_feat is None:
                report.num_dynamic_feat = len(record["dynamic_feat"])
            elif len(record["dynamic_feat"]) != report.num_dynamic_feat:
                report.errors.append(f"{where}: {len(record['dynamic_feat'])} dynamic feature series, the first "
                                     f"record has {report.num_dynamic_feat}: all records must have the same number")
    parsed = [r for r in report.records if isinstance(r, dict)]
    if 0 < with_cat < len(parsed):
        report.errors.append(f"{name}: {with_cat} of {len(parsed)} records have 'cat': use it in all records or none")
    if 0 < with_feat < len(parsed):
        report.errors.append(f"{name}: {with_feat} of {len(parsed)} records have 'dynamic_feat': use it in all "
                             "records or none")
    return report


def validate_split(train: list[dict], test: list[dict], prediction_length: int) -> list[str]:
    """The documented split: each test series = its training series + ``prediction_length`` points."""
    errors = []
    if len(train) != len(test):
        errors.append(f"train has {len(train)} series, test has {len(test)}: the test channel should hold the "
                      "full version of every training series")
    for i, (tr, te) in enumerate(zip(train, test), start=1):
        if tr.get("start") != te.get("start") or tr.get("cat") != te.get("cat"):
            errors.append(f"series {i}: test start/cat ({te.get('start')}, {te.get('cat')}) differ from train "
                          f"({tr.get('start')}, {tr.get('cat')})")
            continue
        n_train, n_test = len(tr.get("target", [])), len(te.get("target", []))
        if n_test != n_train + prediction_length:
            errors.append(f"series {i}: test has {n_test} points, train {n_train}: test must be train + "
                          f"prediction_length ({prediction_length}) points")
        elif te["target"][:n_train] != tr["target"]:
            errors.append(f"series {i}: the first {n_train} test points are not the training points")
    return errors


def validate_hyperparameters(hps: dict[str, Any]) -> list[str]:
    errors = [f"hyperparameter '{k}' is required" for k in REQUIRED_HYPERPARAMETERS if k not in hps]
    freq = str(hps.get("time_freq", ""))
    if "time_freq" in hps and not _FREQ.match(freq):
        errors.append(f"time_freq {freq!r} must be M, W, D, H or min, optionally preceded by an integer "
                      "(e.g. 5min, 2H, 3D)")
    for key in ("context_length", "prediction_length", "epochs"):
        if key in hps:
            try:
                if int(str(hps[key])) < 1:
                    raise ValueError
            except ValueError:
                errors.append(f"{key} must be a positive integer, got {hps[key]!r}")
    if "likelihood" in hps and hps["likelihood"] not in LIKELIHOODS:
        errors.append(f"likelihood {hps['likelihood']!r} must be one of {', '.join(LIKELIHOODS)}")
    return errors


__all__ = ["DatasetReport", "validate_record", "validate_dataset", "validate_split", "validate_hyperparameters",
           "parse_start", "on_frequency_grid", "REQUIRED_HYPERPARAMETERS", "LIKELIHOODS"]
