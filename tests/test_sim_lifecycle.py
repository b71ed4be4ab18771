"""awslabs.sim.lifecycle against hand-worked cases from the AWS documentation.

Examples: https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html
Day arithmetic: https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
Prices: awslabs.sim.lifecycle.PRICES (us-east-1, dated), https://aws.amazon.com/s3/pricing/
"""
from __future__ import annotations

import datetime as dt

import pytest

from awslabs.sim import lifecycle as lc
from awslabs.sim.lifecycle import GiB, KiB, S3Object

UTC = dt.timezone.utc
MIDNIGHT = dt.datetime(2026, 1, 1, tzinfo=UTC)


def _rule(rid="r", **kw):
    return {"ID": rid, "Status": "Enabled", "Filter": {"Prefix": ""}, **kw}


def _codes(config):
    return [(f.code, f.message) for f in lc.errors(config)]


# -- the documentation's examples ---------------------------------------------------------------
TAX = {  # "Archiving all objects within one day after creation", first configuration
    "Rules": [{
        "ID": "Transition and Expiration Rule",
        "Filter": {"Prefix": "tax/"},
        "Status": "Enabled",
        "Transitions": [{"Days": 365, "StorageClass": "GLACIER"}],
        "Expiration": {"Days": 3650},
    }]
}
TIERING_DOWN = {  # "Tiering down the storage class over an object's lifetime"
    "Rules": [{
        "ID": "example-id",
        "Filter": {"Prefix": "logs/"},
        "Status": "Enabled",
        "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
        "Expiration": {"Days": 365},
    }]
}


def test_action_day_is_rounded_up_to_the_next_midnight_utc():
    # "if an object was created on 1/15/2014 10:30 AM UTC and you specify 3 days in a transition
    # rule, then the transition date of the object would be calculated as 1/19/2014 00:00 UTC."
    assert lc.action_date(dt.datetime(2014, 1, 15, 10, 30, tzinfo=UTC), 3) == dt.date(2014, 1, 19)
    assert lc.action_date(MIDNIGHT, 3) == dt.date(2026, 1, 4)


def test_documented_examples_are_valid():
    assert lc.validate(TAX) == []
    assert lc.errors(TIERING_DOWN) == []


def test_tax_example_applies_to_the_prefix_only():
    doc, other = (S3Object.of(k, GiB, MIDNIGHT) for k in ("tax/doc1.txt", "other/doc1.txt"))
    tax, untouched = lc.timeline(TAX, [doc, other], horizon_days=4000)
    assert tax.path() == [(0, "STANDARD"), (365, "GLACIER")]
    assert tax.expires_day == 3650
    assert untouched.path() == [(0, "STANDARD")] and untouched.expires is None


def test_tiering_down_example_day_by_day():
    (line,) = lc.timeline(TIERING_DOWN, [S3Object.of("logs/a.log", GiB, MIDNIGHT)])
    assert [line.class_on(d) for d in (0, 29, 30, 89, 90, 364)] == [
        "STANDARD", "STANDARD", "STANDARD_IA", "STANDARD_IA", "GLACIER", "GLACIER"
    ]
    assert line.class_on(365) is None and line.expires_day == 365


def test_an_object_created_mid_day_moves_one_day_later():
    (line,) = lc.timeline(TIERING_DOWN, [S3Object.of("logs/a.log", GiB, MIDNIGHT.replace(hour=10, minute=30))])
    assert line.path() == [(0, "STANDARD"), (31, "STANDARD_IA"), (91, "GLACIER")]
    assert line.expires_day == 366


def test_a_disabled_rule_does_nothing():
    # "Disabling Lifecycle rules temporarily"
    config = {"Rules": [dict(TAX["Rules"][0], Status="Disabled")]}
    (line,) = lc.timeline(config, [S3Object.of("tax/doc1.txt", GiB, MIDNIGHT)], horizon_days=4000)
    assert line.path() == [(0, "STANDARD")] and line.expires is None


def test_and_filter_needs_the_prefix_and_every_tag():
    config = {"Rules": [{
        "ID": "archive", "Status": "Enabled",
        "Filter": {"And": {"Prefix": "raw/", "Tags": [{"Key": "retention", "Value": "archive"}]}},
        "Transitions": [{"Days": 0, "StorageClass": "GLACIER"}],
    }]}
    tagged = S3Object.of("raw/a", GiB, MIDNIGHT, tags={"retention": "archive"})
    untagged = S3Object.of("raw/b", GiB, MIDNIGHT)
    elsewhere = S3Object.of("tmp/c", GiB, MIDNIGHT, tags={"retention": "archive"})
    lines = lc.timeline(config, [tagged, untagged, elsewhere])
    assert [line.class_on(1) for line in lines] == ["GLACIER", "STANDARD", "STANDARD"]


def test_noncurrent_versions_count_from_when_they_became_noncurrent():
    # "Specifying a lifecycle rule for a versioning-enabled bucket": noncurrent versions move to
    # Standard-IA 30 days, to Glacier 60 days... after becoming noncurrent, then expire.
    config = {"Rules": [_rule(
        NoncurrentVersionTransitions=[
            {"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"},
            {"NoncurrentDays": 60, "StorageClass": "GLACIER"},
        ],
        NoncurrentVersionExpiration={"NoncurrentDays": 365},
    )]}
    old = S3Object.of("k", GiB, MIDNIGHT, noncurrent_since=MIDNIGHT + dt.timedelta(days=10))
    current = S3Object.of("k", GiB, MIDNIGHT + dt.timedelta(days=10))
    old_line, current_line = lc.timeline(config, [old, current])
    assert old_line.path() == [(0, "STANDARD"), (40, "STANDARD_IA"), (70, "GLACIER")]
    assert old_line.expires_day == 375
    assert current_line.path() == [(0, "STANDARD")] and current_line.expires is None


def test_expiration_wins_over_a_transition_due_the_same_day():
    config = {"Rules": [_rule("a", Transitions=[{"Days": 100, "StorageClass": "GLACIER"}]),
                        _rule("b", Expiration={"Days": 100})]}
    (line,) = lc.timeline(config, [S3Object.of("k", GiB, MIDNIGHT)])
    assert line.path() == [(0, "STANDARD")] and line.expires_day == 100


def test_the_colder_transition_wins_between_rules():
    # lifecycle-conflicts.html: eligible for both Standard-IA and Glacier -> Glacier.
    config = {"Rules": [_rule("a", Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}]),
                        _rule("b", Transitions=[{"Days": 30, "StorageClass": "GLACIER"}])]}
    (line,) = lc.timeline(config, [S3Object.of("k", GiB, MIDNIGHT)])
    assert line.path() == [(0, "STANDARD"), (30, "GLACIER")]


def test_objects_under_128_kb_do_not_transition_by_default():
    small = S3Object.of("logs/tiny.log", 10 * KiB, MIDNIGHT)
    (line,) = lc.timeline(TIERING_DOWN, [small])
    assert line.path() == [(0, "STANDARD")] and line.expires_day == 365
    assert line.skipped and "128 KB" in line.skipped[0]
    (line,) = lc.timeline(TIERING_DOWN, [small], min_size_policy="varies_by_storage_class")
    assert line.path() == [(0, "STANDARD"), (90, "GLACIER")]
    # "Allowing objects smaller than 128 KB to be transitioned": a size filter of the rule's own
    config = {"Rules": [dict(TIERING_DOWN["Rules"][0], Filter={"ObjectSizeGreaterThan": 1})]}
    (line,) = lc.timeline(config, [small])
    assert line.path() == [(0, "STANDARD"), (30, "STANDARD_IA"), (90, "GLACIER")]


# -- validation -------------------------------------------------------------------------------
def test_standard_ia_needs_30_days():
    config = {"Rules": [_rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}])]}
    with pytest.raises(lc.LifecycleError) as err:
        lc.check(config)
    assert err.value.code == "InvalidArgument"
    assert err.value.message == (
        "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"
    )
    ok = {"Rules": [_rule(Transitions=[{"Days": 30, "StorageClass": "ONEZONE_IA"}])]}
    assert lc.errors(ok) == []
    glacier_at_0 = {"Rules": [_rule(Transitions=[{"Days": 0, "StorageClass": "GLACIER"}])]}
    assert lc.errors(glacier_at_0) == []


def test_expiration_must_come_after_the_transitions():
    config = {"Rules": [_rule(Transitions=[{"Days": 90, "StorageClass": "GLACIER"}], Expiration={"Days": 60})]}
    assert _codes(config) == [(
        "InvalidArgument",
        "'Days' in the Expiration action for filter '(prefix=)' must be greater than 'Days' in the Transition action",
    )]


def test_transitions_only_go_down_the_waterfall():
    backwards = {"Rules": [_rule(Filter={"Prefix": "logs/"}, Transitions=[
        {"Days": 30, "StorageClass": "GLACIER"}, {"Days": 60, "StorageClass": "STANDARD_IA"}])]}
    assert _codes(backwards) == [(
        "InvalidArgument",
        "'Days' in the Transition action for StorageClass 'GLACIER' for filter '(prefix=logs/)' must be greater "
        "than 'Days' in the Transition action for StorageClass 'STANDARD_IA' for filter '(prefix=logs/)'",
    )]
    # One Zone-IA -> Glacier IR is not a supported transition even though the days increase.
    unsupported = {"Rules": [_rule(Transitions=[
        {"Days": 30, "StorageClass": "ONEZONE_IA"}, {"Days": 90, "StorageClass": "GLACIER_IR"}])]}
    (finding,) = lc.errors(unsupported)
    assert finding.code == "InvalidArgument" and "ONEZONE_IA to GLACIER_IR" in finding.message
    assert finding.source == "documented-rule"


def test_rule_ids_are_unique_and_short():
    config = {"Rules": [_rule("same", Expiration={"Days": 1}), _rule("same", Expiration={"Days": 2})]}
    assert _codes(config) == [("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule")]
    long_id = {"Rules": [_rule("x" * 256, Expiration={"Days": 1})]}
    assert _codes(long_id) == [("InvalidArgument", "ID length should not exceed allowed limit of 255")]


def test_days_xor_date():
    both = {"Rules": [_rule(Expiration={"Days": 5, "Date": dt.datetime(2027, 1, 1)})]}
    assert [f.code for f in lc.errors(both)] == ["MalformedXML"]
    neither = {"Rules": [_rule(Transitions=[{"StorageClass": "GLACIER"}])]}
    assert [f.code for f in lc.errors(neither)] == ["MalformedXML"]
    mixed = {"Rules": [_rule(Transitions=[{"Date": dt.datetime(2027, 1, 1), "StorageClass": "GLACIER"}],
                             Expiration={"Days": 400})]}
    assert _codes(mixed) == [(
        "InvalidRequest",
        "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter "
        "'(prefix=)'",
    )]
    not_midnight = {"Rules": [_rule(Expiration={"Date": dt.datetime(2027, 1, 1, 12, tzinfo=UTC)})]}
    assert _codes(not_midnight) == [("InvalidArgument", "'Date' must be at midnight GMT")]


def test_at_most_1000_rules():
    config = {"Rules": [_rule(f"r{i}", Expiration={"Days": 1}) for i in range(1001)]}
    assert _codes(config)[0] == (
        "InvalidRequest", "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."
    )
    assert lc.errors({"Rules": config["Rules"][:1000]}) == []


def test_structure_errors():
    assert [f.code for f in lc.errors({"Rules": []})] == ["MalformedXML"]
    assert [f.code for f in lc.errors({"Rules": [_rule(Status="On", Expiration={"Days": 1})]})] == ["MalformedXML"]
    assert _codes({"Rules": [_rule()]}) == [("InvalidRequest", "At least one action needs to be specified in a rule")]
    two_predicates = {"Rules": [_rule(Filter={"Prefix": "a/", "Tag": {"Key": "k", "Value": "v"}},
                                      Expiration={"Days": 1})]}
    assert [f.code for f in lc.errors(two_predicates)] == ["MalformedXML"]
    dup_tags = {"Rules": [_rule(Filter={"And": {"Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}},
                                Expiration={"Days": 1})]}
    assert _codes(dup_tags) == [("InvalidRequest", "Duplicate Tag Keys are not allowed.")]


def test_abort_multipart_cannot_use_tags():
    config = {"Rules": [_rule(Filter={"And": {"Prefix": "raw/", "Tags": [{"Key": "k", "Value": "v"}]}},
                              AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7})]}
    assert _codes(config) == [("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.")]
    assert lc.errors({"Rules": [_rule(AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7})]}) == []


def test_noncurrent_rules():
    config = {"Rules": [_rule(
        NoncurrentVersionTransitions=[{"NoncurrentDays": 90, "StorageClass": "GLACIER"}],
        NoncurrentVersionExpiration={"NoncurrentDays": 30},
    )]}
    assert _codes(config) == [(
        "InvalidArgument",
        "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=)' must be greater than "
        "'NoncurrentDays' in the NoncurrentVersionTransition action",
    )]
    early_ia = {"Rules": [_rule(NoncurrentVersionTransitions=[{"NoncurrentDays": 7, "StorageClass": "STANDARD_IA"}])]}
    assert [f.code for f in lc.errors(early_ia)] == ["InvalidArgument"]


def test_one_rule_may_not_leave_a_class_before_its_minimum_duration():
    # lifecycle-transition-general-considerations.html, read 2026-12-06: "You can't create a single
    # Lifecycle rule that transitions objects from one storage class to another before the minimum
    # storage duration period has passed. For example, ... You can't specify a lifecycle rule that
    # transitions objects to S3 Glacier Instant Retrieval after 4 days, and then transitions objects
    # to S3 Glacier Deep Archive after 20 days. In this case the S3 Glacier Deep Archive transition
    # must occur after at least 94 days."
    def two(first, second):
        return {"Rules": [_rule(Transitions=[first, second])]}

    aws_example = two({"Days": 4, "StorageClass": "GLACIER_IR"}, {"Days": 20, "StorageClass": "DEEP_ARCHIVE"})
    with pytest.raises(lc.LifecycleError) as refused:
        lc.check(aws_example)
    assert refused.value.code == "InvalidArgument" and "at least 90 days after" in refused.value.message
    assert lc.errors(two({"Days": 4, "StorageClass": "GLACIER_IR"}, {"Days": 94, "StorageClass": "DEEP_ARCHIVE"})) == []
    # the cases: IA then GLACIER / DEEP_ARCHIVE, and STANDARD_IA then ONEZONE_IA, < 30 days later
    for first, second in (("STANDARD_IA", "GLACIER"), ("ONEZONE_IA", "DEEP_ARCHIVE"), ("STANDARD_IA", "ONEZONE_IA")):
        bad = two({"Days": 30, "StorageClass": first}, {"Days": 45, "StorageClass": second})
        assert [(f.code, f.source) for f in lc.errors(bad)] == [("InvalidArgument", "documented-rule")], (first, second)
        assert lc.errors(two({"Days": 30, "StorageClass": first}, {"Days": 60, "StorageClass": second})) == []
    # Date-based transitions obey the same minimum
    dated = two({"Date": dt.datetime(2027, 1, 1, tzinfo=UTC), "StorageClass": "STANDARD_IA"},
                {"Date": dt.datetime(2027, 1, 20, tzinfo=UTC), "StorageClass": "GLACIER"})
    assert [f.code for f in lc.errors(dated)] == ["InvalidArgument"]
    # the documented tiering-down example (30 -> 90) is fine; so is Intelligent-Tiering (no minimum)
    assert lc.errors(TIERING_DOWN) == []
    assert lc.errors(two({"Days": 0, "StorageClass": "INTELLIGENT_TIERING"}, {"Days": 5, "StorageClass": "GLACIER"})) == []


def test_expiring_soon_after_a_transition_is_only_a_warning():
    config = {"Rules": [_rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}], Expiration={"Days": 40})]}
    found = lc.check(config)  # no error raised: the early deletion is billed
    assert [f.code for f in found] == ["EarlyDeletionCharge"] and found[0].severity == "warning"


def test_two_rules_do_not_move_an_object_out_of_ia_before_30_days():
    # One rule would be refused (above); two rules are accepted. AWS Knowledge Center
    # (s3-lifecycle-rule-glacier-storage): objects "must be in this class for 30 days before they
    # transition to S3 Glacier". The simulator waits, and says why.
    config = {"Rules": [
        _rule("to-ia", Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}]),
        _rule("to-glacier", Transitions=[{"Days": 45, "StorageClass": "GLACIER"}]),
    ]}
    assert lc.errors(config) == []
    (line,) = lc.timeline(config, [S3Object.of("k", GiB, MIDNIGHT)], horizon_days=200)
    assert line.path() == [(0, "STANDARD"), (30, "STANDARD_IA"), (60, "GLACIER")]
    assert "waits until day 60" in line.skipped[0] and "ambiguous" in line.skipped[0]
    costs = lc.monthly_costs([line])
    assert sum(m.early_deletion for m in costs) == 0  # 30 days in IA served


def test_a_date_rule_waits_for_the_objects_30th_day_before_ia():
    # "Amazon S3 doesn't support this transition within the first 30 days", also on a Date.
    config = {"Rules": [_rule(Transitions=[{"Date": dt.datetime(2026, 1, 8, tzinfo=UTC), "StorageClass": "STANDARD_IA"}])]}
    young = S3Object.of("young", GiB, MIDNIGHT)  # 7 days old on the date
    old = S3Object.of("old", GiB, MIDNIGHT - dt.timedelta(days=60))
    young_line, old_line = lc.timeline(config, [young, old], horizon_days=120)
    assert young_line.path() == [(0, "STANDARD"), (30, "STANDARD_IA")]
    assert old_line.path() == [(0, "STANDARD"), (67, "STANDARD_IA")]  # on the date itself
    glacier = {"Rules": [_rule(Transitions=[{"Date": dt.datetime(2026, 1, 8, tzinfo=UTC), "StorageClass": "GLACIER"}])]}
    (line,) = lc.timeline(glacier, [young], horizon_days=120)
    assert line.path() == [(0, "STANDARD"), (7, "GLACIER")]  # no 30-day rule for Glacier


def test_expiration_in_a_versioned_bucket_adds_a_delete_marker_and_keeps_billing():
    # lifecycle-expire-general-considerations.html: "Versioning-enabled bucket – If the current object
    # version is not a delete marker, Amazon S3 adds a delete marker with a unique version ID. This
    # makes the current version noncurrent, and the delete marker the current version."
    config = {"Rules": [_rule(
        Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
        Expiration={"Days": 365},
        NoncurrentVersionExpiration={"NoncurrentDays": 30},
    )]}
    obj = S3Object.of("logs/a.log", GiB, MIDNIGHT)
    (plain,) = lc.timeline(config, [obj], horizon_days=500)
    (versioned,) = lc.timeline(config, [obj], horizon_days=500, versioned=True)
    assert plain.expires_day == 365 and plain.delete_marker is None
    assert versioned.delete_marker_day == 365 and versioned.expires_day == 395
    assert versioned.class_on(380) == "GLACIER"  # still stored, now noncurrent
    assert any("delete marker" in text for _, text in versioned.events)
    extra = lc.total_cost([versioned]) - lc.total_cost([plain])
    assert extra == pytest.approx((GiB + 32 * KiB) / GiB * 0.0036 * 30 / 31 + 8 * KiB / GiB * 0.023 * 30 / 31, rel=0.05)
    # without NoncurrentVersionExpiration the noncurrent version is never removed
    forever = {"Rules": [_rule(Expiration={"Days": 10})]}
    (kept,) = lc.timeline(forever, [obj], horizon_days=100, versioned=True)
    assert kept.delete_marker_day == 10 and kept.expires is None and kept.class_on(99) == "STANDARD"


def test_restore_rules():
    assert lc.check_restore("GLACIER", "Expedited") is None
    assert lc.check_restore("DEEP_ARCHIVE", "Bulk") is None
    refused = lc.check_restore("DEEP_ARCHIVE", "Expedited")
    assert refused.code == "InvalidArgument" and "DEEP_ARCHIVE" in refused.message
    assert lc.check_restore("STANDARD").code == "InvalidObjectState"
    assert lc.check_restore("GLACIER_IR").code == "InvalidObjectState"  # read directly, never restored
    assert "Expedited" not in lc.RESTORE_TIERS["DEEP_ARCHIVE"]


# -- cost -------------------------------------------------------------------------------------
def _standing(storage_class, size, days, start=MIDNIGHT, count=1):
    """An object put straight into a class that expires after ``days``."""
    config = {"Rules": [_rule(Expiration={"Days": days})]}
    return lc.timeline(config, [S3Object.of("k", size, start, storage_class, count=count)])


def test_one_gib_month_of_standard():
    (jan,) = lc.monthly_costs(_standing("STANDARD", GiB, 31))
    assert jan.month == "2026-01" and jan.total == pytest.approx(0.023)


def test_a_terabyte_of_standard_for_a_year():
    costs = lc.monthly_costs(_standing("STANDARD", GiB, 365, count=1024))
    assert len(costs) == 12
    assert sum(m.total for m in costs) == pytest.approx(1024 * 0.023 * 12)


def test_ia_bills_at_least_128_kb():
    (small,) = lc.monthly_costs(_standing("STANDARD_IA", 16 * KiB, 31))
    (exact,) = lc.monthly_costs(_standing("STANDARD_IA", 128 * KiB, 31))
    assert small.total == pytest.approx(exact.total)
    assert small.total == pytest.approx(128 * KiB / GiB * 0.0125)
    (std,) = lc.monthly_costs(_standing("STANDARD", 16 * KiB, 31))
    assert std.total == pytest.approx(16 * KiB / GiB * 0.023)


def test_glacier_deleted_after_30_days_bills_90():
    # 1 GiB put in GLACIER on 1 Jan and deleted on 31 Jan: 30 days stored + 60 days early-deletion.
    (jan,) = lc.monthly_costs(_standing("GLACIER", GiB, 30))
    stored = (GiB + 32 * KiB) / GiB * 0.0036 * 30 / 31 + 8 * KiB / GiB * 0.023 * 30 / 31
    assert jan.storage == pytest.approx(stored)
    # the 60 remaining days are priced over Jan 31 + Feb (28) + Mar 1-31: per-day rate of each month
    fee = (GiB + 32 * KiB) / GiB * 0.0036 * (1 / 31 + 28 / 28 + 31 / 31)
    assert jan.early_deletion == pytest.approx(fee)


def test_deep_archive_minimum_is_180_days_and_not_charged_after():
    early = lc.total_cost(_standing("DEEP_ARCHIVE", GiB, 30))
    full = lc.total_cost(_standing("DEEP_ARCHIVE", GiB, 180))
    later = lc.total_cost(_standing("DEEP_ARCHIVE", GiB, 200))
    # equal but for the 8 KB of metadata billed at S3 Standard, which has no minimum duration
    overhead = 8 * KiB / GiB * 0.023 * (180 - 30) / 30.4
    assert early + overhead == pytest.approx(full, rel=1e-3)
    assert later > full
    assert lc.monthly_costs(_standing("DEEP_ARCHIVE", GiB, 200))[-1].early_deletion == 0


def test_archive_metadata_overhead():
    assert lc.billable_bytes("GLACIER", 1000) == {"STANDARD": 8 * KiB, "GLACIER": 1000 + 32 * KiB}
    assert lc.billable_bytes("ONEZONE_IA", 1000) == {"ONEZONE_IA": 128 * KiB}
    assert lc.billable_bytes("STANDARD", 1000) == {"STANDARD": 1000}


def test_lifecycle_makes_a_year_cheaper_and_counts_transition_requests():
    obj = S3Object.of("logs/a.log", GiB, MIDNIGHT, count=1000)
    kept = lc.total_cost(lc.timeline({"Rules": [_rule(Expiration={"Days": 365})]}, [obj]))
    tiered = lc.timeline(TIERING_DOWN, [obj])
    costs = lc.monthly_costs(tiered)
    assert lc.total_cost(tiered) < kept * 0.5
    assert sum(m.transitions for m in costs) == pytest.approx(1000 * (0.01 + 0.03) / 1000)
    assert sum(m.early_deletion for m in costs) == 0  # 60 days in IA, 275 in Glacier: minimums met


def test_early_transition_is_charged():
    # two rules (one rule could not): GLACIER_IR at day 0, GLACIER at day 30 -> 60 days of Glacier IR's
    # 90-day minimum not served, charged when it leaves
    config = {"Rules": [_rule("a", Transitions=[{"Days": 0, "StorageClass": "GLACIER_IR"}]),
                        _rule("b", Transitions=[{"Days": 30, "StorageClass": "GLACIER"}])]}
    line = lc.timeline(config, [S3Object.of("k", GiB, MIDNIGHT)], horizon_days=200)
    assert line[0].path() == [(0, "GLACIER_IR"), (30, "GLACIER")]
    fee = sum(m.early_deletion for m in lc.monthly_costs(line))
    assert fee == pytest.approx(0.004 * (1 / 31 + 28 / 28 + 31 / 31), rel=0.01)  # 60 days from Jan 31


def test_intelligent_tiering_moves_down_without_reads_and_charges_monitoring():
    costs = lc.monthly_costs(_standing("INTELLIGENT_TIERING", GiB, 120))
    assert costs[0].storage == pytest.approx(0.023 * 30 / 31 + 0.0125 * 1 / 31)
    assert costs[0].monitoring == pytest.approx(0.0025 / 1000)
    (tiny,) = lc.monthly_costs(_standing("INTELLIGENT_TIERING", 10 * KiB, 31))
    assert tiny.monitoring == 0 and tiny.storage == pytest.approx(10 * KiB / GiB * 0.023)


def test_the_guide_shows_the_class_table():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "labs" / "s3-storage-classes" / "README.md").read_text()
    for storage_class, use_case, zones, access in lc.CLASS_TABLE:
        assert f"| `{storage_class}` | {use_case} | {zones} | {access} |" in guide
