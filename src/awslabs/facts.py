"""Every AWS fact a lab teaches and a simulator uses, defined once, with its source and read date.

A learning tool that teaches a wrong exam fact is worse than none, and AWS changes limits, prices
and names. So each limit, price or rule that a guide states and a simulator uses lives here exactly
once, as a ``Fact``: its value, the sentence the guides use, the documentation page it was read
from and the day it was read. Simulators import the values from here; ``awslabs show LAB`` prints
the facts a lab relies on ("Sources"); ``tests/test_facts.py`` proves that each lab guide states
the figure (``text``) registered here and none of the figures AWS has since replaced (``stale``).
``docs/facts-audit.md`` is the human-readable audit: every fact checked, where it is used, and its
status.

This module is data only: ``awslabs show`` imports it, so it must never import boto3, moto or an
ML library.

``status`` is one of ``confirmed`` (the page says so on the read date), ``fixed`` (the labs said
something else until issue 13), ``changed`` (AWS changed it; ``changed`` says when and from
what) or ``not confirmed`` (the stored documentation available when this was written did not show
it: treat the figure as the labs' best reading, not as AWS's word).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

READ = "2026-12-06"  # the day the pages below were read for issue 13


@dataclass(frozen=True)
class Fact:
    id: str
    value: Any
    statement: str  # the fact in one sentence, as the guides teach it
    url: str  # the AWS page it was read from (the first one when several)
    labs: tuple[str, ...] = ()  # the labs whose guides state it
    text: tuple[str, ...] = ()  # each must appear verbatim in every one of those guides
    stale: tuple[str, ...] = ()  # figures AWS replaced: must appear in none of those guides
    used_by: tuple[str, ...] = ()  # code that uses the value (module.function / constant)
    status: str = "confirmed"
    changed: str = ""  # what AWS changed and when, for "changed" facts and guides' notes
    read: str = READ
    more: tuple[str, ...] = field(default=())  # further pages that say the same


def _f(*args, **kwargs) -> Fact:
    return Fact(*args, **kwargs)


S3_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide"
S3_TRANSITIONS = f"{S3_GUIDE}/lifecycle-transition-general-considerations.html"

FACTS: tuple[Fact, ...] = (
    # -- S3 lifecycle ----------------------------------------------------------------------------
    _f("s3.ia_min_object_age_days", 30,
       "Lifecycle moves an object to STANDARD_IA or ONEZONE_IA only once it is at least 30 days old "
       "(a Days rule needs Days >= 30; a Date rule still waits for the object's 30th day)",
       S3_TRANSITIONS, ("s3-storage-classes",), ("≥ 30 days old",),
       used_by=("awslabs.sim.lifecycle.IA_MIN_TRANSITION_DAYS", "lifecycle._check_transitions",
                "lifecycle.timeline"),
       status="fixed", more=("https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html",)),
    _f("s3.min_storage_days", {"STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 90, "GLACIER": 90,
                               "DEEP_ARCHIVE": 180},
       "Minimum storage duration: 30 days (Standard-IA, One Zone-IA), 90 (Glacier IR, Glacier "
       "Flexible Retrieval), 180 (Deep Archive); leaving earlier is billed as if stored that long",
       f"{S3_GUIDE}/storage-class-intro.html#sc-compare", ("s3-storage-classes",),
       ("30 days (Standard-IA, One Zone-IA), 90 (Glacier IR, Glacier Flexible), 180 (Deep Archive)",),
       used_by=("awslabs.sim.lifecycle.MIN_STORAGE_DAYS", "lifecycle.monthly_costs"),
       more=(S3_TRANSITIONS,)),
    _f("s3.single_rule_min_gap", "minimum storage duration of the class left",
       "One rule may not move objects out of a class before that class's minimum storage duration: "
       "e.g. STANDARD_IA/ONEZONE_IA then GLACIER/DEEP_ARCHIVE (or STANDARD_IA then ONEZONE_IA) less "
       "than 30 days later is refused; AWS's own example refuses GLACIER_IR at day 4 then "
       "DEEP_ARCHIVE at day 20 (it must be day 94 or later). Two rules may do it, and pay the minimum",
       S3_TRANSITIONS, ("s3-storage-classes",), ("at least 30 days after",),
       stale=("S3 accepts it and bills the difference",),
       used_by=("awslabs.sim.lifecycle._check_transitions",), status="fixed"),
    _f("s3.two_rule_ia_wait_days", 30,
       "Objects in STANDARD_IA must stay 30 days in that class before lifecycle moves them on to "
       "Glacier (AWS Knowledge Center); the user guide only says two rules 'pay minimum storage "
       "charges', so the two-rule case is ambiguous: the simulator follows the Knowledge Center",
       "https://repost.aws/knowledge-center/s3-lifecycle-rule-glacier-storage",
       ("s3-storage-classes",), ("stay 30 days in an IA class",),
       used_by=("awslabs.sim.lifecycle.timeline",), status="fixed", more=(S3_TRANSITIONS,)),
    _f("s3.versioned_expiration", "delete marker",
       "In a versioning-enabled bucket, Expiration adds a delete marker: the current version becomes "
       "noncurrent and stays (and is billed) until NoncurrentVersionExpiration removes it",
       f"{S3_GUIDE}/lifecycle-expire-general-considerations.html", ("s3-storage-classes",),
       ("adds a delete marker",),
       used_by=("awslabs.sim.lifecycle.timeline", "lifecycle.monthly_costs"), status="fixed",
       more=(f"{S3_GUIDE}/DeletingObjectVersions.html",)),
    _f("s3.min_billable_bytes", 128 * 1024,
       "Standard-IA, One Zone-IA and Glacier IR bill at least 128 KB per object",
       f"{S3_GUIDE}/storage-class-intro.html#sc-compare", ("s3-storage-classes",), ("at least 128 KB",),
       used_by=("awslabs.sim.lifecycle.MIN_BILLABLE_BYTES",)),
    _f("s3.archive_overhead_bytes", (8 * 1024, 32 * 1024),
       "Each object archived to GLACIER or DEEP_ARCHIVE carries 8 KB billed at S3 Standard and "
       "32 KB billed at the archive class",
       S3_TRANSITIONS, ("s3-storage-classes",), ("8 KB at Standard, 32 KB at the class price",),
       used_by=("awslabs.sim.lifecycle.ARCHIVE_OVERHEAD",)),
    _f("s3.default_min_transition_bytes", 128 * 1024,
       "Since September 2024 objects smaller than 128 KB are not transitioned by default "
       "(TransitionDefaultMinimumObjectSize all_storage_classes_128K) unless the rule has a size filter",
       S3_TRANSITIONS, ("s3-storage-classes",), ("Since September 2024",),
       used_by=("awslabs.sim.lifecycle.DEFAULT_MIN_TRANSITION_BYTES",), status="changed",
       changed="September 2024: before, objects < 128 KB could still go to GLACIER and DEEP_ARCHIVE"),
    _f("s3.max_lifecycle_rules", 1000, "A lifecycle configuration holds at most 1,000 rules",
       f"{S3_GUIDE}/intro-lifecycle-rules.html", ("s3-storage-classes",), ("1,000 rules",),
       used_by=("awslabs.sim.lifecycle.validate",), status="not confirmed",
       changed="stored docs show the error text only through S3-compatible servers"),
    _f("s3.action_day_rounding", "next midnight UTC",
       "A lifecycle action is due at object creation + the rule's days, rounded up to the next "
       "midnight UTC (AWS's example: 2014-01-15 10:30 UTC + 3 days -> 2014-01-19 00:00 UTC)",
       f"{S3_GUIDE}/intro-lifecycle-rules.html#intro-lifecycle-rules-number-of-days",
       ("s3-storage-classes",), ("rounded up to the next midnight UTC",),
       used_by=("awslabs.sim.lifecycle.action_date",), status="not confirmed",
       changed="the AWS page was not returned on 2026-12-06; its example is quoted verbatim by re:Post answers"),
    _f("s3.single_az_classes", ("ONEZONE_IA", "EXPRESS_ONEZONE"),
       "Two storage classes keep data in a single Availability Zone: S3 One Zone-IA and S3 Express "
       "One Zone (directory buckets only); every other class uses >= 3 AZs",
       f"{S3_GUIDE}/s3-express-differences.html", ("s3-storage-classes",),
       ("S3 Express One Zone",), stale=("only class in a single AZ",),
       used_by=("awslabs.sim.lifecycle.SINGLE_AZ_CLASSES",), status="fixed",
       more=(f"{S3_GUIDE}/storage-class-intro.html",)),
    _f("s3.restore_tiers", {"GLACIER": {"Expedited": "1-5 minutes", "Standard": "3-5 hours", "Bulk": "5-12 hours"},
                            "DEEP_ARCHIVE": {"Standard": "within 12 hours", "Bulk": "within 48 hours"}},
       "Restore from Glacier Flexible Retrieval: Expedited 1-5 minutes, Standard 3-5 hours, Bulk "
       "5-12 hours; from Deep Archive: Standard within 12 hours, Bulk within 48 hours, no Expedited",
       f"{S3_GUIDE}/restoring-objects-retrieval-options.html", ("s3-storage-classes",),
       ("3–5 hours", "within 48 hours"),
       used_by=("awslabs.sim.lifecycle.RESTORE_TIERS", "lifecycle.check_restore"),
       more=("https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html",)),
    _f("s3.prices_us_east_1", {"STANDARD": 0.023, "STANDARD_IA": 0.0125, "ONEZONE_IA": 0.01,
                               "GLACIER_IR": 0.004, "GLACIER": 0.0036, "DEEP_ARCHIVE": 0.00099},
       "us-east-1 storage prices per GB-month, first 50 TB", "https://aws.amazon.com/s3/pricing/",
       ("s3-storage-classes",), ("0.0125", "0.00099"),
       used_by=("awslabs.sim.lifecycle.PRICES",), status="not confirmed",
       changed="as encoded on 2026-11-26; the pricing page is not in the stored docs", read="2026-11-26"),
    # -- SQS -------------------------------------------------------------------------------------
    _f("sqs.max_message_bytes", 1_048_576,
       "An SQS message is at most 1 MiB (1,048,576 bytes); it was 256 KiB until AWS raised it in 2025",
       "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html",
       ("sqs-queues",), ("1 MiB (1,048,576 bytes)",), stale=("up to 256 KB", "size up to 256 KiB", "(and 256 KB"),
       status="changed", changed="2025: raised from 256 KiB (262,144 bytes) to 1 MiB",
       more=("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html",)),
    _f("sqs.max_batch_bytes", 1_048_576,
       "A SendMessageBatch carries up to 10 messages and at most 1 MiB (1,048,576 bytes) in total",
       "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html",
       ("sqs-queues",), ("1 MiB in total",), stale=("256 KB total", "256 KB in total"),
       status="changed", changed="2025: raised from 256 KiB to 1 MiB with the message size",
       more=("https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html",)),
    _f("sqs.dlq_enqueue_timestamp", {"standard": "kept", "fifo": "reset"},
       "Moved to a dead-letter queue, a standard queue's message keeps its original enqueue "
       "timestamp (so the DLQ's retention should be longer); a FIFO queue's message gets a new one",
       "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html",
       ("sqs-queues",), ("FIFO queue resets it",), status="fixed"),
    _f("sqs.retention_seconds", (60, 345_600, 1_209_600),
       "Message retention is 60 seconds to 14 days (1,209,600 s), 4 days by default",
       "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html",
       ("sqs-queues",), ("1 minute–14 days (default 4 days)",)),
    # -- Kinesis ---------------------------------------------------------------------------------
    _f("kinesis.max_record_bytes", {"default": 1024 * 1024, "max": 10 * 1024 * 1024},
       "A Kinesis data stream takes records up to 1 MiB by default; UpdateMaxRecordSize "
       "(MaxRecordSizeInKiB 1024-10240) or the console raises a stream's limit up to 10 MiB. "
       "Shard throughput (1 MiB/s in, 2 MiB/s out) does not change",
       "https://docs.aws.amazon.com/streams/latest/dev/large-records.html", ("kinesis-data-streams",),
       ("up to 10 MiB",), used_by=("awslabs.sim.kinesis_capacity.MAX_RECORD_BYTES",
                                    "kinesis_capacity.MAX_RECORD_BYTES_CONFIGURABLE"),
       status="changed", changed="large records (up to 10 MiB per stream setting) added in 2025",
       more=("https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html",)),
    _f("kinesis.shard_write", (1024 * 1024, 1000), "A shard accepts 1 MiB/s or 1,000 records/s of writes",
       "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html",
       ("kinesis-data-streams",), ("1 MiB/s or 1,000 records/s",),
       used_by=("awslabs.sim.kinesis_capacity.WRITE_BYTES_PER_SHARD",), status="confirmed",
       more=("https://docs.aws.amazon.com/streams/latest/dev/large-records.html",)),
    _f("kinesis.put_records_request", {"records": 500, "bytes": 10 * 1024 * 1024},
       "A PutRecords request carries up to 500 records and at most 10 MiB in total, partition keys included",
       "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html", ("kinesis-data-streams",),
       ("500 records per call", "at most 10 MiB per request"), stale=("5 MiB per request,", "5 MiB for the entire request"),
       used_by=("awslabs.sim.kinesis_capacity.PUT_RECORDS_MAX_RECORDS", "kinesis_capacity.PUT_RECORDS_MAX_REQUEST_BYTES"),
       status="changed", changed="the request total was 5 MiB; AWS raised it to 10 MiB with large records (2025)"),
    _f("kda.sql_discontinued", {"no_new_apps": "2025-10-15", "apps_deleted": "2026-01-27"},
       "Kinesis Data Analytics for SQL is discontinued: no new applications from 2025-10-15, "
       "existing applications deleted from 2026-01-27; use Amazon Managed Service for Apache Flink",
       "https://docs.aws.amazon.com/kinesisanalytics/latest/dev/discontinuation.html",
       ("kinesis-data-analytics",), ("2025-10-15", "2026-01-27"), stale=("since 2023",),
       status="fixed", more=("https://docs.aws.amazon.com/kinesisanalytics/latest/dev/API_Reference.html",)),
    _f("kda.renamed_flink", "Amazon Managed Service for Apache Flink",
       "Kinesis Data Analytics for Apache Flink is now Amazon Managed Service for Apache Flink "
       "(the API is still kinesisanalyticsv2)",
       "https://docs.aws.amazon.com/managed-flink/latest/java/what-is.html", ("kinesis-data-analytics",),
       ("Managed Service for Apache", "kinesisanalyticsv2"), status="changed",
       changed="renamed in 2023 (the v2 API keeps its name)"),
    _f("firehose.renamed", "Amazon Data Firehose",
       "Amazon Data Firehose was previously known as Amazon Kinesis Data Firehose",
       "https://docs.aws.amazon.com/firehose/latest/dev/what-is-this-service.html", ("kinesis-firehose",),
       ("formerly Kinesis Data Firehose",), status="changed", changed="renamed in 2024",
       more=("https://docs.aws.amazon.com/cli/latest/reference/firehose/index.html",)),
    # -- EBS ---------------------------------------------------------------------------------------
    _f("ebs.gp3", {"min_gib": 1, "max_gib": 65_536, "min_iops": 3000, "max_iops": 80_000,
                   "min_mibs": 125, "max_mibs": 2000},
       "gp3: 1 GiB-64 TiB, 3,000-80,000 IOPS, 125-2,000 MiB/s (raised from 16 TiB, 16,000 IOPS, 1,000 MiB/s)",
       "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html", ("ebs-volumes",),
       ("1 GiB–64 TiB", "80,000", "2,000 MiB/s"), stale=("up to 16,000 (", "1 GiB–16 TiB | 3,000"),
       used_by=("awslabs.sim.storage_io.EBS_TYPES['gp3']",), status="changed",
       changed="2025: gp3 raised to 64 TiB, 80,000 IOPS, 2,000 MiB/s (API reference as shipped in botocore 1.44.13)",
       more=("https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html",)),
    _f("ebs.io2", {"min_gib": 4, "max_gib": 65_536, "min_iops": 100, "max_iops": 256_000},
       "io2: 4 GiB-64 TiB, 100-256,000 IOPS (Nitro instances)",
       "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html", ("ebs-volumes",),
       ("4 GiB–64 TiB", "100–256,000"), used_by=("awslabs.sim.storage_io.EBS_TYPES['io2']",)),
    _f("ebs.hdd_sizes", (125, 16_384), "st1 and sc1: 125 GiB-16 TiB",
       "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html", ("ebs-volumes",),
       ("125 GiB–16 TiB",), used_by=("awslabs.sim.storage_io.EBS_TYPES['st1']", "EBS_TYPES['sc1']")),
    # -- SageMaker DeepAR -------------------------------------------------------------------------
    _f("deepar.time_freq", r"^[1-9]\d*(M|W|D|H|min)$ or a bare M|W|D|H|min",
       "DeepAR's time_freq is M, W, D, H or min, optionally preceded by an integer multiple "
       "(5min, 2H, 12H, 3D)",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/deepar_hyperparameters.html",
       ("deepar-forecasting",), ("an integer followed by",),
       used_by=("awslabs.sim.deepar_format.validate_hyperparameters", "deepar_format.on_frequency_grid"),
       status="fixed"),
    _f("deepar.required_hyperparameters", ("time_freq", "context_length", "prediction_length", "epochs"),
       "DeepAR requires time_freq, context_length, prediction_length and epochs",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/deepar_hyperparameters.html",
       ("deepar-forecasting",), ("time_freq", "context_length", "prediction_length", "epochs"),
       used_by=("awslabs.sim.deepar_format.REQUIRED_HYPERPARAMETERS",)),
    # -- the exam -------------------------------------------------------------------------------------
    _f("exam.mls_c01_retired", "2026-03-31",
       "The AWS Certified Machine Learning - Specialty exam (MLS-C01) was retired on 2026-03-31; the "
       "current ML exam is AWS Certified Machine Learning Engineer - Associate (MLA-C01)",
       "https://aws.amazon.com/certification/certified-machine-learning-specialty/", ("kinesis-data-analytics",),
       ("2026-03-31",),
       status="not confirmed",
       changed="AWS's certification page is not in the stored docs; third-party pages (2026) give the date",
       more=("https://docs.aws.amazon.com/aws-certification/latest/machine-learning-specialty-01/machine-learning-specialty-01.html",)),
    # -- sagemaker-pipelines -----------------------------------------------------------------------
    _f("pipelines.cache_key_processing", ("AppSpecification", "Environment", "ProcessingInputs"),
       "A cached processing step is reused only when its AppSpecification, Environment and ProcessingInputs "
       "are unchanged (training: AlgorithmSpecification, CheckpointConfig, DebugHookConfig, "
       "DebugRuleConfigurations, Environment, HyperParameters, InputDataConfig)",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-default-keys.html", ("sagemaker-pipelines",),
       ("AppSpecification, Environment, ProcessingInputs",), used_by=("awslabs.local.pipelines.CACHE_KEYS",),
       read="2026-12-06"),
    _f("pipelines.cache_expire_after", "ISO 8601 duration",
       "CacheConfig's ExpireAfter is an ISO 8601 duration; only a previous successful run within it is reused",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/pipelines-caching-enabling.html", ("sagemaker-pipelines",),
       ("ISO 8601 duration",), used_by=("awslabs.local.pipelines.parse_duration",), read="2026-12-06"),
    _f("sagemaker.model_approval_statuses", ("PendingManualApproval", "Approved", "Rejected"),
       "A model package version's ModelApprovalStatus is PendingManualApproval, Approved or Rejected",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ModelPackageSummary.html",
       ("sagemaker-pipelines",), ("`PendingManualApproval`, `Approved` or `Rejected`",), read="2026-12-06"),

    # -- feature-store --
    _f("featurestore.offline_layout",
       "<S3Uri>/<account>/sagemaker/<region>/offline-store/<group>-<creation time>/data/year=/month=/day=/hour=/",
       "The offline store (Glue table format) writes Parquet under <S3Uri>/<account-id>/sagemaker/<region>/"
       "offline-store/<feature-group>-<creation-time>/data/, in hourly partitions year=/month=/day=/hour= of the "
       "record's event time; the partitioning is not configurable",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-offline.html", ("feature-store",),
       ("/sagemaker/<region>/offline-store/", "year=/month=/day=/hour="),
       used_by=("awslabs.local.feature_store.LocalFeatureStore.create_feature_group",
                "LocalFeatureStore.flush_offline_store")),
    _f("featurestore.offline_delay_minutes", 15,
       "PutRecord data is buffered, batched and written to the offline store in S3 within 15 minutes",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-offline.html", ("feature-store",),
       ("within 15 minutes",), used_by=("feature-store steps.apply_offline_store",)),
    _f("featurestore.offline_columns", ("write_time", "api_invocation_time", "is_deleted"),
       "Feature Store adds write_time, api_invocation_time and is_deleted to every record in the offline store",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/feature-store-offline.html", ("feature-store",),
       ("write_time", "api_invocation_time", "is_deleted"),
       used_by=("awslabs.local.feature_store.OFFLINE_COLUMNS",)),
    _f("featurestore.event_time_formats", ("yyyy-MM-dd'T'HH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss.SSSZ"),
       "An event time feature is String (ISO-8601 yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ) or "
       "Fractional (Unix seconds)",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateFeatureGroup.html", ("feature-store",),
       ("yyyy-MM-dd'T'HH:mm:ssZ",), used_by=("awslabs.local.feature_store.parse_event_time",)),
    _f("featurestore.online_latest_event_time", "greater EventTime",
       "PutRecord writes a record to the online and offline stores when its EventTime is greater than the "
       "stored one; otherwise it is a historic record and goes to the offline store only",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_feature_store_PutRecord.html",
       ("feature-store",), ("historic record",), used_by=("awslabs.local.feature_store.LocalFeatureStore.put_record",)),
    _f("featurestore.ttl", "ExpiresAt = EventTime + TtlDuration",
       "An online record expires at ExpiresAt = EventTime + TtlDuration; a record-level TtlDuration (PutRecord) "
       "supersedes the feature group's",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_feature_store_PutRecord.html",
       ("feature-store",), ("ExpiresAt = EventTime + TtlDuration",),
       used_by=("awslabs.local.feature_store.LocalFeatureStore.put_record", "LocalFeatureStore.get_record")),

    # -- endpoint-deployment ------------------------------------------------------------------------
    _f("sagemaker.serverless_memory_mb", (1024, 2048, 3072, 4096, 5120, 6144),
       "Serverless endpoints take MemorySizeInMB in 1 GB steps: 1024, 2048, 3072, 4096, 5120 or 6144 MB",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html",
       ("endpoint-deployment",), ("1024, 2048, 3072, 4096, 5120 or 6144 MB",),
       used_by=("awslabs.sim.inference_options.problems",)),
    _f("sagemaker.serverless_max_concurrency", 200,
       "A serverless endpoint's MaxConcurrency is 1 to 200 concurrent invocations (more are throttled); "
       "ProvisionedConcurrency, at most MaxConcurrency, keeps instances warm against cold starts",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html",
       ("endpoint-deployment",), ("MaxConcurrency 1–200",),
       used_by=("awslabs.sim.inference_options.problems", "inference_options.recommend")),
    _f("sagemaker.serverless_payload_mb", 4,
       "Serverless invocations carry at most 4 MB of request and response payload",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html",
       ("endpoint-deployment",), ("4 MB",), used_by=("awslabs.sim.inference_options.recommend",)),
    _f("sagemaker.serverless_timeout_s", 60,
       "A serverless endpoint's container must answer /invocations within 1 minute",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-invoke.html",
       ("endpoint-deployment",), ("within 1 minute",), used_by=("awslabs.sim.inference_options.recommend",)),
    _f("sagemaker.realtime_payload_mb", 6,
       "A real-time InvokeEndpoint request carries at most 6 MB and must be answered within 60 seconds",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html",
       ("endpoint-deployment",), ("6 MB",), used_by=("awslabs.sim.inference_options.recommend",),
       status="not confirmed",
       changed="the stored docs showed the 60-second timeout (InvokeEndpoint reference) but not the 6 MB limit"),
    _f("sagemaker.realtime_timeout_s", 60,
       "A real-time endpoint must answer InvokeEndpoint within 60 seconds",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html",
       ("endpoint-deployment",), ("60 seconds",), used_by=("awslabs.sim.inference_options.recommend",),
       more=("https://docs.aws.amazon.com/goto/SdkForKotlin/runtime.sagemaker-2017-05-13/InvokeEndpoint",)),
    _f("sagemaker.async_payload_mb", 1024,
       "Asynchronous inference takes payloads up to 1 GB and processing up to one hour, and can "
       "scale the instance count to zero when no request is queued",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html",
       ("endpoint-deployment",), ("up to 1 GB",), used_by=("awslabs.sim.inference_options.recommend",)),
    _f("sagemaker.async_timeout_s", 3600,
       "An asynchronous request may run up to one hour (InvocationTimeoutSeconds at most 3600; 15 minutes by default)",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-invoke-endpoint.html",
       ("endpoint-deployment",), ("one hour",), used_by=("awslabs.sim.inference_options.recommend",)),
    _f("sagemaker.canary_max_percent", 50,
       "A canary may be at most 50 % of the green fleet's capacity",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green-canary.html",
       ("endpoint-deployment",), ("at most 50 %",), used_by=("awslabs.sim.deployment_guardrails.validate",)),
    _f("sagemaker.linear_step_percent", (10, 50),
       "Each linear traffic-shifting step is 10-50 % of the green fleet's capacity, each followed by a baking period",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green-linear.html",
       ("endpoint-deployment",), ("10–50 %",), used_by=("awslabs.sim.deployment_guardrails.validate",)),
    _f("sagemaker.bluegreen_wait_max_s", 3600,
       "WaitIntervalInSeconds, the baking period after each traffic step, is 0-3600 seconds",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html",
       ("endpoint-deployment",), ("0–3600 s",), used_by=("awslabs.sim.deployment_guardrails.validate",),
       status="not confirmed", changed="the API reference page was not among the stored docs"),
    _f("sagemaker.auto_rollback", "any alarm in ALARM during a baking period",
       "If any alarm named in AutoRollbackConfiguration trips during a baking period, 100 % of the traffic "
       "rolls back to the blue fleet; without alarms there is no auto-rollback",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html",
       ("endpoint-deployment",), ("rolls back to the blue fleet",),
       used_by=("awslabs.sim.deployment_guardrails.simulate",),
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-blue-green.html",)),
    _f("sagemaker.shadow_variants", 1,
       "A shadow test has one production variant, which answers 100 % of requests, and at most one "
       "shadow variant, which receives a sampled copy of them and returns nothing to callers",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/shadow-tests-create.html",
       ("endpoint-deployment",), ("at most one shadow variant",),
       used_by=("awslabs.sim.deployment_guardrails.shadow_split",)),
    _f("sagemaker.shadow_weight_sampling", "shadow weight / production weight",
       "In an endpoint config with ShadowProductionVariants, the shadow variant's InitialVariantWeight "
       "relative to the production variant's sets the share of requests copied to it",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html",
       ("endpoint-deployment",), ("relative to the production variant's",),
       used_by=("awslabs.sim.deployment_guardrails.shadow_sampling",), status="not confirmed",
       changed="the stored docs define the sampling percentage for shadow tests (ShadowModelVariantConfig) "
               "but not how CreateEndpointConfig weights map to it"),


    # -- model-registry --
    _f("model_registry.versions_from_1", 1,
       "Model package versions in a group are numbered by the registry: the first is 1 and each new "
       "version increments it",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-models.html", ("model-registry",),
       ("starts at 1",), used_by=("labs/model-registry check_register_versions",)),
    _f("model_registry.approved_to_deploy", "Approved",
       "For a versioned model package, ModelApprovalStatus must be Approved to deploy the model "
       "(valid values: Approved, Rejected, PendingManualApproval)",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModelPackage.html", ("model-registry",),
       ("must be `Approved` to deploy",), used_by=("labs/model-registry event_pattern",),
       more=("https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ModelPackageSummary.html",)),
    _f("model_registry.default_status", "PendingManualApproval",
       "A version registered without a ModelApprovalStatus is PendingManualApproval",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-approve.html", ("model-registry",),
       ("defaults to `PendingManualApproval`",),
       used_by=("awslabs.local.events.model_package_event", "labs/model-registry DEFAULT_STATUS"),
       status="not confirmed",
       changed="the stored API reference says the status is optional for versioned models but not what it defaults to"),
    _f("eventbridge.exact_case_sensitive_match", True,
       "EventBridge matches event pattern values exactly and case-sensitively (equals-ignore-case is the "
       "explicit exception); every field the pattern names must be in the event",
       "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html", ("model-registry",),
       ("case-sensitive",), used_by=("awslabs.local.events.matches",),
       more=("https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html",
             "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html")),
    _f("eventbridge.model_package_event", "SageMaker Model Package State Change",
       "SageMaker sends a \"SageMaker Model Package State Change\" event (source aws.sagemaker) to EventBridge "
       "when a model package changes state, and may send more than one event per change",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html",
       ("model-registry",), ("SageMaker Model Package State Change", "more than one event"),
       used_by=("awslabs.local.events.MODEL_PACKAGE_STATE_CHANGE",)),

    # -- cloudwatch-monitoring (issue 13, second pass) ------------------------------------------------
    _f("cloudwatch.alarm_evaluation_range", {"max": 604_800, "period_under_1h": 86_400},
       "Period x EvaluationPeriods, an alarm's total evaluation period, is at most 7 days (604,800 s); "
       "for an alarm whose period is under one hour it is at most 1 day (86,400 s)",
       "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
       ("cloudwatch-monitoring",), ("at most 7 days", "under one hour, at most 1 day"),
       stale=("cannot exceed one day",),
       used_by=("awslabs.sim.alarms.AlarmConfig.__post_init__",), status="changed",
       changed="AWS raised it from one day for every alarm to seven days for periods of one hour or "
               "longer (the stored docs do not date the change); the simulator refused a 2-day hourly alarm",
       more=("https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cloudwatch/aws.sdk.kotlin.services.cloudwatch.model/-put-metric-alarm-request/period.html",)),
    _f("cloudwatch.alarm_high_resolution_periods", (10, 20, 30),
       "An alarm's Period is 10, 20, 30 or a multiple of 60 seconds; 10, 20 or 30 makes it a "
       "high-resolution alarm (higher charge), meaningful only for metrics stored with StorageResolution=1",
       "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
       ("cloudwatch-monitoring",), ("10, 20 or 30 s",), used_by=("awslabs.sim.alarms.AlarmConfig.__post_init__",)),
    _f("cloudwatch.default_treat_missing_data", "missing",
       "TreatMissingData defaults to missing when omitted",
       "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
       ("cloudwatch-monitoring",), ("`missing` (default)",), used_by=("awslabs.sim.alarms.AlarmConfig",)),
    _f("cloudwatch.always_ignore_missing_namespace", "AWS/DynamoDB",
       "Alarms on metrics in the AWS/DynamoDB namespace always ignore missing data, whatever TreatMissingData says",
       "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
       ("cloudwatch-monitoring",), ("DynamoDB-namespace alarms always ignore",),
       used_by=("awslabs.sim.alarms.AlarmConfig.effective_treatment",)),
    _f("cloudwatch.metric_retention", {"under_60s": "3 hours", "60": "15 days", "300": "63 days", "3600": "455 days"},
       "CloudWatch keeps sub-minute datapoints 3 hours, 1-minute 15 days, 5-minute 63 days and 1-hour "
       "455 days (15 months), aggregating older data to the longer periods",
       "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html",
       ("cloudwatch-monitoring",), ("15 months",)),
    _f("logs.retention_days", (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                               2192, 2557, 2922, 3288, 3653),
       "A log group's retention is one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, "
       "1096, 1827, 2192, 2557, 2922, 3288 or 3653 days (1 day to 10 years), or never expire "
       "(DeleteRetentionPolicy); an account-level retention policy (PutAccountPolicy) overrides it",
       "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
       ("cloudwatch-monitoring",), ("1 day to 10 years", "account-level retention policy"),
       used_by=("cloudwatch-monitoring steps (retentionInDays=7)",), status="changed",
       changed="account-level retention policies (PutAccountPolicy) now override a log group's own retention"),
    # -- cloudtrail-audit --------------------------------------------------------------------------
    _f("cloudtrail.event_history_days", 90,
       "Event history (LookupEvents) shows the last 90 days of management events in a Region, free; a trail "
       "or a CloudTrail Lake event data store keeps them longer",
       "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html",
       ("cloudtrail-audit",), ("90 days of management events",),
       more=("https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/log-using-cloudtrail-rec-actions.html",)),
    _f("cloudtrail.default_event_types", "management only",
       "Trails log management events by default; data and Insights events are off by default and cost extra",
       "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html",
       ("cloudtrail-audit",), ("off by default",)),
    _f("cloudtrail.bucket_policy", ("s3:GetBucketAcl on the bucket",
                                    "s3:PutObject on [prefix/]AWSLogs/<account>/* with s3:x-amz-acl bucket-owner-full-control",
                                    "aws:SourceArn, when present, names the trail"),
       "The trail bucket's policy lets cloudtrail.amazonaws.com call s3:GetBucketAcl on the bucket and "
       "s3:PutObject on [prefix/]AWSLogs/<account-id>/* with s3:x-amz-acl = bucket-owner-full-control "
       "(aws:SourceArn naming the trail recommended); otherwise CreateTrail fails with "
       "InsufficientS3BucketPolicyException",
       "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
       ("cloudtrail-audit",), ("InsufficientS3BucketPolicyException",),
       used_by=("awslabs.sim.cloudtrail_policy.check", "cloudtrail_policy.required_policy"),
       status="not confirmed",
       changed="the AWS page was not returned on 2026-12-06; the exception is in the CreateTrail API "
               "reference (botocore), the statements only in third-party copies of AWS's policy"),
    # -- lake-formation ------------------------------------------------------------------------------
    _f("lakeformation.admin_implicit", ("DESCRIBE on all resources", "grant/revoke anything", "create databases"),
       "Data lake administrators have implicit DESCRIBE on the Data Catalog, data location permissions "
       "and can grant any permission (to themselves too), but no implicit data access such as SELECT",
       "https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html",
       ("lake-formation",), ("no implicit SELECT",), used_by=("awslabs.sim.lakeformation",)),
    _f("lakeformation.creator_implicit", ("database creator: all on the database", "table creator: all on the table"),
       "Database creators have all permissions on the databases they create (not on others' tables in them); "
       "table creators have all permissions on their tables",
       "https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html",
       ("lake-formation",), ("Database creators get all permissions on their databases",),
       used_by=("awslabs.sim.lakeformation",)),
    # -- hyperparameter-tuning / ground-truth-labeling ---------------------------------------------------
    _f("hpo.max_hyperparameters", 30,
       "A tuning job searches at most 30 hyperparameters across its integer, continuous and categorical ranges",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ParameterRanges.html",
       ("hyperparameter-tuning",), ("up to 30 hyperparameters",),
       used_by=("awslabs.sim.sagemaker_requests.validate_tuning_job",)),
    _f("hpo.max_runtime_s", (120, 15_768_000),
       "ResourceLimits.MaxRuntimeInSeconds of a tuning job is 120 s to 15,768,000 s (about 6 months)",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ResourceLimits.html",
       ("hyperparameter-tuning",), ("120 s – 6 months",),
       used_by=("awslabs.sim.sagemaker_requests.validate_shape (botocore model)",)),
    _f("hpo.job_name_max", 32, "A hyperparameter tuning job name is 1-32 characters",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateHyperParameterTuningJob.html",
       ("hyperparameter-tuning",), ("job name ≤ 32 chars",),
       used_by=("awslabs.sim.sagemaker_requests.validate_shape (botocore model)",)),
    _f("hpo.warm_start_parents", 5, "A warm-start tuning job names 1 to 5 parent tuning jobs",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HyperParameterTuningJobWarmStartConfig.html",
       used_by=("awslabs.sim.sagemaker_requests.validate_shape (botocore model)",)),
    _f("groundtruth.task_time_limit_s", {"min": 30, "image_text_max": 28_800},
       "A worker's TaskTimeLimitInSeconds is at least 30 s and, for image and text tasks, at most 8 hours (28,800 s)",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HumanTaskConfig.html",
       used_by=("awslabs.sim.sagemaker_requests.validate_labeling_job",)),
    _f("groundtruth.task_availability_s", {"public": 43_200, "private_or_vendor": 2_592_000},
       "TaskAvailabilityLifetimeInSeconds is at most 12 hours (43,200 s) for the Mechanical Turk workforce, "
       "30 days (2,592,000 s) for private and vendor workforces",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HumanTaskConfig.html",
       used_by=("awslabs.sim.sagemaker_requests.validate_labeling_job",)),
    # -- fsx-lustre ----------------------------------------------------------------------------------------
    _f("fsx.lustre_capacity_gib", {"ssd": (1200, 2400, 2400), "scratch_1": (1200, 2400, 3600),
                                   "hdd_step": {12: 6000, 40: 1800}},
       "FSx for Lustre SSD capacity (SCRATCH_2, PERSISTENT_1, PERSISTENT_2) is 1,200 GiB, 2,400 GiB or a "
       "multiple of 2,400 GiB; SCRATCH_1 steps by 3,600 GiB; PERSISTENT_1 HDD by 6,000 GiB (12 MB/s/TiB) "
       "or 1,800 GiB (40 MB/s/TiB)",
       "https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html",
       ("fsx-lustre",), ("1.2 TiB, 2.4 TiB, then 2.4 TiB steps",),
       used_by=("awslabs.sim.storage_io.valid_lustre_capacity", "storage_io.next_lustre_capacity")),
    _f("fsx.lustre_per_unit_mbps_tib", {"PERSISTENT_1/SSD": (50, 100, 200), "PERSISTENT_1/HDD": (12, 40),
                                        "PERSISTENT_2/SSD": (125, 250, 500, 1000)},
       "PerUnitStorageThroughput (MB/s per TiB): PERSISTENT_1 SSD 50/100/200, PERSISTENT_1 HDD 12/40, "
       "PERSISTENT_2 SSD 125/250/500/1000",
       "https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreConfiguration.html",
       ("fsx-lustre",), ("125, 250, 500 or 1000 MB/s/TiB", "50/100/200", "12/40"),
       used_by=("awslabs.sim.storage_io.LUSTRE_PER_UNIT",)),
    _f("ebs.prices_us_east_1", {"gp3": (0.08, 0.005, 0.04), "io2": (0.125, 0.065), "st1": 0.045, "sc1": 0.015},
       "us-east-1 EBS prices: gp3 $0.08/GB-month (+$0.005 per IOPS, $0.04 per MiB/s above the free baseline), "
       "io2 $0.125/GB-month + $0.065 per IOPS (first tier), st1 $0.045, sc1 $0.015",
       "https://aws.amazon.com/ebs/pricing/", (),
       used_by=("awslabs.sim.storage_io.EBS_TYPES", "storage_io.monthly_cost"), status="not confirmed",
       changed="the pricing page is not in the stored docs; the long-published list prices are kept"),
    # -- ec2-gpu-instances -------------------------------------------------------------------------------
    _f("gpu.accelerators", {"p3dn.24xlarge": ("NVIDIA V100", 8, 32, 100), "p4d.24xlarge": ("NVIDIA A100", 8, 40, 400),
                            "p5.48xlarge": ("NVIDIA H100", 8, 80, 3200)},
       "p3dn.24xlarge: 8 V100 32 GB, 100 Gbps; p4d.24xlarge: 8 A100 40 GB, 400 Gbps EFA; "
       "p5.48xlarge: 8 H100 80 GB, 3200 Gbps EFA",
       "https://aws.amazon.com/ec2/instance-types/p5/", ("ec2-gpu-instances",),
       ("32 GB V100s + 100 Gbps", "A100 + 400 Gbps EFA", "H100 + 3200 Gbps EFA"),
       used_by=("awslabs.sim.gpu_instances.TABLE",), status="not confirmed",
       changed="the EC2 instance-type pages are not in the stored docs; third-party tables of 2026 agree",
       more=("https://aws.amazon.com/ec2/instance-types/p4/",)),

    # -- infrastructure-as-code ---
    _f("cloudformation.update_requires", {
        "AWS::SageMaker::Model": {
            "ExecutionRoleArn": "Replacement", "PrimaryContainer": "Replacement", "Containers": "Replacement",
            "ModelName": "Replacement", "VpcConfig": "Replacement", "EnableNetworkIsolation": "Replacement",
            "InferenceExecutionConfig": "Replacement", "Tags": "No interruption"},
        "AWS::SageMaker::EndpointConfig": {
            "ProductionVariants": "Replacement", "EndpointConfigName": "Replacement", "KmsKeyId": "Replacement",
            "DataCaptureConfig": "Replacement", "AsyncInferenceConfig": "Replacement",
            "ShadowProductionVariants": "Replacement", "ExplainerConfig": "Replacement", "Tags": "No interruption"},
        "AWS::SageMaker::Endpoint": {
            "EndpointConfigName": "No interruption", "EndpointName": "Replacement", "DeploymentConfig": "No interruption",
            "RetainAllVariantProperties": "No interruption", "ExcludeRetainedVariantProperties": "No interruption",
            "RetainDeploymentConfig": "No interruption", "Tags": "No interruption"},
        "AWS::ApplicationAutoScaling::ScalableTarget": {
            "MinCapacity": "No interruption", "MaxCapacity": "No interruption", "RoleARN": "No interruption",
            "ScheduledActions": "No interruption", "SuspendedState": "No interruption",
            "ResourceId": "Replacement", "ScalableDimension": "Replacement", "ServiceNamespace": "Replacement"},
        "AWS::ApplicationAutoScaling::ScalingPolicy": {
            "PolicyName": "Replacement", "ScalingTargetId": "Replacement", "ResourceId": "Replacement",
            "ScalableDimension": "Replacement", "ServiceNamespace": "Replacement", "PolicyType": "No interruption",
            "TargetTrackingScalingPolicyConfiguration": "No interruption",
            "StepScalingPolicyConfiguration": "No interruption"},
        "AWS::S3::Bucket": {"BucketName": "Replacement", "BucketEncryption": "No interruption",
                            "VersioningConfiguration": "No interruption", "Tags": "No interruption",
                            "LifecycleConfiguration": "No interruption", "PublicAccessBlockConfiguration": "No interruption"},
        "AWS::IAM::Role": {"RoleName": "Replacement", "Path": "Replacement", "AssumeRolePolicyDocument": "No interruption",
                           "Policies": "No interruption", "ManagedPolicyArns": "No interruption",
                           "Description": "No interruption", "MaxSessionDuration": "No interruption",
                           "PermissionsBoundary": "No interruption", "Tags": "No interruption"},
    },
       "Each property of a resource type says what an update of it costs (\"Update requires\"): every property "
       "of AWS::SageMaker::EndpointConfig and AWS::SageMaker::Model requires Replacement (except Tags); "
       "AWS::SageMaker::Endpoint's EndpointConfigName, and a scalable target's MinCapacity and MaxCapacity, "
       "update with No interruption",
       "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-endpointconfig.html",
       ("infrastructure-as-code",),
       ("every property of `AWS::SageMaker::EndpointConfig` requires Replacement",
        "`EndpointConfigName` updates with No interruption"),
       used_by=("awslabs.sim.cloudformation.UPDATE_REQUIRES", "cloudformation.plan_changes"),
       status="not confirmed",
       changed="the stored documentation did not return the SageMaker, Application Auto Scaling, S3 and IAM "
               "resource pages' property tables; the values are the reference's as remembered by the lab's author "
               "(only AWS::SageMaker::Endpoint VariantProperty's 'No interruption' was read)",
       more=("https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-endpoint.html",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-model.html",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalabletarget.html",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalingpolicy.html",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html")),
    _f("cloudformation.replacement_rule", {("Always", "Static"): "True", ("Always", "Dynamic"): "Conditional",
                                            ("Never", "Static"): "False", ("Never", "Dynamic"): "False"},
       "A change set's Replacement is True when a changed property requires recreation (Always) and its value "
       "is known (Static), Conditional when it depends on another resource's change (Dynamic); the change with "
       "the most impact wins (Always, then Conditionally, then Never)",
       "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html",
       ("infrastructure-as-code",), ("`Always` and `Dynamic` gives `Conditional`",),
       used_by=("awslabs.sim.cloudformation.plan_changes",),
       more=("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets.html",)),
    _f("cloudformation.execute_deletes_other_change_sets", True,
       "When you execute a change set, CloudFormation deletes all other change sets associated with the stack",
       "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html",
       ("infrastructure-as-code",), ("deletes all other change sets",)),
    _f("cloudformation.deletion_policy_retain", "Retain",
       "DeletionPolicy: Retain keeps a resource (and its contents) when its stack is deleted; the stack still "
       "reaches DELETE_COMPLETE and the retained resource keeps costing until you delete it",
       "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html",
       ("infrastructure-as-code",), ("DeletionPolicy: Retain",)),
    _f("cloudformation.drift_statuses", ("IN_SYNC", "MODIFIED", "DELETED", "NOT_CHECKED"),
       "Drift detection compares only the properties the template sets explicitly and gives each resource a "
       "StackResourceDriftStatus of IN_SYNC, MODIFIED, DELETED or NOT_CHECKED, with PropertyDifferences "
       "(PropertyPath, ExpectedValue, ActualValue, DifferenceType ADD, REMOVE or NOT_EQUAL) for a modified one",
       "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDrift.html",
       ("infrastructure-as-code",), ("IN_SYNC", "MODIFIED", "NOT_EQUAL",
                                     "only the properties the template sets explicitly"),
       used_by=("awslabs.local.cloudformation.detect_drift",),
       more=("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_PropertyDifference.html")),
    _f("codepipeline.cloudformation_action_modes", ("CHANGE_SET_REPLACE", "CHANGE_SET_EXECUTE"),
       "A CodePipeline Deploy action with provider CloudFormation prepares a change set with ActionMode "
       "CHANGE_SET_REPLACE and applies it with CHANGE_SET_EXECUTE; a Manual approval action between them (a "
       "higher runOrder in the same stage) makes a person review it",
       "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-action-reference.html",
       ("infrastructure-as-code",), ("CHANGE_SET_REPLACE", "CHANGE_SET_EXECUTE"),
       more=("https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference.html",)),
    _f("codebuild.buildspec_version", "0.2",
       "A buildspec is YAML with version: 0.2 and the phases install, pre_build, build and post_build, each a "
       "list of commands; artifacts lists the files CodeBuild hands on",
       "https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html",
       ("infrastructure-as-code",), ("version: 0.2",)),
)

BY_ID: dict[str, Fact] = {fact.id: fact for fact in FACTS}


def fact(fact_id: str) -> Fact:
    return BY_ID[fact_id]


def value(fact_id: str) -> Any:
    return BY_ID[fact_id].value


def for_lab(lab_id: str) -> list[Fact]:
    """The facts a lab's guide states (``labs``), in registry order."""
    return [f for f in FACTS if lab_id in f.labs]


def sources_markdown(lab_id: str) -> str:
    """The "Sources" section ``awslabs show`` prints: each fact, its page and the day it was read."""
    facts = for_lab(lab_id)
    if not facts:
        return ""
    lines = ["## Sources", "", "The AWS facts this lab relies on, defined once in `awslabs.facts`:", ""]
    for f in facts:
        # source and date first: a narrow terminal crops the end of a line, never the citation
        status = "" if f.status == "confirmed" else f", {f.status}"
        note = f" ({f.changed})" if f.changed else ""
        lines.append(f"- `{f.id}` — as of {f.read}{status}: {f.url} — {f.statement}{note}")
    return "\n".join(lines) + "\n"
