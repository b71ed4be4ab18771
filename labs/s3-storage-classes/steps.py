"""S3 storage classes, Glacier restores and lifecycle rules.

Real boto3 calls for everything S3 stores and returns (classes, InvalidObjectState, restores,
lifecycle configurations); ``awslabs.sim.lifecycle`` for what moto does not do: validate lifecycle
rules, apply them over time, and price the result.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import time
from email.utils import parsedate_to_datetime

from botocore.exceptions import ClientError

from awslabs.lab import Check, StepFailed, equal, expect
from awslabs.sim import lifecycle
from awslabs.sim.lifecycle import KiB, MiB, S3Object

CLASSES = lifecycle.WATERFALL  # STANDARD ... DEEP_ARCHIVE, one object in each
GLACIER_KEY = "archive/report-2025.csv"
DEEP_KEY = "archive/report-2019.csv"
ARCHIVE_TAG = {"Key": "retention", "Value": "archive"}


def _bucket(ctx):
    return ctx.name("data")


def _scratch(ctx):
    return ctx.name("scratch")


def _class_key(storage_class: str) -> str:
    return f"classes/{storage_class.lower().replace('_', '-')}.txt"


def _error_code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "?")


def _not_run(name: str, verified_by: str = "emulated") -> Check:
    return Check(name, False, "the step has not run yet (nothing recorded)", verified_by)


# What a step sent to the target and what the target answered is written back to the target as a
# small JSON object, so the checks read the step's effect from the target (and fail when the step
# did not run), never from ctx.state.
RECORDS = "awslabs-records/"


def _put_record(ctx, bucket: str, name: str, record) -> None:
    ctx.client("s3").put_object(Bucket=bucket, Key=RECORDS + name,
                                Body=json.dumps(record, indent=1, default=str).encode())


def _get_record(ctx, bucket: str, name: str):
    """The record a step wrote, or None when there is none (the step has not run)."""
    try:
        body = ctx.client("s3").get_object(Bucket=bucket, Key=RECORDS + name)["Body"].read()
    except ClientError:
        return None
    return json.loads(body)


# -- 1. a versioned bucket ----------------------------------------------------------------------
def apply_create_bucket(ctx):
    ctx.create_bucket(_bucket(ctx))
    ctx.client("s3").put_bucket_versioning(Bucket=_bucket(ctx), VersioningConfiguration={"Status": "Enabled"})


def check_create_bucket(ctx):
    s3 = ctx.client("s3")
    status = s3.get_bucket_versioning(Bucket=_bucket(ctx)).get("Status")
    yield equal("versioning is enabled (noncurrent-version rules need it)", status, "Enabled")
    try:
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=_bucket(ctx))["TagSet"]}
    except ClientError as err:
        if _error_code(err) != "NoSuchTagSet":
            raise
        tags = {}  # no tag at all: the check below says which one is missing
    yield equal("the bucket carries the run tag", tags.get("awslabs:run"), ctx.run_id)


# -- 2. one object per storage class ------------------------------------------------------------
def apply_put_storage_classes(ctx):
    s3 = ctx.client("s3")
    for storage_class in CLASSES:
        s3.put_object(
            Bucket=_bucket(ctx),
            Key=_class_key(storage_class),
            Body=f"one small object stored in {storage_class}\n".encode(),
            StorageClass=storage_class,
        )


def check_put_storage_classes(ctx):
    s3 = ctx.client("s3")
    listed = s3.list_objects_v2(Bucket=_bucket(ctx), Prefix="classes/").get("Contents", [])
    classes = {o["Key"]: o["StorageClass"] for o in listed}
    for storage_class in CLASSES:
        key = _class_key(storage_class)
        yield equal(f"list_objects_v2: {key} is in {storage_class}", classes.get(key), storage_class)
    # head_object sends x-amz-storage-class for every class except STANDARD (S3 omits it).
    heads = {}
    for storage_class in CLASSES:
        try:
            heads[storage_class] = s3.head_object(Bucket=_bucket(ctx), Key=_class_key(storage_class)).get(
                "StorageClass", "(absent)"
            )
        except ClientError as err:
            heads[storage_class] = _error_code(err)
    expected = {c: (c if c != "STANDARD" else "(absent)") for c in CLASSES}
    yield equal("head_object: StorageClass header per class (absent for STANDARD)", heads, expected)


# -- 3. Glacier: unreadable until restored ------------------------------------------------------
def apply_glacier_restore(ctx):
    s3 = ctx.client("s3")
    bucket = _bucket(ctx)
    s3.put_object(Bucket=bucket, Key=GLACIER_KEY, Body=b"year,revenue\n2025,42\n", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key=DEEP_KEY, Body=b"year,revenue\n2019,7\n", StorageClass="DEEP_ARCHIVE")
    try:  # an archived object cannot be read directly: InvalidObjectState (the check sees it on DEEP_KEY)
        s3.get_object(Bucket=bucket, Key=GLACIER_KEY)
    except ClientError as err:
        if _error_code(err) != "InvalidObjectState":
            raise
    refusal = lifecycle.check_restore("GLACIER", "Standard")
    if refusal is not None:
        raise StepFailed(f"the lab's own restore request is invalid: {refusal}")
    s3.restore_object(
        Bucket=bucket, Key=GLACIER_KEY, RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Standard"}}
    )


def _head(s3, bucket: str, key: str) -> dict:
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        return {"error": _error_code(err)}


RESTORE_DAYS = 1  # the task's restore: Days 1, Tier Standard (the default when left out)


def _restore_days(ctx, restore: str) -> Check:
    """The restore's Days, judged from the expiry date S3 reports once the copy is ready: on AWS
    the copy expires at the midnight UTC after completion + Days ("RestoreObject"), so a 1-day
    restore expires by the midnight after now + 1 day; moto expires it exactly Days after the
    request. The tier is not judged: S3 reports it nowhere (HeadObject shows ongoing-request and
    expiry-date only)."""
    name = f"the restore of {GLACIER_KEY} keeps its copy {RESTORE_DAYS} day (Days {RESTORE_DAYS})"
    found = re.search(r'expiry-date="([^"]+)"', restore)
    if not found:
        return Check(name, False, "the restore is still in progress: S3 shows its expiry date once the copy is "
                     "ready (3-5 hours for Standard); check again then", "aws", skipped=True)
    expiry = parsedate_to_datetime(found.group(1))
    now = dt.datetime.now(dt.timezone.utc)
    if ctx.on_aws:
        latest = (now + dt.timedelta(days=RESTORE_DAYS + 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        latest = now + dt.timedelta(days=RESTORE_DAYS, seconds=60)
    days = (expiry - now).total_seconds() / 86400
    ok = expiry <= latest
    return Check(name, ok, f"the copy expires {found.group(1)}" if ok else
                 f"the copy expires {found.group(1)}, in {days:.1f} days: restore it with Days {RESTORE_DAYS} "
                 f"(and Tier Standard) — a new restore_object request with Days {RESTORE_DAYS} changes it")


def check_glacier_restore(ctx):
    s3 = ctx.client("s3")
    bucket = _bucket(ctx)
    heads = {key: _head(s3, bucket, key) for key in (GLACIER_KEY, DEEP_KEY)}
    yield equal(
        f"{GLACIER_KEY} is in GLACIER, {DEEP_KEY} in DEEP_ARCHIVE",
        {k: h.get("StorageClass", h.get("error", "STANDARD")) for k, h in heads.items()},
        {GLACIER_KEY: "GLACIER", DEEP_KEY: "DEEP_ARCHIVE"},
    )
    try:
        s3.get_object(Bucket=bucket, Key=DEEP_KEY)
        answer = "readable"
    except ClientError as err:
        answer = _error_code(err)
    yield equal(
        "GET of the archived DEEP_ARCHIVE object (never restored) fails with InvalidObjectState",
        answer,
        "InvalidObjectState",
    )
    restore = heads[GLACIER_KEY].get("Restore", "")
    yield expect(
        f"head_object of {GLACIER_KEY} shows the restore (x-amz-restore header)",
        "ongoing-request=" in restore,
        restore or f"no Restore header: restore {GLACIER_KEY} (Days 1, Tier Standard)",
    )
    if "ongoing-request=" in restore:
        yield _restore_days(ctx, restore)
    if ctx.on_aws:
        yield Check(
            "the restored copy is readable",
            False,
            "a Standard restore takes 3-5 hours on AWS: run head_object later until "
            'ongoing-request="false", then get_object',
            "aws",
            skipped=True,
        )
    else:
        try:
            body = s3.get_object(Bucket=bucket, Key=GLACIER_KEY)["Body"].read()
            readable, seen = True, repr(body[:40])
        except ClientError as err:
            readable, seen = False, _error_code(err)
        yield expect(
            "the restored copy is readable (moto restores instantly; AWS takes minutes to hours)",
            readable and "ongoing-request=" in restore,
            seen,
        )


# -- 3b. restore tiers: what each archive class offers ------------------------------------------
PROBE_KEY = "archive/expedited-probe.csv"  # its own DEEP_ARCHIVE object: moto restores what it accepts


def apply_restore_tiers(ctx):
    s3 = ctx.client("s3")
    bucket = _bucket(ctx)
    # Deep Archive has no Expedited tier. The step really sends that request, for its own probe
    # object (moto accepts the request and restores the object, which would make the lab's
    # never-restored DEEP_ARCHIVE object readable), and records what it sent and the answer.
    s3.put_object(Bucket=bucket, Key=PROBE_KEY, Body=b"year,revenue\n2018,3\n", StorageClass="DEEP_ARCHIVE")
    sent = {"Bucket": bucket, "Key": PROBE_KEY, "RestoreRequest": {"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}}}
    try:
        s3.restore_object(**sent)
        answer = "accepted"
    except ClientError as err:
        answer = f"{_error_code(err)}: {err.response['Error'].get('Message', '')}"
    _put_record(ctx, bucket, "restore-tiers.json", {"sent": sent, "answer": answer})


def check_restore_tiers(ctx):
    s3 = ctx.client("s3")
    bucket = _bucket(ctx)
    # The classes the target reports for the GLACIER object and the step's DEEP_ARCHIVE probe, and
    # the tiers each class offers (the documented table, awslabs.facts "s3.restore_tiers").
    classes = {key: _head(s3, bucket, key).get("StorageClass", "?") for key in (GLACIER_KEY, PROBE_KEY)}
    yield equal(
        "restore tiers offered by the class of archive/report-2025.csv and of the probe (as the target reports them)",
        {c: sorted(lifecycle.RESTORE_TIERS.get(c, {})) for c in classes.values()},
        {"GLACIER": ["Bulk", "Expedited", "Standard"], "DEEP_ARCHIVE": ["Bulk", "Standard"]},
        verified_by="simulated",
    )
    record = _get_record(ctx, bucket, "restore-tiers.json")
    if record is None:
        yield _not_run("an Expedited restore of a DEEP_ARCHIVE object was sent to the target")
        yield _not_run("S3 refuses what was sent: Deep Archive has no Expedited tier", "simulated")
        return
    sent_class = _head(s3, bucket, record["sent"]["Key"]).get("StorageClass", "?")
    tier = record["sent"]["RestoreRequest"]["GlacierJobParameters"]["Tier"]
    yield equal(f"the step sent an {tier} restore of {record['sent']['Key']}, a DEEP_ARCHIVE object",
                (sent_class, tier), ("DEEP_ARCHIVE", "Expedited"))
    refusal = lifecycle.check_restore(sent_class, tier)
    answer = record["answer"]
    gap = (" — moto accepted it: an emulator gap, AWS refuses it" if answer == "accepted" and not ctx.on_aws
           else "")
    yield expect(
        "S3 refuses what was sent: Deep Archive has no Expedited tier (the lab's validator; code and "
        "wording are the lab's, the rule is AWS's)",
        refusal is not None and refusal.code == "InvalidArgument",
        f"{refusal} [{refusal.source if refusal else '-'}]; the target answered: {answer}{gap}",
        verified_by="simulated",
    )
    if ctx.on_aws:
        yield expect("AWS refused the Expedited restore of a DEEP_ARCHIVE object", answer != "accepted", answer)


# -- 4. a lifecycle configuration ---------------------------------------------------------------
ARCHIVE_RULE_ID = "archive-raw-data"
HOUSEKEEPING_RULE_ID = "housekeeping"
TMP_RULE_ID = "expire-tmp"


def lifecycle_config() -> dict:
    """The lab's lifecycle configuration (the shape put_bucket_lifecycle_configuration takes)."""
    return {
        "Rules": [
            {
                # prefix AND tag: only tagged raw data is archived
                "ID": ARCHIVE_RULE_ID,
                "Status": "Enabled",
                "Filter": {"And": {"Prefix": "raw/", "Tags": [ARCHIVE_TAG]}},
                "Transitions": [
                    {"Days": 30, "StorageClass": "STANDARD_IA"},
                    {"Days": 90, "StorageClass": "GLACIER"},
                    {"Days": 180, "StorageClass": "DEEP_ARCHIVE"},
                ],
                "Expiration": {"Days": 730},
                "NoncurrentVersionTransitions": [
                    {"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"},
                    {"NoncurrentDays": 120, "StorageClass": "GLACIER"},
                ],
                "NoncurrentVersionExpiration": {"NoncurrentDays": 365},
            },
            {
                # AbortIncompleteMultipartUpload cannot be combined with a tag filter: own rule
                "ID": HOUSEKEEPING_RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                "Expiration": {"ExpiredObjectDeleteMarker": True},
            },
            {
                "ID": TMP_RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": "tmp/"},
                "Expiration": {"Days": 7},
                # the bucket is versioned: Expiration only adds a delete marker, the data stays
                # (and is billed) as a noncurrent version until this removes it
                "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
            },
        ]
    }


def _rules_by_id(ctx) -> dict:
    s3 = ctx.client("s3")
    # On AWS a new lifecycle configuration can take a moment to become readable.
    for attempt in range(10 if ctx.on_aws else 1):
        try:
            rules = s3.get_bucket_lifecycle_configuration(Bucket=_bucket(ctx))["Rules"]
            return {r.get("ID"): r for r in rules}
        except ClientError as err:
            if _error_code(err) != "NoSuchLifecycleConfiguration" or attempt == 9 or not ctx.on_aws:
                raise
            time.sleep(1)
    return {}


def apply_lifecycle_rules(ctx):
    config = lifecycle_config()
    try:
        lifecycle.check(config)  # what S3 would refuse, refused here first (moto accepts anything)
    except lifecycle.LifecycleError as err:
        raise StepFailed(f"S3 would reject the lab's configuration: {err}") from None
    ctx.client("s3").put_bucket_lifecycle_configuration(Bucket=_bucket(ctx), LifecycleConfiguration=config)


def check_lifecycle_rules(ctx):
    rules = _rules_by_id(ctx)
    yield equal("three rules read back", sorted(rules), sorted([ARCHIVE_RULE_ID, HOUSEKEEPING_RULE_ID, TMP_RULE_ID]))
    archive = rules.get(ARCHIVE_RULE_ID, {})
    node = archive.get("Filter", {}).get("And", {})
    yield equal(
        "archive rule filter: prefix raw/ AND tag retention=archive",
        (node.get("Prefix"), node.get("Tags")),
        ("raw/", [ARCHIVE_TAG]),
    )
    yield equal(
        "transitions: STANDARD_IA at 30, GLACIER at 90, DEEP_ARCHIVE at 180 days",
        # order as S3 applies them, by days: the order the list was written in means nothing
        sorted((t.get("Days"), t["StorageClass"]) for t in archive.get("Transitions", [])),
        [(30, "STANDARD_IA"), (90, "GLACIER"), (180, "DEEP_ARCHIVE")],
    )
    yield equal("expiration after 730 days", archive.get("Expiration", {}).get("Days"), 730)
    yield equal(
        "noncurrent versions: STANDARD_IA at 30, GLACIER at 120, deleted at 365 days",
        (
            sorted((t["NoncurrentDays"], t["StorageClass"]) for t in archive.get("NoncurrentVersionTransitions", [])),
            archive.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
        ),
        ([(30, "STANDARD_IA"), (120, "GLACIER")], 365),
    )
    tmp = rules.get(TMP_RULE_ID, {})
    yield equal(
        "tmp/ expires after 7 days, and its noncurrent versions 1 day later (a versioned bucket keeps them)",
        (tmp.get("Expiration", {}).get("Days"), tmp.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")),
        (7, 1),
    )
    housekeeping = rules.get(HOUSEKEEPING_RULE_ID, {})
    yield equal(
        "incomplete multipart uploads aborted after 7 days (whole bucket)",
        housekeeping.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation"),
        7,
    )
    found = lifecycle.validate({"Rules": list(rules.values())})
    yield expect(
        "the configuration read back passes S3's documented rules",
        bool(rules) and not [f for f in found if f.severity == "error"],
        "; ".join(map(str, found)) or "no errors, no warnings",
        verified_by="simulated",
    )


# -- 5. invalid rules: moto stores them, S3 (and the validator) refuses -------------------------
def invalid_configs() -> dict[str, dict]:
    def rule(rid="r", **kw):
        return {"ID": rid, "Status": "Enabled", "Filter": {"Prefix": "logs/"}, **kw}

    return {
        "STANDARD_IA after 10 days": {"Rules": [rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}])]},
        "GLACIER 15 days after STANDARD_IA in one rule": {
            "Rules": [rule(Transitions=[
                {"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 45, "StorageClass": "GLACIER"}
            ])]
        },
        "expiration before the last transition": {
            "Rules": [rule(Transitions=[{"Days": 90, "StorageClass": "GLACIER"}], Expiration={"Days": 60})]
        },
        "GLACIER before STANDARD_IA (up the waterfall)": {
            "Rules": [rule(Transitions=[
                {"Days": 30, "StorageClass": "GLACIER"}, {"Days": 60, "StorageClass": "STANDARD_IA"}
            ])]
        },
        "two rules with the same ID": {
            "Rules": [rule("dup", Expiration={"Days": 30}), rule("dup", Expiration={"Days": 60})]
        },
        "Days and Date in one Expiration": {
            "Rules": [rule(Expiration={"Days": 30, "Date": dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)})]
        },
        "abort multipart with a tag filter": {
            "Rules": [{"ID": "r", "Status": "Enabled",
                       "Filter": {"And": {"Prefix": "raw/", "Tags": [ARCHIVE_TAG]}},
                       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]
        },
    }


def _ensure_bucket(ctx, name: str) -> None:
    """Create ``name`` unless it is there already (practice re-runs this step at every check)."""
    try:
        ctx.client("s3").head_bucket(Bucket=name)
    except ClientError:
        ctx.create_bucket(name)


def _stored_rules(s3, bucket: str):
    try:
        return s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as err:
        return _error_code(err)


def apply_invalid_rules(ctx):
    """Send every invalid configuration to the target and record what was sent, what it answered
    and (when it accepted) what it stored. The verdicts are the checks' business."""
    s3 = ctx.client("s3")
    _ensure_bucket(ctx, _scratch(ctx))
    sent = []
    for label, config in invalid_configs().items():
        try:
            s3.put_bucket_lifecycle_configuration(Bucket=_scratch(ctx), LifecycleConfiguration=config)
            answer = "accepted"
        except ClientError as err:
            answer = f"{_error_code(err)}: {err.response['Error'].get('Message', '')}"
        stored = _stored_rules(s3, _scratch(ctx)) if answer == "accepted" else None
        sent.append({"label": label, "config": config, "answer": answer, "stored": stored})
    _put_record(ctx, _scratch(ctx), "invalid-rules.json", sent)


def _parsed(config: dict) -> dict:
    """A recorded configuration with its ISO dates turned back into datetimes."""
    def fix(node):
        if isinstance(node, dict):
            return {k: (lifecycle._as_datetime(v) if k == "Date" else fix(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node
    return fix(config)


def check_invalid_rules(ctx):
    record = _get_record(ctx, _scratch(ctx), "invalid-rules.json") if _bucket_exists(ctx, _scratch(ctx)) else None
    if record is None:
        yield _not_run("every invalid configuration was sent to the target")
        return
    yield equal("every invalid configuration was sent to the target",
                [r["label"] for r in record], list(invalid_configs()))
    for item in record:
        # the simulator's verdict on what was sent (read back from the record), not on the lab's list
        found = lifecycle.errors(_parsed(item["config"]))
        first = found[0] if found else None
        answer = item["answer"]
        gap = ("; moto accepted it — an emulator gap: moto does not validate lifecycle rules"
               if answer == "accepted" and not ctx.on_aws else "")
        yield expect(
            f"S3 would refuse: {item['label']}",
            first is not None,
            (f"{first} [{first.source}]; the target answered: {answer}{gap}" if first
             else f"the validator accepted what was sent; the target answered: {answer}"),
            verified_by="simulated",
        )
    if ctx.on_aws:
        mismatched = [r for r in record if not r["answer"].startswith(
            (lifecycle.errors(_parsed(r["config"])) or [lifecycle.Finding("?", "")])[0].code)]
        yield expect(
            "AWS answered every invalid configuration with the code the validator predicted",
            not mismatched,
            "; ".join(f"{r['label']}: AWS {r['answer']}" for r in mismatched) or "all codes match",
        )
    else:
        first = record[0]
        stored = first["stored"] if isinstance(first["stored"], list) else []
        yield equal(
            "moto stored the STANDARD_IA-at-10-days rule as sent (it does not validate)",
            [t.get("Days") for r in stored for t in r.get("Transitions", [])],
            [t["Days"] for r in first["config"]["Rules"] for t in r.get("Transitions", [])],
        )


def _bucket_exists(ctx, name: str) -> bool:
    try:
        ctx.client("s3").head_bucket(Bucket=name)
        return True
    except ClientError:
        return False


# -- 6. the timeline: which class, which day ----------------------------------------------------
DATASET = (
    # key, size, tagged for archiving
    ("raw/2026/clicks.parquet", 300 * KiB, True),
    ("raw/2026/labels.json", 10 * KiB, True),
    ("raw/2026/notes.csv", 300 * KiB, False),
    ("tmp/scratch.txt", 1 * KiB, False),
)
CLICKS = "raw/2026/clicks.parquet"


def _read_objects(ctx) -> list[S3Object]:
    """Every version under raw/ and tmp/ as lifecycle sees it: size, creation, class, tags, and
    for a noncurrent version the moment its successor was written."""
    s3 = ctx.client("s3")
    objects = []
    for prefix in ("raw/", "tmp/"):
        versions = s3.list_object_versions(Bucket=_bucket(ctx), Prefix=prefix).get("Versions", [])
        by_key: dict[str, list] = {}
        for v in versions:
            by_key.setdefault(v["Key"], []).append(v)
        for key, found in by_key.items():
            found.sort(key=lambda v: v["LastModified"], reverse=True)
            for index, v in enumerate(found):
                tags = s3.get_object_tagging(Bucket=_bucket(ctx), Key=key, VersionId=v["VersionId"])["TagSet"]
                objects.append(S3Object.of(
                    key, v["Size"], v["LastModified"], v.get("StorageClass", "STANDARD"),
                    {t["Key"]: t["Value"] for t in tags},
                    noncurrent_since=None if index == 0 else found[index - 1]["LastModified"],
                ))
    return objects


def apply_simulate_timeline(ctx):
    s3 = ctx.client("s3")
    # Written once: practice re-runs this step at every check, and new versions would pile up.
    versions: dict[str, int] = {}
    for prefix in ("raw/", "tmp/"):
        for v in s3.list_object_versions(Bucket=_bucket(ctx), Prefix=prefix).get("Versions", []):
            versions[v["Key"]] = versions.get(v["Key"], 0) + 1
    for key, size, tagged in DATASET:
        if not versions.get(key):
            tagging = "retention=archive" if tagged else ""
            s3.put_object(Bucket=_bucket(ctx), Key=key, Body=b"v1" + b"\0" * (size - 2), Tagging=tagging)
    if versions.get(CLICKS, 0) < 2:
        # a second version of clicks.parquet: the first one becomes noncurrent now
        s3.put_object(Bucket=_bucket(ctx), Key=CLICKS, Body=b"v2" + b"\0" * (300 * KiB - 2),
                      Tagging="retention=archive")

    # The rules and the versioning status as the target has them: in a versioned bucket Expiration
    # adds a delete marker and the version stays, noncurrent, until NoncurrentVersionExpiration.
    config = {"Rules": list(_rules_by_id(ctx).values())}
    versioned = s3.get_bucket_versioning(Bucket=_bucket(ctx)).get("Status") == "Enabled"
    lines = lifecycle.timeline(config, _read_objects(ctx), horizon_days=TIMELINE_DAYS, versioned=versioned)
    summary = {}
    for line in lines:
        name = line.obj.key + (" (noncurrent)" if line.obj.noncurrent_since else "")
        summary[name] = {"path": line.path(), "expires": line.expires_day, "delete_marker": line.delete_marker_day,
                         "skipped": line.skipped}
    _put_record(ctx, _bucket(ctx), "timeline.json", {"versioned": versioned, "objects": summary})

    path = ctx.output_dir / "timeline.csv"
    checkpoints = (0, 29, 31, 91, 181, 366, 731, 1096)
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["object", *[f"day {d}" for d in checkpoints], "delete marker on day", "deleted on day"])
        for line in lines:
            name = line.obj.key + (" (noncurrent)" if line.obj.noncurrent_since else "")
            writer.writerow([name, *[line.class_on(d) or "-" for d in checkpoints],
                             line.delete_marker_day or "-", line.expires_day or "never"])


TIMELINE_DAYS = 1100  # long enough to see clicks.parquet's delete marker (730) and its removal (1095)


def _days_match(days: list[int], rule_days: list[int]) -> bool:
    # an action runs at creation + days, rounded up to the next midnight UTC: same day or the next
    return len(days) == len(rule_days) and all(d - r in (0, 1) for d, r in zip(days, rule_days))


def check_simulate_timeline(ctx):
    record = _get_record(ctx, _bucket(ctx), "timeline.json")
    if record is None:
        yield _not_run("clicks.parquet walks down STANDARD_IA, GLACIER, DEEP_ARCHIVE", "simulated")
        return
    summary = record["objects"]
    clicks = summary.get(CLICKS, {"path": [], "expires": None})
    # timeline.csv, the file the guide gives the learner: clicks.parquet's row against the task's
    # rule written out here (STANDARD_IA after 30 days, GLACIER after 90, DEEP_ARCHIVE after 180,
    # expiry after 730; + 365 noncurrent days in a versioned bucket), on days clear of the rounding.
    path = ctx.output_dir / "timeline.csv"
    rows = {r[0]: r[1:] for r in csv.reader(path.read_text().splitlines()[1:]) if r} if path.exists() else {}
    row = rows.get(CLICKS, [])
    want = ["STANDARD", "STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE", "DEEP_ARCHIVE"]  # days 0, 29, 31, 91, 181, 366
    gone = 730 + (365 if record["versioned"] else 0)
    yield expect(
        "timeline.csv: clicks.parquet is STANDARD, STANDARD, STANDARD_IA, GLACIER, DEEP_ARCHIVE, DEEP_ARCHIVE on days "
        f"0, 29, 31, 91, 181, 366 and deleted on day {gone} (or the next)",
        len(row) == 10 and row[:6] == want and row[9].isdigit() and int(row[9]) - gone in (0, 1),
        f"{CLICKS}: {row}" if path.exists() else f"{path} not written", verified_by="simulated")
    yield equal(
        "clicks.parquet walks down STANDARD -> STANDARD_IA -> GLACIER -> DEEP_ARCHIVE",
        [c for _, c in clicks["path"]],
        ["STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE"],
        verified_by="simulated",
    )
    yield expect(
        "... on days 30, 90, 180 after creation, rounded up to midnight UTC",
        _days_match([d for d, _ in clicks["path"][1:]], [30, 90, 180]),
        f"days {[d for d, _ in clicks['path']]}",
        verified_by="simulated",
    )
    if record["versioned"]:
        yield expect(
            "clicks.parquet expires on day 730 (rounded up): in this versioned bucket S3 adds a delete marker "
            "and the version stays, noncurrent and billed, until NoncurrentVersionExpiration 365 days later",
            clicks.get("delete_marker") is not None and clicks["delete_marker"] - 730 in (0, 1)
            and clicks["expires"] is not None and clicks["expires"] - clicks["delete_marker"] - 365 in (0, 1),
            f"delete marker on day {clicks.get('delete_marker')}, deleted on day {clicks['expires']}",
            verified_by="simulated",
        )
    else:
        yield expect(
            "clicks.parquet expires on day 730 (rounded up) — the bucket is not versioned: deleted",
            clicks["expires"] is not None and clicks["expires"] - 730 in (0, 1),
            f"day {clicks['expires']}",
            verified_by="simulated",
        )
    old = summary.get(CLICKS + " (noncurrent)", {"path": [], "expires": None})
    yield expect(
        "the overwritten version: STANDARD_IA after 30, GLACIER after 120, deleted after 365 noncurrent days",
        [c for _, c in old["path"]] == ["STANDARD", "STANDARD_IA", "GLACIER"]
        and _days_match([d for d, _ in old["path"][1:]] + [old["expires"] or -9], [30, 120, 365]),
        f"path {old['path']}, expires day {old['expires']}",
        verified_by="simulated",
    )
    labels = summary.get("raw/2026/labels.json", {"path": [], "skipped": []})
    yield expect(
        "labels.json (10 KB) never transitions: under the 128 KB default minimum",
        [c for _, c in labels["path"]] == ["STANDARD"] and bool(labels["skipped"]),
        "; ".join(labels["skipped"][:1]) or f"path {labels['path']}",
        verified_by="simulated",
    )
    notes = summary.get("raw/2026/notes.csv", {"path": [], "expires": 0})
    yield expect(
        "notes.csv (no retention tag) stays in STANDARD and never expires",
        [c for _, c in notes["path"]] == ["STANDARD"] and notes["expires"] is None,
        f"path {notes['path']}, expires {notes['expires']}",
        verified_by="simulated",
    )
    tmp = summary.get("tmp/scratch.txt", {"expires": None, "delete_marker": None})
    if record["versioned"]:
        yield expect(
            "tmp/scratch.txt gets a delete marker on day 7 and its data is deleted a day later "
            "(NoncurrentVersionExpiration; without it the noncurrent version would stay, billed)",
            tmp.get("delete_marker") is not None and tmp["delete_marker"] - 7 in (0, 1)
            and tmp["expires"] is not None and tmp["expires"] - tmp["delete_marker"] - 1 in (0, 1),
            f"delete marker on day {tmp.get('delete_marker')}, deleted on day {tmp['expires']}",
            verified_by="simulated",
        )
    else:
        yield expect(
            "tmp/scratch.txt is deleted on day 7 (rounded up)",
            tmp["expires"] is not None and tmp["expires"] - 7 in (0, 1),
            f"day {tmp['expires']}",
            verified_by="simulated",
        )


# -- 7. what it costs ---------------------------------------------------------------------------
DATASET_OBJECTS = 10_485  # x 100 MiB = 1 TiB


def apply_storage_cost(ctx):
    """24 months of a 1 TiB dataset (tagged for archiving, under raw/) priced under the lifecycle
    rules and versioning status the target holds, against the same data kept in STANDARD."""
    s3 = ctx.client("s3")
    today = dt.datetime.now(dt.timezone.utc)
    start = dt.datetime(today.year, today.month, 1, tzinfo=dt.timezone.utc)
    config = {"Rules": list(_rules_by_id(ctx).values())}
    versioned = s3.get_bucket_versioning(Bucket=_bucket(ctx)).get("Status") == "Enabled"
    horizon = (start.replace(year=start.year + 2) - start).days
    tagged = S3Object.of("raw/2026/part.parquet", 100 * MiB, start, tags={"retention": "archive"}, count=DATASET_OBJECTS)
    kept = S3Object.of("raw/2026/part.parquet", 100 * MiB, start, count=DATASET_OBJECTS)  # no tag: no rule applies

    def run(obj):
        lines = lifecycle.timeline(config, [obj], horizon_days=horizon, versioned=versioned)
        return [m.to_dict() for m in lifecycle.monthly_costs(lines)][:24]

    tiered, standard = run(tagged), run(kept)
    path = ctx.output_dir / "monthly_cost.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["month", "1 TiB with lifecycle (USD)", "1 TiB kept in STANDARD (USD)", "early deletion (USD)"])
        for t, k in zip(tiered, standard):
            writer.writerow([t["month"], f"{t['total']:.2f}", f"{k['total']:.2f}", f"{t['early_deletion']:.2f}"])
    _put_record(ctx, _bucket(ctx), "monthly-cost.json",
                {"rules": sorted(r.get("ID", "?") for r in config["Rules"]), "versioned": versioned,
                 "tiered": tiered, "standard": standard})


def check_storage_cost(ctx):
    record = _get_record(ctx, _bucket(ctx), "monthly-cost.json")
    if record is None:
        yield _not_run("a full month of 1 TiB in STANDARD", "simulated")
        return
    prices = f"us-east-1 prices of {lifecycle.PRICES.as_of}, {lifecycle.PRICES.source}"
    std_month = record["standard"][1]["total"]  # month 2: a full calendar month
    expected = DATASET_OBJECTS * 100 / 1024 * lifecycle.PRICES.per_gb_month["STANDARD"]  # independent arithmetic
    yield expect(
        f"a full month of 1 TiB (10,485 x 100 MiB) in STANDARD costs about ${expected:.2f}",
        abs(std_month - expected) < 0.01,
        f"${std_month:.2f} ({prices})",
        verified_by="simulated",
    )
    # monthly_cost.csv, the file the guide gives the learner: every full month kept in STANDARD costs
    # the arithmetic above, and its 24 rows agree with the months the record holds.
    path = ctx.output_dir / "monthly_cost.csv"
    rows = list(csv.reader(path.read_text().splitlines()[1:])) if path.exists() else []
    full = [float(r[2]) for r in rows[1:-1]] if len(rows) > 2 else []
    yield expect(
        f"monthly_cost.csv: 24 months, every full month of STANDARD ${expected:.2f}, no early-deletion charge",
        len(rows) == 24 and all(abs(v - expected) < 0.01 for v in full) and all(float(r[3]) == 0 for r in rows)
        and abs(sum(float(r[1]) for r in rows) - sum(m["total"] for m in record["tiered"])) < 0.01 * len(rows),
        f"{len(rows)} months; STANDARD full months ${min(full, default=0):.2f}-${max(full, default=0):.2f}"
        if path.exists() else f"{path} not written", verified_by="simulated")
    tiered = sum(m["total"] for m in record["tiered"])
    kept = sum(m["total"] for m in record["standard"])
    yield expect(
        f"24 months under the rules on the bucket ({', '.join(record['rules'])}) cost less than a third of STANDARD",
        len(record["tiered"]) == 24 and tiered < kept / 3,
        f"${tiered:.2f} vs ${kept:.2f} ({100 * (1 - tiered / kept):.0f}% saved; transitions "
        f"${sum(m['transitions'] for m in record['tiered']):.2f})",
        verified_by="simulated",
    )
    early = sum(m["early_deletion"] for m in record["tiered"])
    yield expect(
        "the rules respect every minimum storage duration (no early-deletion charge)",
        len(record["tiered"]) == 24 and early == 0,
        f"early-deletion charges ${early:.2f}",
        verified_by="simulated",
    )


def _timeline_csv_not_written(ctx):
    """Mutant: the timeline is recorded in the bucket but timeline.csv is never written."""
    apply_simulate_timeline(ctx)
    (ctx.output_dir / "timeline.csv").unlink()


def _monthly_cost_csv_not_written(ctx):
    """Mutant: the costs are recorded in the bucket but monthly_cost.csv is never written."""
    apply_storage_cost(ctx)
    (ctx.output_dir / "monthly_cost.csv").unlink()


MUTATIONS = {
    "simulate_timeline": [("timeline.csv not written", _timeline_csv_not_written)],
    "storage_cost": [("monthly_cost.csv not written", _monthly_cost_csv_not_written)],
}
