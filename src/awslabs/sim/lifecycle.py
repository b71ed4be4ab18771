"""S3 storage classes and lifecycle rules: validate a configuration as S3 does, simulate it, price it.

moto (5.2.5) stores a lifecycle configuration without validating it and never applies it; real S3
rejects bad rules and then moves objects once a day. This module encodes the rules AWS documents,
so a lab can say what S3 would answer and what would happen to each object on each day:

- ``validate(config)`` -> every ``Finding`` (S3 answers only the first; ``check(config)`` raises it);
- ``check_restore(storage_class, tier)`` -> the finding for a ``RestoreObject`` request;
- ``timeline(config, objects)`` -> which class each object is in on each day, and when it expires;
- ``monthly_costs(timelines)`` -> storage cost per calendar month from a dated us-east-1 price table,
  with minimum storage durations, the 128 KB minimum billable size and the archive overhead.

Configurations are the dictionaries boto3 takes (``LifecycleConfiguration={"Rules": [...]}``).

Each ``Finding`` has ``source``: ``"s3-message"`` when the code and text are the ones S3 returns
(as recorded by S3-compatible servers that reproduce S3's answers and by users quoting S3's error),
``"documented-rule"`` when AWS documents the rule but the wording is ours.

AWS documentation this follows (read 2026-11-26):

- Lifecycle configuration elements (1,000 rules, filters, actions):
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
- Transition API type (STANDARD_IA/ONEZONE_IA need >= 30 days; others 0 or more):
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html
- LifecycleRule API type (a Filter has exactly one of Prefix, Tag, sizes or And):
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html
- Supported transitions (the waterfall), 128 KB default minimum, minimum durations:
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
- Examples (hand-worked in tests/test_sim_lifecycle.py):
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html
- When actions run (object creation + days, rounded up to the next midnight UTC):
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html#intro-lifecycle-rules-number-of-days
- Conflicting rules (expiration wins; the colder transition wins):
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-conflicts.html
- TransitionDefaultMinimumObjectSize (objects < 128 KB do not transition by default):
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
- Storage classes (AZs, minimum duration, minimum billable size):
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html
- Archive retrieval options (Expedited / Standard / Bulk, none Expedited for Deep Archive):
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects-retrieval-options.html
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html
- Prices: https://aws.amazon.com/s3/pricing/ (us-east-1, first 50 TB per month; see ``PRICES``)
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from awslabs import facts

KiB = 1024
MiB = 1024**2
GiB = 1024**3

# The storage classes a lifecycle rule can name, in the order of the documented waterfall
# (the diagram on lifecycle-transition-general-considerations.html). STANDARD is the start.
WATERFALL = (
    "STANDARD",
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
TRANSITION_CLASSES = WATERFALL[1:]

# Which class a lifecycle rule may move an object to, from each class ("Supported lifecycle
# transitions"). Nothing goes back up; Deep Archive is the end of the line.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "STANDARD": frozenset(TRANSITION_CLASSES),
    "STANDARD_IA": frozenset({"INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}),
    "INTELLIGENT_TIERING": frozenset({"ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"}),
    "ONEZONE_IA": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "GLACIER_IR": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "GLACIER": frozenset({"DEEP_ARCHIVE"}),
    "DEEP_ARCHIVE": frozenset(),
}

# A transition into these classes needs the object to be at least 30 days old (API_Transition).
IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
IA_MIN_TRANSITION_DAYS = facts.value("s3.ia_min_object_age_days")
# Objects moved into an IA class by one rule and onwards by another wait this long in the IA class
# (AWS Knowledge Center); see ``timeline`` for why the two-rule case is a reading, not a quote.
IA_STAY_DAYS = facts.value("s3.two_rule_ia_wait_days")

# Minimum storage duration: leaving the class earlier (delete, overwrite, transition) is billed
# as if the object had stayed that long (storage-class-intro.html, S3 pricing page).
MIN_STORAGE_DAYS: dict[str, int] = dict(facts.value("s3.min_storage_days"))

# Minimum billable object size: smaller objects are billed as 128 KB.
_MIN_BILLED = facts.value("s3.min_billable_bytes")
MIN_BILLABLE_BYTES = {"STANDARD_IA": _MIN_BILLED, "ONEZONE_IA": _MIN_BILLED, "GLACIER_IR": _MIN_BILLED}

# Archived objects carry 40 KB of metadata: 8 KB billed at S3 Standard, 32 KB at the class.
ARCHIVE_OVERHEAD = {"GLACIER": facts.value("s3.archive_overhead_bytes"),
                    "DEEP_ARCHIVE": facts.value("s3.archive_overhead_bytes")}

# Objects smaller than this do not transition by default (TransitionDefaultMinimumObjectSize
# ``all_storage_classes_128K``, the default since September 2024) unless the rule has its own
# size filter; ``varies_by_storage_class`` still lets them go to GLACIER and DEEP_ARCHIVE.
DEFAULT_MIN_TRANSITION_BYTES = facts.value("s3.default_min_transition_bytes")

# The classes that keep data in one Availability Zone. EXPRESS_ONEZONE lives only in directory
# buckets and lifecycle cannot transition to it, so it is not in the waterfall.
SINGLE_AZ_CLASSES = facts.value("s3.single_az_classes")

# The cheat sheet's table (the lab guide shows the same), checked against storage-class-intro.html.
CLASS_TABLE = (
    # class, use case, availability zones, access time
    ("STANDARD", "active, frequently accessed data", ">= 3", "milliseconds"),
    ("INTELLIGENT_TIERING", "changing or unknown access patterns", ">= 3", "milliseconds"),
    ("STANDARD_IA", "infrequently accessed data", ">= 3", "milliseconds"),
    ("ONEZONE_IA", "re-creatable, less accessed data", "1", "milliseconds"),
    ("GLACIER_IR", "archives read quarterly, needed at once", ">= 3", "milliseconds"),
    ("GLACIER", "archive data", ">= 3", "minutes or hours"),
    ("DEEP_ARCHIVE", "lowest storage cost", ">= 3", "12-48 hours"),
)

# RestoreObject tiers and their documented typical times (restoring-objects-retrieval-options.html).
RESTORE_TIERS: dict[str, dict[str, str]] = {k: dict(v) for k, v in facts.value("s3.restore_tiers").items()}


@dataclass(frozen=True)
class PriceTable:
    """Storage prices in USD per GB-month (GB = 2**30 bytes, as S3 bills) for one region."""

    region: str
    as_of: str
    source: str
    per_gb_month: Mapping[str, float]
    intelligent_tiering_tiers: tuple[tuple[int, float], ...]  # (from day, USD/GB-month)
    intelligent_tiering_monitoring_per_1000: float
    transition_per_1000: Mapping[str, float]


# us-east-1, first 50 TB/month, as published on https://aws.amazon.com/s3/pricing/ and dated
# 2026-11-26. Prices change: check the page before quoting these numbers anywhere that matters.
_PRICE_FACT = facts.fact("s3.prices_us_east_1")
PRICES = PriceTable(
    region="us-east-1",
    as_of=_PRICE_FACT.read,
    source=_PRICE_FACT.url,
    per_gb_month={
        **_PRICE_FACT.value,
        "INTELLIGENT_TIERING": _PRICE_FACT.value["STANDARD"],  # Frequent Access tier; see intelligent_tiering_tiers
    },
    # An object >= 128 KB not read for 30 consecutive days moves to Infrequent Access, after 90
    # days to Archive Instant Access (intelligent-tiering-overview.html); we assume no reads.
    intelligent_tiering_tiers=((0, 0.023), (30, 0.0125), (90, 0.004)),
    intelligent_tiering_monitoring_per_1000=0.0025,
    transition_per_1000={
        "STANDARD_IA": 0.01,
        "INTELLIGENT_TIERING": 0.01,
        "ONEZONE_IA": 0.01,
        "GLACIER_IR": 0.02,
        "GLACIER": 0.03,
        "DEEP_ARCHIVE": 0.05,
    },
)

MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"
INVALID_OBJECT_STATE = "The operation is not valid for the object's storage class"


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One thing S3 would reject (``severity="error"``) or bill surprisingly (``"warning"``)."""

    code: str  # S3 error code: InvalidArgument, InvalidRequest, MalformedXML, InvalidObjectState
    message: str
    rule: str | None = None  # the rule's ID (or "#<index>") the finding is about
    severity: str = "error"
    source: str = "s3-message"  # or "documented-rule": the rule is documented, the words are ours

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class LifecycleError(Exception):
    """What ``put_bucket_lifecycle_configuration`` on real S3 would raise (its first error)."""

    def __init__(self, finding: Finding):
        super().__init__(str(finding))
        self.finding = finding
        self.code = finding.code
        self.message = finding.message


def _as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    text = str(value).replace("Z", "+00:00")
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _is_midnight_utc(value: Any) -> bool:
    when = _as_datetime(value).astimezone(dt.timezone.utc)
    return (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0)


def _filter_node(rule: Mapping) -> Mapping:
    flt = rule.get("Filter")
    if flt is None:
        return {"Prefix": rule.get("Prefix", "")}
    return flt.get("And", flt)


def _tags_of(node: Mapping) -> list[Mapping]:
    if "Tags" in node:
        return list(node["Tags"])
    return [node["Tag"]] if "Tag" in node else []


def describe_filter(rule: Mapping) -> str:
    """A rule's filter as S3 writes it in error messages, e.g. ``(prefix=logs/)``."""
    node = _filter_node(rule)
    parts = []
    if "Prefix" in node:
        parts.append(f"prefix={node['Prefix']}")
    parts += [f"tag={{key={t.get('Key', '')}, value={t.get('Value', '')}}}" for t in _tags_of(node)]
    if "ObjectSizeGreaterThan" in node:
        parts.append(f"objectsizegreaterthan={node['ObjectSizeGreaterThan']}")
    if "ObjectSizeLessThan" in node:
        parts.append(f"objectsizelessthan={node['ObjectSizeLessThan']}")
    return f"({' and '.join(parts)})" if parts else "(prefix=)"


def _rank(storage_class: str) -> int:
    return WATERFALL.index(storage_class)


def _check_transitions(rule, rid, items, *, noncurrent: bool) -> list[Finding]:
    """Transitions (or NoncurrentVersionTransitions) of one rule."""
    out: list[Finding] = []
    action = "NoncurrentVersionTransition" if noncurrent else "Transition"
    day_field = "NoncurrentDays" if noncurrent else "Days"
    flt = describe_filter(rule)
    timed: list[tuple[str, Any, str]] = []  # (class, value, "Days"/"Date")
    for item in items:
        storage_class = item.get("StorageClass")
        if storage_class not in TRANSITION_CLASSES:
            out.append(Finding("MalformedXML", MALFORMED_XML, rid))
            continue
        has_days, has_date = day_field in item, (not noncurrent and "Date" in item)
        if has_days == has_date:  # the schema is a choice: exactly one of Days and Date
            out.append(Finding("MalformedXML", MALFORMED_XML, rid))
            continue
        if has_date:
            if not _is_midnight_utc(item["Date"]):
                out.append(Finding("InvalidArgument", "'Date' must be at midnight GMT", rid))
            timed.append((storage_class, _as_datetime(item["Date"]), "Date"))
            continue
        days = item[day_field]
        if not isinstance(days, int) or days < 0:
            out.append(Finding("InvalidArgument", f"'{day_field}' in {action} action must be nonnegative", rid))
            continue
        if storage_class in IA_CLASSES and days < IA_MIN_TRANSITION_DAYS:
            if noncurrent:
                out.append(Finding(
                    "InvalidArgument",
                    f"'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal "
                    f"to 30 for storageClass '{storage_class}'",
                    rid, source="documented-rule",
                ))
            else:
                out.append(Finding(
                    "InvalidArgument",
                    f"'Days' in Transition action must be greater than or equal to 30 for storageClass "
                    f"'{storage_class}'",
                    rid,
                ))
        timed.append((storage_class, days, "Days"))

    classes = [c for c, _, _ in timed]
    if len(set(classes)) != len(classes):
        out.append(Finding(
            "InvalidRequest",
            f"'StorageClass' must be different for '{action}' actions in same 'Rule' with filter '{flt}'",
            rid,
        ))
        return out
    kinds = {k for _, _, k in timed}
    if len(kinds) > 1:
        out.append(Finding(
            "InvalidRequest",
            f"Found mixed 'Date' and 'Days' based {action} actions in lifecycle rule for filter '{flt}'",
            rid,
        ))
        return out
    # Down the waterfall only: a colder class must come strictly later than a warmer one.
    ranked = sorted(timed, key=lambda t: _rank(t[0]))
    for (prev_cls, prev_val, kind), (cur_cls, cur_val, _) in zip(ranked, ranked[1:]):
        if cur_val <= prev_val:
            label = day_field if kind == "Days" else "Date"
            out.append(Finding(
                "InvalidArgument",
                f"'{label}' in the {action} action for StorageClass '{cur_cls}' for filter '{flt}' must be "
                f"greater than '{label}' in the {action} action for StorageClass '{prev_cls}' for filter "
                f"'{flt}'",
                rid,
            ))
            return out
    path = ["STANDARD"] + [c for c, _, _ in ranked]
    for src, dst in zip(path, path[1:]):
        if dst not in ALLOWED_TRANSITIONS[src]:
            out.append(Finding(
                "InvalidArgument",
                f"Lifecycle cannot transition objects from {src} to {dst} (rule '{rid}'): transitions "
                f"only go down the documented waterfall",
                rid, source="documented-rule",
            ))
            return out
    # One rule may not move objects out of a class before that class's minimum storage duration
    # ("You can't create a single Lifecycle rule that transitions objects from one storage class to
    # another before the minimum storage duration period has passed": IA then GLACIER less than 30
    # days later, GLACIER_IR at day 4 then DEEP_ARCHIVE at day 20, ...). S3 refuses the whole
    # configuration; AWS documents the rule but not the message, so the words are ours.
    # Two rules may do it (and pay the minimum): that case is left to ``timeline``.
    for (src, start, _), (dst, end, kind) in zip(ranked, ranked[1:]):
        need = MIN_STORAGE_DAYS.get(src, 0)
        gap = end - start if kind == "Days" else (end - start).days
        if gap < need:
            label = day_field if kind == "Days" else "Date"
            out.append(Finding(
                "InvalidArgument",
                f"'{label}' in the {action} action for StorageClass '{dst}' for filter '{flt}' must be at "
                f"least {need} days after the {action} action for StorageClass '{src}' (the minimum "
                f"storage duration of {src}); it is {gap} days after",
                rid, source="documented-rule",
            ))
            return out
    return out


def _check_rule(rule: Mapping, index: int) -> list[Finding]:
    rid = rule.get("ID") or f"#{index}"
    out: list[Finding] = []
    if rule.get("Status") not in ("Enabled", "Disabled"):
        out.append(Finding("MalformedXML", MALFORMED_XML, rid))
    if "Prefix" in rule and "Filter" in rule:
        out.append(Finding(
            "InvalidRequest",
            "Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.",
            rid,
        ))
    elif "Prefix" not in rule and "Filter" not in rule:
        out.append(Finding("MalformedXML", MALFORMED_XML, rid))
    flt = rule.get("Filter") or {}
    predicates = [k for k in ("Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And") if k in flt]
    if len(predicates) > 1:  # several conditions must be wrapped in And
        out.append(Finding("MalformedXML", MALFORMED_XML, rid))
    node = _filter_node(rule)
    tags = _tags_of(node)
    keys = [t.get("Key") for t in tags]
    if len(set(keys)) != len(keys):
        out.append(Finding("InvalidRequest", "Duplicate Tag Keys are not allowed.", rid))
    low, high = node.get("ObjectSizeGreaterThan"), node.get("ObjectSizeLessThan")
    if low is not None and high is not None and high <= low:
        out.append(Finding(
            "InvalidRequest", "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.", rid
        ))
    has_sizes = low is not None or high is not None

    actions = ("Expiration", "Transitions", "NoncurrentVersionTransitions", "NoncurrentVersionExpiration",
               "AbortIncompleteMultipartUpload")
    if not any(rule.get(a) for a in actions):
        out.append(Finding("InvalidRequest", "At least one action needs to be specified in a rule", rid))

    expiration = rule.get("Expiration") or {}
    given = [k for k in ("Days", "Date", "ExpiredObjectDeleteMarker") if k in expiration]
    if expiration and len(given) != 1:
        out.append(Finding("MalformedXML", MALFORMED_XML, rid))
    if "Days" in expiration and (not isinstance(expiration["Days"], int) or expiration["Days"] < 1):
        out.append(Finding("InvalidArgument", "'Days' for Expiration action must be a positive integer", rid))
    if "Date" in expiration and not _is_midnight_utc(expiration["Date"]):
        out.append(Finding("InvalidArgument", "'Date' must be at midnight GMT", rid))
    if "ExpiredObjectDeleteMarker" in expiration and tags:
        out.append(Finding("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags.", rid))
    if "ExpiredObjectDeleteMarker" in expiration and has_sizes:
        out.append(Finding("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Object Size.", rid))

    transitions = list(rule.get("Transitions") or [])
    if "Transition" in rule:  # the deprecated single-transition form
        transitions.append(rule["Transition"])
    out += _check_transitions(rule, rid, transitions, noncurrent=False)
    flt_text = describe_filter(rule)
    t_days = [t["Days"] for t in transitions if isinstance(t.get("Days"), int)]
    t_dates = [_as_datetime(t["Date"]) for t in transitions if "Date" in t]
    if ("Days" in expiration and t_dates) or ("Date" in expiration and t_days):
        out.append(Finding(
            "InvalidRequest",
            f"Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for "
            f"filter '{flt_text}'",
            rid,
        ))
    elif isinstance(expiration.get("Days"), int) and t_days and expiration["Days"] <= max(t_days):
        out.append(Finding(
            "InvalidArgument",
            f"'Days' in the Expiration action for filter '{flt_text}' must be greater than 'Days' in the "
            f"Transition action",
            rid,
        ))
    elif "Date" in expiration and t_dates and _as_datetime(expiration["Date"]) <= max(t_dates):
        out.append(Finding(
            "InvalidArgument",
            f"'Date' in the Expiration action for filter '{flt_text}' must be greater than 'Date' in the "
            f"Transition action",
            rid,
        ))
    elif isinstance(expiration.get("Days"), int) and t_days:
        last = max(transitions, key=lambda t: t.get("Days", -1))
        need = MIN_STORAGE_DAYS.get(last["StorageClass"], 0)
        if expiration["Days"] - last["Days"] < need:
            out.append(Finding(
                "EarlyDeletionCharge",
                f"objects expire {expiration['Days'] - last['Days']} days after moving to "
                f"{last['StorageClass']}, which bills at least {need} days",
                rid, severity="warning", source="documented-rule",
            ))

    nv_transitions = list(rule.get("NoncurrentVersionTransitions") or [])
    out += _check_transitions(rule, rid, nv_transitions, noncurrent=True)
    nve = rule.get("NoncurrentVersionExpiration")
    if nve is not None:
        days = nve.get("NoncurrentDays")
        if days is None:
            out.append(Finding("MalformedXML", MALFORMED_XML, rid))
        elif not isinstance(days, int) or days < 1:
            out.append(Finding(
                "InvalidArgument", "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
                rid,
            ))
        else:
            nvt_days = [t["NoncurrentDays"] for t in nv_transitions if isinstance(t.get("NoncurrentDays"), int)]
            if nvt_days and days <= max(nvt_days):
                out.append(Finding(
                    "InvalidArgument",
                    f"'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '{flt_text}' must be "
                    f"greater than 'NoncurrentDays' in the NoncurrentVersionTransition action",
                    rid,
                ))
        newer = nve.get("NewerNoncurrentVersions")
        if newer is not None and (not isinstance(newer, int) or newer < 1):
            out.append(Finding("InvalidArgument", "'NewerNoncurrentVersions' must be a positive integer", rid))

    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort is not None:
        days = abort.get("DaysAfterInitiation")
        if days is None:
            out.append(Finding("MalformedXML", MALFORMED_XML, rid))
        elif not isinstance(days, int) or days < 1:
            out.append(Finding(
                "InvalidArgument",
                "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
                rid,
            ))
        if tags:
            out.append(Finding("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.", rid))
        if has_sizes:
            out.append(Finding(
                "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Object Size.", rid
            ))
    return out


def validate(config: Mapping) -> list[Finding]:
    """Every problem in a lifecycle configuration: errors first (in the order S3 checks them,
    configuration-wide then rule by rule), then billing warnings."""
    rules = list(config.get("Rules") or [])
    errors: list[Finding] = []
    if not rules:
        errors.append(Finding("MalformedXML", MALFORMED_XML))
    if len(rules) > 1000:
        errors.append(Finding(
            "InvalidRequest", "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."
        ))
    seen: set[str] = set()
    for rule in rules:
        rid = rule.get("ID")
        if rid and len(rid) > 255:
            errors.append(Finding("InvalidArgument", "ID length should not exceed allowed limit of 255", rid[:20]))
        if rid and rid in seen:
            errors.append(Finding("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule", rid))
        if rid:
            seen.add(rid)
    warnings: list[Finding] = []
    for index, rule in enumerate(rules):
        for finding in _check_rule(rule, index):
            (errors if finding.severity == "error" else warnings).append(finding)
    return errors + warnings


def errors(config: Mapping) -> list[Finding]:
    return [f for f in validate(config) if f.severity == "error"]


def check(config: Mapping) -> list[Finding]:
    """Raise ``LifecycleError`` with S3's first error, as ``put_bucket_lifecycle_configuration``
    would; return the warnings when the configuration is valid."""
    found = validate(config)
    for finding in found:
        if finding.severity == "error":
            raise LifecycleError(finding)
    return found


def check_restore(storage_class: str | None, tier: str = "Standard", days: int | None = 1) -> Finding | None:
    """What S3 answers to ``RestoreObject`` for an object in ``storage_class``; None when accepted.

    Only GLACIER and DEEP_ARCHIVE objects (and Intelligent-Tiering archive tiers, not modelled)
    are restored; GLACIER_IR is read directly. Expedited is not available for DEEP_ARCHIVE
    (RestoreObject API reference: "Expedited retrievals and provisioned capacity are not available
    for the DEEP_ARCHIVE storage class"). AWS's exact error text for that case is not documented,
    so that finding is ``source="documented-rule"``: the code and wording are ours; the lab records
    AWS's real answer on the ``aws`` target."""
    storage_class = storage_class or "STANDARD"
    if storage_class not in RESTORE_TIERS:
        return Finding("InvalidObjectState", INVALID_OBJECT_STATE)
    if tier not in ("Expedited", "Standard", "Bulk"):
        return Finding("MalformedXML", MALFORMED_XML)
    if tier not in RESTORE_TIERS[storage_class]:
        return Finding(
            "InvalidArgument",
            f"{tier} retrievals are not available for objects stored in the {storage_class} storage class",
            source="documented-rule",
        )
    if days is not None and days < 1:
        return Finding("InvalidArgument", "Restore days must be a positive integer", source="documented-rule")
    return None


# ---------------------------------------------------------------------------------------------
# timeline
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class S3Object:
    """An object (or one noncurrent version) as lifecycle sees it. ``count`` identical objects
    can stand for a whole dataset when pricing."""

    key: str
    size: int
    created: dt.datetime
    storage_class: str = "STANDARD"
    tags: tuple[tuple[str, str], ...] = ()
    noncurrent_since: dt.datetime | None = None
    count: int = 1

    @staticmethod
    def of(key, size, created, storage_class="STANDARD", tags=None, noncurrent_since=None, count=1) -> "S3Object":
        return S3Object(
            key,
            int(size),
            _as_datetime(created),
            storage_class or "STANDARD",
            tuple(sorted((tags or {}).items())),
            _as_datetime(noncurrent_since) if noncurrent_since else None,
            count,
        )

    @property
    def tag_dict(self) -> dict[str, str]:
        return dict(self.tags)


def action_date(start: dt.datetime, days: int) -> dt.date:
    """The day an action runs: ``start + days``, rounded up to the next midnight UTC.

    AWS's example: created 2014-01-15 10:30 UTC, 3 days -> 2014-01-19 00:00 UTC."""
    when = _as_datetime(start).astimezone(dt.timezone.utc) + dt.timedelta(days=days)
    at_midnight = (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0)
    return when.date() if at_midnight else when.date() + dt.timedelta(days=1)


def rule_applies(rule: Mapping, obj: S3Object) -> bool:
    """Does an enabled rule's filter select this object (prefix, every tag, sizes)?"""
    if rule.get("Status") != "Enabled":
        return False
    node = _filter_node(rule)
    if not obj.key.startswith(node.get("Prefix", "")):
        return False
    tags = obj.tag_dict
    if any(tags.get(t.get("Key")) != t.get("Value") for t in _tags_of(node)):
        return False
    if "ObjectSizeGreaterThan" in node and not obj.size > node["ObjectSizeGreaterThan"]:
        return False
    if "ObjectSizeLessThan" in node and not obj.size < node["ObjectSizeLessThan"]:
        return False
    return True


def _has_size_filter(rule: Mapping) -> bool:
    node = _filter_node(rule)
    return "ObjectSizeGreaterThan" in node or "ObjectSizeLessThan" in node


def _may_transition(rule, obj: S3Object, target: str, min_size_policy: str) -> bool:
    if obj.size >= DEFAULT_MIN_TRANSITION_BYTES or _has_size_filter(rule):
        return True  # a rule's own size filter takes precedence over the default
    if min_size_policy == "varies_by_storage_class":
        return target in ("GLACIER", "DEEP_ARCHIVE")
    return False


@dataclass
class Timeline:
    """Where one object lives from its creation: ``segments`` of (class, first day, end day)."""

    obj: S3Object
    start: dt.date
    segments: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)  # end is exclusive
    expires: dt.date | None = None  # the day S3 removes it (None: not within the horizon)
    # versioned bucket: the day Expiration added a delete marker and this version became noncurrent
    # (it stays, billed, until NoncurrentVersionExpiration removes it: ``expires``)
    delete_marker: dt.date | None = None
    events: list[tuple[dt.date, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # transitions that did not happen, and why

    def day(self, date: dt.date) -> int:
        return (date - self.start).days

    def class_on(self, when: dt.date | int) -> str | None:
        """The object's class on a date (or day number since creation); None once expired."""
        date = self.start + dt.timedelta(days=when) if isinstance(when, int) else when
        for storage_class, first, end in self.segments:
            if first <= date < end:
                return storage_class
        return None

    @property
    def expires_day(self) -> int | None:
        return self.day(self.expires) if self.expires else None

    @property
    def delete_marker_day(self) -> int | None:
        return self.day(self.delete_marker) if self.delete_marker else None

    def path(self) -> list[tuple[int, str]]:
        """``[(day, class), ...]``: each class the object enters, with the day it enters it."""
        return [(self.day(first), storage_class) for storage_class, first, _ in self.segments]


def _due_date(obj: S3Object, t: Mapping) -> dt.date:
    """When a current-version transition is due. A Date rule still waits for an IA transition until
    the object is 30 days old: S3 "doesn't support this transition within the first 30 days"
    (lifecycle-transition-general-considerations.html), whatever the rule says."""
    if "Days" in t:
        return action_date(obj.created, t["Days"])
    when = _as_datetime(t["Date"]).date()
    if t["StorageClass"] in IA_CLASSES:
        when = max(when, action_date(obj.created, IA_MIN_TRANSITION_DAYS))
    return when


def _walk(line: Timeline, moves: list[tuple[dt.date, str, str]], current: str, since: dt.date,
          stop: dt.date) -> tuple[str, dt.date]:
    """Apply the due transitions up to ``stop`` (exclusive); return the class and since when."""
    candidates = sorted({m[0] for m in moves})
    while candidates:
        date = candidates.pop(0)
        if date >= stop:
            break
        due = [c for d, c, _ in moves if d <= date and c in ALLOWED_TRANSITIONS[current]]
        if not due:
            continue
        if current in IA_CLASSES and date < since + dt.timedelta(days=IA_STAY_DAYS):
            # Two rules (one rule cannot: ``validate`` refuses it) move an object out of an IA class
            # sooner than 30 days after it arrived. AWS's Knowledge Center: objects "must be in this
            # class for 30 days before they transition to S3 Glacier"; the user guide only says two
            # rules "pay minimum storage charges". We follow the Knowledge Center and say so.
            wait = since + dt.timedelta(days=IA_STAY_DAYS)
            line.skipped.append(
                f"{max(due, key=_rank)} due on day {line.day(date)} waits until day {line.day(wait)}: objects "
                f"stay 30 days in {current} first (AWS Knowledge Center; the user guide is ambiguous for "
                f"transitions from two rules)"
            )
            candidates = sorted(set(candidates) | {wait})
            continue
        target = max(due, key=_rank)
        if date > since:
            line.segments.append((current, since, date))
        line.events.append((date, f"{current} -> {target}"))
        current, since = target, max(date, since)
    return current, since


def timeline(
    config: Mapping,
    objects: Iterable[S3Object],
    horizon_days: int = 3 * 365,
    min_size_policy: str = "all_storage_classes_128K",
    versioned: bool = False,
) -> list[Timeline]:
    """Apply a lifecycle configuration to objects, day by day, the way S3 documents it.

    Each matching enabled rule contributes transitions and an expiration (current versions) or
    noncurrent transitions and a noncurrent expiration (versions with ``noncurrent_since``). On a
    day when several actions are due, expiration wins; among due transitions the coldest one
    allowed from the current class wins (lifecycle-conflicts.html).

    In a ``versioned`` bucket (versioning enabled), Expiration does not delete the current version:
    S3 adds a delete marker and the version becomes noncurrent (lifecycle-expire-general-
    considerations.html). From then on the noncurrent actions apply to it, counted from that day,
    and it is billed until NoncurrentVersionExpiration removes it. ``NewerNoncurrentVersions`` and
    ``ExpiredObjectDeleteMarker`` are not modelled (they need the bucket's version history)."""
    result = []
    rules = list(config.get("Rules") or [])
    for obj in objects:
        start = obj.created.astimezone(dt.timezone.utc).date()
        line = Timeline(obj, start)
        end = start + dt.timedelta(days=horizon_days)

        def noncurrent_actions(since: Any) -> tuple[list, list]:
            moves, expiry = [], []
            for rule in rules:
                if not rule_applies(rule, obj):
                    continue
                rid = rule.get("ID", "?")
                for t in rule.get("NoncurrentVersionTransitions") or []:
                    if _may_transition(rule, obj, t["StorageClass"], min_size_policy):
                        moves.append((action_date(since, t["NoncurrentDays"]), t["StorageClass"], rid))
                nve = rule.get("NoncurrentVersionExpiration") or {}
                if "NoncurrentDays" in nve:
                    expiry.append(action_date(since, nve["NoncurrentDays"]))
            return moves, expiry

        if obj.noncurrent_since is None:
            moves: list[tuple[dt.date, str, str]] = []  # (date, class, rule id)
            expiry: list[dt.date] = []
            for rule in rules:
                if not rule_applies(rule, obj):
                    continue
                rid = rule.get("ID", "?")
                for t in list(rule.get("Transitions") or []):
                    if _may_transition(rule, obj, t["StorageClass"], min_size_policy):
                        moves.append((_due_date(obj, t), t["StorageClass"], rid))
                    else:
                        line.skipped.append(
                            f"{t['StorageClass']} ({rid}): {obj.size} bytes is below the 128 KB default "
                            f"minimum for lifecycle transitions"
                        )
                exp = rule.get("Expiration") or {}
                if "Days" in exp:
                    expiry.append(action_date(obj.created, exp["Days"]))
                elif "Date" in exp:
                    expiry.append(_as_datetime(exp["Date"]).date())
        else:
            moves, expiry = noncurrent_actions(obj.noncurrent_since)
        expires = min(expiry) if expiry else None
        if expires is not None and expires < start:
            expires = start  # a past Date expires the object at the next lifecycle run
        stop = min(end, expires) if expires is not None else end
        current, since = _walk(line, moves, obj.storage_class, start, stop)
        if versioned and obj.noncurrent_since is None and expires is not None and expires < end:
            # Expiration in a versioned bucket: a delete marker, and this version lives on noncurrent.
            line.delete_marker = expires
            line.events.append((expires, "expired: delete marker added, this version is now noncurrent"))
            moves, expiry = noncurrent_actions(dt.datetime(expires.year, expires.month, expires.day,
                                                           tzinfo=dt.timezone.utc))
            expires = min(expiry) if expiry else None
            stop = min(end, expires) if expires is not None else end
            current, since = _walk(line, moves, current, since, stop)
        if stop > since:
            line.segments.append((current, since, stop))
        elif not line.segments:
            line.segments.append((current, since, since))
        if expires is not None and expires <= end:
            line.expires = expires
            noncurrent = line.delete_marker is not None or obj.noncurrent_since is not None
            line.events.append((expires, "noncurrent version permanently deleted" if noncurrent
                                else "expired (deleted)"))
        result.append(line)
    return result


# ---------------------------------------------------------------------------------------------
# cost
# ---------------------------------------------------------------------------------------------
def billable_bytes(storage_class: str, size: int) -> dict[str, int]:
    """Bytes billed per class for one object stored in ``storage_class``."""
    if storage_class in ARCHIVE_OVERHEAD:
        standard_part, class_part = ARCHIVE_OVERHEAD[storage_class]
        return {"STANDARD": standard_part, storage_class: size + class_part}
    return {storage_class: max(size, MIN_BILLABLE_BYTES.get(storage_class, 0))}


def _days_in_month(date: dt.date) -> int:
    return calendar.monthrange(date.year, date.month)[1]


def _daily_rate(storage_class: str, day_in_class: int, size: int, prices: PriceTable) -> float:
    """USD per GB per day of the month for an object in a class (Intelligent-Tiering by tier)."""
    if storage_class == "INTELLIGENT_TIERING" and size >= 128 * KiB:
        rate = prices.intelligent_tiering_tiers[0][1]
        for first_day, tier_rate in prices.intelligent_tiering_tiers:
            if day_in_class >= first_day:
                rate = tier_rate
        return rate
    return prices.per_gb_month[storage_class]


@dataclass
class MonthCost:
    month: str  # "YYYY-MM"
    storage: float = 0.0
    early_deletion: float = 0.0  # minimum storage duration not served
    monitoring: float = 0.0  # Intelligent-Tiering monitoring and automation
    transitions: float = 0.0  # lifecycle transition requests
    by_class: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return self.storage + self.early_deletion + self.monitoring + self.transitions

    def to_dict(self) -> dict:
        return {
            "month": self.month,
            "storage": round(self.storage, 6),
            "early_deletion": round(self.early_deletion, 6),
            "monitoring": round(self.monitoring, 6),
            "transitions": round(self.transitions, 6),
            "total": round(self.total, 6),
            "by_class": {k: round(v, 6) for k, v in sorted(self.by_class.items())},
        }


def monthly_costs(timelines: Iterable[Timeline], prices: PriceTable = PRICES) -> list[MonthCost]:
    """Cost per calendar month of the simulated timelines.

    Storage accrues per day at the monthly price divided by the days of that month (S3 bills
    GB-months from the bytes stored each hour). Leaving a class before its minimum duration
    (transition or expiration) is charged for the remaining days, in the month it happens. IA and
    Glacier IR bill at least 128 KB per object; GLACIER and DEEP_ARCHIVE add 40 KB of metadata."""
    months: dict[str, MonthCost] = {}

    def bucket(date: dt.date) -> MonthCost:
        key = f"{date.year:04d}-{date.month:02d}"
        return months.setdefault(key, MonthCost(key))

    for line in timelines:
        obj = line.obj
        for index, (storage_class, first, end) in enumerate(line.segments):
            billed = billable_bytes(storage_class, obj.size)
            if index > 0 and storage_class in prices.transition_per_1000:
                bucket(first).transitions += prices.transition_per_1000[storage_class] * obj.count / 1000
            day = first
            while day < end:
                month = bucket(day)
                in_class = (day - first).days
                for cls, nbytes in billed.items():
                    if cls == storage_class:
                        rate = _daily_rate(cls, in_class, obj.size, prices)
                    else:  # the archive metadata billed at S3 Standard
                        rate = prices.per_gb_month[cls]
                    usd = nbytes / GiB * rate / _days_in_month(day) * obj.count
                    month.storage += usd
                    month.by_class[cls] = month.by_class.get(cls, 0.0) + usd
                if storage_class == "INTELLIGENT_TIERING" and obj.size >= 128 * KiB:
                    per_object = prices.intelligent_tiering_monitoring_per_1000 / 1000
                    month.monitoring += per_object / _days_in_month(day) * obj.count
                day += dt.timedelta(days=1)
            left = index + 1 < len(line.segments) or (line.expires is not None and end == line.expires)
            served = (end - first).days
            need = MIN_STORAGE_DAYS.get(storage_class, 0)
            if left and served < need:
                fee_month = bucket(end)
                day = end
                for _ in range(need - served):
                    nbytes = billed[storage_class]
                    fee_month.early_deletion += (
                        nbytes / GiB * prices.per_gb_month[storage_class] / _days_in_month(day) * obj.count
                    )
                    day += dt.timedelta(days=1)
    return [months[k] for k in sorted(months)]


def total_cost(timelines: Iterable[Timeline], prices: PriceTable = PRICES) -> float:
    return sum(m.total for m in monthly_costs(timelines, prices))
