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
    # -- model-monitor ---------------------------------------------------------------------------------
    _f("model_monitor.comparison_threshold", 0.1,
       "Model Monitor flags a baseline_drift_check violation when the distance between the baseline and the "
       "current distribution (the maximum absolute difference between their cumulative distribution functions, "
       "linf_simple) is above monitoring_config.distribution_constraints.comparison_threshold, 0.1 by default",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-constraints.html", ("model-monitor",),
       ("comparison_threshold", "0.1 by default", "maximum absolute difference between the cumulative distribution functions"),
       used_by=("awslabs.local.model_monitor.COMPARISON_THRESHOLD", "model_monitor.linf_simple", "model_monitor.evaluate"),
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-violations.html",)),
    _f("model_monitor.datatype_check_threshold", 0.1,
       "monitoring_config.datatype_check_threshold defaults to 0.1",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-constraints.html", ("model-monitor",),
       ("datatype_check_threshold",), used_by=("awslabs.local.model_monitor.suggest_constraints",)),
    _f("model_monitor.violation_types", ("data_type_check", "completeness_check", "baseline_drift_check",
                                         "missing_column_check", "extra_column_check", "categorical_values_check"),
       "constraint_violations.json lists violations of six types: data_type_check, completeness_check, "
       "baseline_drift_check, missing_column_check, extra_column_check, categorical_values_check",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-violations.html", ("model-monitor",),
       ("data_type_check", "completeness_check", "baseline_drift_check", "missing_column_check", "extra_column_check",
        "categorical_values_check"), used_by=("awslabs.local.model_monitor.evaluate",)),
    _f("model_monitor.data_metrics_namespace", "aws/sagemaker/Endpoints/data-metrics",
       "Data-quality monitoring of a real-time endpoint publishes per-feature metrics to the CloudWatch namespace "
       "aws/sagemaker/Endpoints/data-metrics with the dimensions Endpoint and MonitoringSchedule",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-cloudwatch.html", ("model-monitor",),
       ("aws/sagemaker/Endpoints/data-metrics",), used_by=("awslabs.local.model_monitor.run_data_quality",),
       status="not confirmed",
       changed="the AWS pages disagree on the spelling (/aws/sagemaker/Endpoints/data-metric with EndpointName and "
               "ScheduleName on one page, /aws/sagemaker/Endpoint/data-metrics on the BYOC page); the model-quality "
               "page's aws/sagemaker/Endpoints/model-metrics and the SDK's dashboards use this form",
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-byoc-cloudwatch.html",)),
    _f("model_monitor.drift_metric_prefix", "feature_baseline_drift_",
       "Model Monitor publishes each feature's drift distance as feature_baseline_drift_<feature name> (and its "
       "completeness as feature_non_null_<feature name>)",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-cloudwatch.html", ("model-monitor",),
       ("feature_baseline_drift_<feature name>", "feature_non_null_<feature name>"),
       used_by=("awslabs.local.model_monitor.run_data_quality",)),
    _f("model_monitor.model_metrics_namespace", "aws/sagemaker/Endpoints/model-metrics",
       "Model-quality monitoring of a real-time endpoint publishes its metrics (accuracy, auc, f1, ...) to "
       "aws/sagemaker/Endpoints/model-metrics",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-metrics.html", ("model-monitor",),
       ("aws/sagemaker/Endpoints/model-metrics",), used_by=("awslabs.local.model_monitor.run_model_quality",)),
    _f("model_monitor.ground_truth_merge", ("inferenceId", "eventId"),
       "Ground-truth records (groundTruthData, eventMetadata.eventId) are merged with captured records by the "
       "caller's inferenceId when the capture has one, otherwise by the eventId SageMaker generated",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-merge.html", ("model-monitor",),
       ("groundTruthData", "inferenceId", "eventId"), used_by=("awslabs.local.model_monitor.merge",)),
    _f("model_monitor.capture_path", "<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl",
       "Data capture writes JSON Lines files under <DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/ and "
       "samples InitialSamplingPercentage percent of the requests",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture-endpoint.html", ("model-monitor",),
       ("InitialSamplingPercentage", "/yyyy/mm/dd/hh/"),
       used_by=("awslabs.local.sagemaker_hosting.DataCapture",), status="not confirmed",
       changed="the stored documentation showed the record format (model-monitor-data-capture.html) but not this "
               "page's path sentence; the layout is the one SageMaker writes in the AWS sample notebooks"),
    _f("cloudwatch.alarm_state_change_event", "CloudWatch Alarm State Change",
       "CloudWatch sends an event with source aws.cloudwatch and detail-type CloudWatch Alarm State Change to "
       "EventBridge whenever an alarm changes state; detail.state.value is the new state",
       "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html",
       ("model-monitor",), ("CloudWatch Alarm State Change",),
       used_by=("awslabs.local.events.alarm_state_change_event",)),

    # -- issue 13: exam notes of the remaining labs (glue-etl, step-functions-pipeline, msk-kafka,
    #    kinesis-video-streams) ----------------------------------------------------------------------
    _f("glue.pythonshell_dpu", (0.0625, 1),
       "A Python shell job gets 0.0625 or 1 DPU (MaxCapacity), 0.0625 by default",
       "https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-job.html",
       ("glue-etl",), ("0.0625 or 1 DPU (0.0625 by\n  default)",),
       more=("https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html",)),
    _f("glue.ray_closed", "no longer open to new customers",
       "AWS Glue for Ray is no longer open to new customers; existing customers can keep using it",
       "https://docs.aws.amazon.com/glue/latest/dg/ray-jobs-section.html",
       ("glue-etl",), ("no longer open to new customers",),
       stale=("**Ray** for distributed\nPython.",), status="changed",
       changed="AWS closed Glue for Ray to new customers (the date is not on the stored page)",
       more=("https://docs.aws.amazon.com/glue/latest/dg/awsglue-ray-jobs-availability-change.html",)),
    _f("stepfunctions.execution_guarantees",
       {"STANDARD": "exactly-once", "EXPRESS async": "at-least-once", "EXPRESS sync": "at-most-once"},
       "Standard workflows run exactly once; asynchronous Express workflows at least once, synchronous "
       "Express workflows at most once; Standard execution history is kept 90 days",
       "https://docs.aws.amazon.com/step-functions/latest/dg/express-at-least-once-execution.html",
       ("step-functions-pipeline",), ("asynchronous Express runs at-least-once", "synchronous Express at-most-once",
                                      "(kept 90 days)"),
       status="fixed", changed="the guide said Express is at-least-once without the synchronous case"),
    _f("stepfunctions.express_patterns", "request-response only",
       "Express workflows support only the request-response integration pattern; .sync (run a job) and "
       ".waitForTaskToken (callback) need a Standard workflow",
       "https://docs.aws.amazon.com/step-functions/latest/dg/connect-supported-services.html",
       ("step-functions-pipeline",), ("Express workflows support only request-response integrations",),
       status="fixed", changed="the guide did not say so"),
    _f("kinesisvideo.retention_hours", (0, 87600),
       "A Kinesis video stream keeps data 0 hours (no storage: consumers read the 5-minute service "
       "buffer) up to 87,600 hours (ten years); a non-zero retention is at least 1 hour",
       "https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_UpdateDataRetention.html",
       ("kinesis-video-streams",), ("87,600 hours (10 years)",),
       more=("https://docs.aws.amazon.com/kinesisvideostreams/latest/dg/API_CreateStream.html",)),
    _f("msk.serverless_max_message_mib", 8,
       "An MSK Serverless cluster takes messages up to 8 MiB",
       "https://docs.aws.amazon.com/msk/latest/developerguide/limits.html",
       ("msk-kafka",), ("caps a message at\n  8 MiB",), stale=("over 1 MiB (configurable; 8 MB on Serverless)",),
       status="not confirmed",
       changed="the stored quota page did not show the serverless figure; the guide also no longer says "
               "MSK is the choice for messages over 1 MiB, since Kinesis records go up to 10 MiB (2025)"),
    _f("firehose.s3_buffering", {"size_mib": (1, 128, 5), "interval_s": (0, 900, 300)},
       "Firehose buffers 1–128 MiB (default 5) or 0–900 s (default 300) before it delivers to S3, "
       "whichever comes first; set both hints or neither",
       "https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html",
       ("kinesis-firehose",), ("1–128 MiB or 0–900 s", "defaults 5 MiB / 300 s"),
       used_by=("awslabs.local.firehose.DEFAULT_BUFFER_MIB", "awslabs.local.firehose.DEFAULT_BUFFER_SECONDS"),
       more=("https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html",)),
    _f("efs.storage_classes", ("Standard", "Infrequent Access", "Archive"),
       "EFS lifecycle management moves files not accessed for a number of days from Standard to "
       "Infrequent Access (TransitionToIA) or Archive (TransitionToArchive), and back to Standard on "
       "access when TransitionToPrimaryStorageClass says so",
       "https://docs.aws.amazon.com/efs/latest/ug/API_LifecyclePolicy.html",
       ("efs-training-data",), ("Infrequent Access or, since 2023, Archive storage",),
       status="fixed", changed="the guide named IA only; Archive came in 2023 (the year is not on the API page)",
       more=("https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html",)),
    _f("emr.primary_node", "primary",
       "EMR's documentation calls the coordinating node the primary node (the API's InstanceRoleType is "
       "still MASTER); a cluster has one primary node, or three for high availability",
       "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-master-core-task-nodes.html",
       ("emr-spark",), ("one, or three for\n  high availability",),
       stale=("- Node types: master (coordination)",), status="changed",
       changed="AWS renamed the master node to primary node in the EMR documentation (year not on the page)",
       more=("https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-ha.html",)),
    _f("sagemaker.failure_reason_max_chars", 1024,
       "DescribeTrainingJob's FailureReason holds at most 1,024 characters of what the job wrote to "
       "/opt/ml/output/failure",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html",
       ("sagemaker-training",), ("(at most 1,024 characters)",),
       used_by=("awslabs.local.sagemaker_runner.FAILURE_REASON_LIMIT",)),
    # -- ml-cost ---------------------------------------------------------------------------------------
    _f("budgets.threshold_percentage", 80,
       "A budget notification's Threshold is a percentage of the budgeted amount unless ThresholdType is "
       "ABSOLUTE_VALUE: on a $200 budget, ACTUAL / GREATER_THAN / PERCENTAGE / 80 alerts once more than $160 "
       "is spent (80, not 0.8)",
       "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Notification.html",
       ("ml-cost",), ("80, not 0.8", "more than $160"),
       used_by=("awslabs.sim.ml_cost.notification_amount",)),
    _f("budgets.notification_types", ("ACTUAL", "FORECASTED"),
       "NotificationType ACTUAL compares what you have spent, FORECASTED what you are forecast to spend in the period",
       "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Notification.html",
       ("ml-cost",), ("ACTUAL compares what you have spent", "FORECASTED what you are forecast to spend"),
       used_by=("awslabs.sim.ml_cost.firing_days",)),
    _f("budgets.tag_cost_filter", "user:<key>$<value>",
       "A cost budget filtered on a cost allocation tag uses CostFilters {\"TagKeyValue\": [\"user:project$churn-model\"]}",
       "https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html",
       ("ml-cost",), ("user:project$churn-model",), status="not confirmed",
       changed="the API reference lists Tag among the CostFilters but the stored pages do not spell out the "
               "TagKeyValue \"user:<key>$<value>\" syntax; it is the form the console and CLI examples use"),
    _f("costexplorer.tag_activation_delay_h", 24,
       "A user-defined tag key can take up to 24 hours to appear for activation as a cost allocation tag; only "
       "activated tags can filter budgets and Cost Explorer",
       "https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html",
       ("ml-cost",), ("up to 24 hours",), status="not confirmed",
       changed="the AWS page was not in the stored docs; the figure is read from the Terraform/Pulumi "
               "CostAllocationTag documentation, which quotes it"),
    _f("sagemaker.spot_max_wait_rule", "MaxWaitTimeInSeconds >= MaxRuntimeInSeconds",
       "A managed Spot training job's MaxWaitTimeInSeconds (waiting for Spot capacity plus running) must be equal to "
       "or greater than MaxRuntimeInSeconds",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html",
       ("ml-cost",), ("MaxWaitTimeInSeconds ≥ MaxRuntimeInSeconds",),
       used_by=("awslabs.sim.ml_cost.spot_wait_problems",)),
    _f("sagemaker.spot_savings_formula", "(1 - BillableTimeInSeconds / TrainingTimeInSeconds) * 100",
       "Managed Spot training savings = (1 − BillableTimeInSeconds / TrainingTimeInSeconds) × 100; e.g. 100 billable "
       "of 500 training seconds is 80 %",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeTrainingJob.html",
       ("ml-cost",), ("(1 − BillableTimeInSeconds / TrainingTimeInSeconds) × 100",),
       used_by=("awslabs.sim.ml_cost.spot_savings_percent", "awslabs.local.spot_training.run")),
    _f("sagemaker.checkpoint_local_path", "/opt/ml/checkpoints",
       "CheckpointConfig.LocalPath defaults to /opt/ml/checkpoints; SageMaker copies what the script writes there "
       "to CheckpointConfig.S3Uri and copies it back when a Spot job resumes",
       "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CheckpointConfig.html",
       ("ml-cost",), ("/opt/ml/checkpoints",),
       used_by=("awslabs.sim.ml_cost.CHECKPOINT_LOCAL_PATH", "awslabs.local.spot_training.run"),
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/model-checkpoints.html",)),
    _f("sagemaker.hosting_prices_us_east_1", {"ml.c5.large": 0.102, "ml.m5.large": 0.115, "ml.c5.xlarge": 0.204,
                                              "ml.m5.xlarge": 0.23, "ml.g4dn.xlarge": 0.736},
       "us-east-1 On-Demand real-time and asynchronous inference, per instance-hour: ml.c5.large $0.102, "
       "ml.m5.large $0.115, ml.c5.xlarge $0.204, ml.m5.xlarge $0.23, ml.g4dn.xlarge $0.736",
       "https://aws.amazon.com/sagemaker/pricing/", ("ml-cost",), ("$0.115", "$0.204"),
       used_by=("awslabs.sim.ml_cost.HOSTING_PRICES", "ml_cost.monthly_prices", "ml_cost.cheapest_fleet"),
       status="not confirmed",
       changed="the SageMaker pricing page is not in the stored docs; the long-published list prices are kept "
               "(third-party 2025-2026 articles quote $0.115 for ml.m5.large)"),
    _f("sagemaker.serverless_price_per_gb_s_us_east_1", 0.00002,
       "us-east-1 on-demand serverless inference compute: $0.0000200 per second at 1024 MB, proportional to the "
       "memory size (i.e. $0.00002 per GB-second), plus $0.016 per GB of data processed",
       "https://aws.amazon.com/sagemaker/pricing/", ("ml-cost",), ("$0.0000200 per second at 1024 MB",),
       used_by=("awslabs.sim.ml_cost.SERVERLESS_PRICE_PER_GB_S", "ml_cost.monthly_prices"),
       status="not confirmed",
       changed="the SageMaker pricing page is not in the stored docs; the long-published list price is kept"),
    # -- clarify-bias ---
    _f("clarify.pre_training_formulas",
       {"CI": "(na - nd)/(na + nd)", "DPL": "qa - qd", "KL": "sum_y Pa(y) log(Pa(y)/Pd(y))",
        "JS": "1/2 [KL(Pa || P) + KL(Pd || P)], P = 1/2 (Pa + Pd)", "LP": "sqrt(sum_y (Pa(y) - Pd(y))^2)",
        "TVD": "1/2 sum_y |Pa(y) - Pd(y)|", "KS": "max_y |Pa(y) - Pd(y)|"},
       "Pre-training bias metrics compare facet a (the rest) with facet d (the sensitive value): "
       "CI = (na - nd)/(na + nd); DPL = qa - qd with qa = na(1)/na; KL, JS, LP, TVD and KS compare the "
       "label distributions Pa(y) and Pd(y)",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-measure-data-bias.html", ("clarify-bias",),
       ("CI = (na - nd)/(na + nd)", "DPL = qa - qd", "KL = Σ Pa(y) log(Pa(y)/Pd(y))",
        "JS = ½ [KL(Pa || P) + KL(Pd || P)]", "KS = max |Pa(y) - Pd(y)|"),
       used_by=("awslabs.local.clarify.pre_training_metrics",),
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-bias-metric-class-imbalance.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-data-bias-metric-true-label-imbalance.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-data-bias-metric-kl-divergence.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-data-bias-metric-jensen-shannon-divergence.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-data-bias-metric-kolmogorov-smirnov.html")),
    _f("clarify.post_training_formulas",
       {"DPPL": "q'a - q'd", "DI": "q'd/q'a", "AD": "ACCa - ACCd",
        "RD": "TPa/(TPa + FNa) - TPd/(TPd + FNd)", "TE": "FNd/FPd - FNa/FPa"},
       "Post-training bias metrics use the model's predicted labels y': DPPL = q'a - q'd, DI = q'd/q'a, "
       "AD = ACCa - ACCd, RD = TPa/(TPa + FNa) - TPd/(TPd + FNd), TE = FNd/FPd - FNa/FPa",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-measure-post-training-bias.html", ("clarify-bias",),
       ("DPPL = q'a - q'd", "DI = q'd/q'a", "AD = ACCa - ACCd", "RD = TPa/(TPa + FNa) - TPd/(TPd + FNd)",
        "TE = FNd/FPd - FNa/FPa"),
       used_by=("awslabs.local.clarify.post_training_metrics",),
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-post-training-bias-metric-dppl.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-post-training-bias-metric-di.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-post-training-bias-metric-ad.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-post-training-bias-metric-rd.html",
             "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-post-training-bias-metric-te.html")),
    _f("clarify.metric_codes",
       {"pre_training": ("CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "CDDL"),
        "post_training": ("DPPL", "DI", "DCAcc", "DCR", "SD", "RD", "DAR", "DRR", "AD", "CDDPL", "TE", "FT", "GE")},
       "The metric codes the analysis configuration accepts: pre-training CI, DPL, KL, JS, LP, TVD, KS, CDDL; "
       "post-training DPPL, DI, DCAcc, DCR, SD, RD, DAR, DRR, AD, CDDPL, TE, FT, GE (or \"all\")",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-configure-analysis.html",
       ("clarify-bias",), ("CI, DPL, KL, JS, LP, TVD, KS, CDDL", "DPPL, DI, DCAcc, DCR, SD, RD, DAR, DRR, AD, CDDPL, TE, FT, GE"),
       used_by=("awslabs.sim.clarify_config.PRE_TRAINING_METRICS", "awslabs.sim.clarify_config.POST_TRAINING_METRICS")),
    _f("clarify.processing_contract",
       {"config_input": "analysis_config", "dataset_input": "dataset", "output": "analysis_result",
        "config_path": "/opt/ml/processing/input/config", "dataset_path": "/opt/ml/processing/input/data",
        "output_path": "/opt/ml/processing/output"},
       "A Clarify processing job reads its configuration from the input named analysis_config and the data "
       "from the input named dataset, and writes analysis.json to the output named analysis_result",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-configure-parameters.html",
       ("clarify-bias",), ("analysis_config", "analysis_result", "/opt/ml/processing/input/config"),
       used_by=("awslabs.sim.clarify_config.processing_job_problems", "awslabs.local.clarify.run_processing_job"),
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-analysis-results.html",)),
    _f("clarify.shap_baseline",
       "K-means",
       "Kernel SHAP explains a prediction against a baseline: a missing feature takes the baseline's value; "
       "without a baseline Clarify computes one by K-means (K-prototypes) clustering of the dataset",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-feature-attribute-shap-baselines.html",
       ("clarify-bias",), ("K-means",), used_by=("awslabs.local.clarify.exact_shap",)),
    _f("clarify.image_registry",
       {"us-east-1": "205585389593", "us-east-2": "211330385671", "us-west-2": "306415355426",
        "eu-west-1": "131013547314", "eu-central-1": "017069133835"},
       "The prebuilt Clarify image is <account>.dkr.ecr.<region>.amazonaws.com/sagemaker-clarify-processing:1.0 "
       "(us-east-1: 205585389593)",
       "https://github.com/aws/sagemaker-python-sdk/blob/master/src/sagemaker/image_uri_config/clarify.json",
       ("clarify-bias",), ("205585389593",), used_by=("awslabs.sim.clarify_config.image_uri",),
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-configure-container.html",)),
    _f("clarify.availability", "2026-06-30",
       "SageMaker Clarify is closed to new customers from 30 June 2026; existing customers keep using it",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-bias-metric-class-imbalance.html",
       ("clarify-bias",), ("closed to new customers",), status="changed",
       changed="AWS closed Clarify to new customers on 2026-06-30 (no new features; existing customers "
               "keep it); Model Monitor's bias-drift and feature-attribution monitors use Clarify",
       more=("https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-run.html",)),
    # -- ml-security ---------------------------------------------------------------------------------
    _f("kms.min_pending_window_days", 7,
       "ScheduleKeyDeletion waits 7 to 30 days (30 when not given) before KMS deletes a key; until then "
       "the key is PendingDeletion and unusable, and CancelKeyDeletion can still save it",
       "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html", ("ml-security",),
       ("7 to 30 days",), used_by=("awslabs.resources.kms.PENDING_WINDOW_DAYS",),
       more=("https://docs.aws.amazon.com/kms/latest/cryptographic-details/key-deletion.html",)),
    _f("kms.default_key_policy", "arn:aws:iam::<account>:root may kms:*",
       "The default key policy (CreateKey without a Policy) has one statement: the account (its root "
       "principal) may do kms:* on the key, which enables IAM policies; no principal may use a key unless "
       "the key policy allows it, directly or through that statement",
       "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html", ("ml-security",),
       ("enables IAM policies",), used_by=("awslabs.judge.access_allowed", "awslabs.sim.ml_security")),
    _f("kms.via_service", "kms:ViaService",
       "kms:ViaService limits the use of a key to requests that an AWS service (such as "
       "s3.<region>.amazonaws.com) makes on the principal's behalf",
       "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
       ("ml-security",), ("kms:ViaService",), used_by=("awslabs.sim.ml_security.kms_requests",),
       status="not confirmed",
       changed="the stored documentation did not show the conditions-kms page; the key is named in AWS's "
               "key-policy examples (key-policy-default.html)"),
    _f("s3.secure_transport", "false",
       "aws:SecureTransport is false when a request was sent over plain HTTP; a bucket policy forces TLS "
       "with a Deny on s3:* for the bucket and its objects when \"aws:SecureTransport\": \"false\"",
       "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport",
       ("ml-security",), ('"aws:SecureTransport": "false"',), used_by=("awslabs.sim.ml_security.bucket_requests",),
       more=("https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule",)),
    _f("s3.sse_kms_header", {"key": "s3:x-amz-server-side-encryption", "value": "aws:kms"},
       "An upload that asks for SSE-KMS carries x-amz-server-side-encryption: aws:kms, seen by bucket "
       "policies as the condition key s3:x-amz-server-side-encryption; a Deny when it is missing (Null) "
       "or not aws:kms (StringNotEquals) refuses other uploads",
       "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html", ("ml-security",),
       ("s3:x-amz-server-side-encryption",), used_by=("awslabs.sim.ml_security.bucket_requests",),
       more=("https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_s3.html",)),
    _f("s3.policy_before_default_encryption", "bucket policy first",
       "S3 evaluates the bucket policy before it applies the bucket's default encryption: with SSE-KMS as the "
       "default an upload without the header is stored encrypted, but a policy that denies uploads without "
       "the header still refuses it",
       "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html", ("ml-security",),
       ("evaluated before default encryption",), used_by=("labs/ml-security/README.md",),
       status="not confirmed",
       changed="the stored documentation did not show this sentence of the default-encryption page; "
               "AWS Config's s3-bucket-server-side-encryption-enabled rule treats default encryption and "
               "a deny-unencrypted bucket policy as two separate controls"),
    _f("s3.bucket_key_saving", "up to 99%",
       "An S3 Bucket Key (BucketKeyEnabled) lets S3 reuse a bucket-level data key and cuts S3's requests "
       "to KMS, and their cost, by up to 99%",
       "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html", ("ml-security",),
       ("up to 99%",), status="not confirmed",
       changed="read in AWS's own sample (github.com/aws-samples/s3-bucketkey-poc), not on the bucket-key page"),
    _f("sagemaker.network_isolation", True,
       "With EnableNetworkIsolation the training container can make no inbound or outbound network calls "
       "(except between the peers of a distributed training cluster); SageMaker still downloads the data "
       "and uploads the model through the job's VPC",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html", ("ml-security",),
       ("no inbound or outbound network calls",), used_by=("labs/ml-security/steps.py",),
       more=("https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html",)),
    _f("sagemaker.inter_container_encryption", {"udp_port": 500, "ip_protocol": 50},
       "Inter-container traffic encryption protects what the instances of a distributed training job "
       "exchange; it does not affect a job with a single instance, and the job's security group must admit "
       "UDP port 500 and ESP (IP protocol 50) from itself",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html", ("ml-security",),
       ("UDP port 500", "IP protocol 50"), used_by=("awslabs.sim.ml_security.IPSEC_RULES",)),
    _f("sagemaker.train_vpc_s3", "S3 gateway endpoint",
       "A training job in private subnets reaches S3 only through an S3 gateway endpoint (or a NAT); the "
       "endpoint's policy can limit it to the lab's bucket",
       "https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html", ("ml-security",),
       ("S3 gateway endpoint",), status="not confirmed",
       changed="the stored documentation showed the VpcConfig API pages, not the train-vpc page itself"),
    _f("vpc.endpoint_policy", "full access",
       "An endpoint policy is a resource policy on the endpoint and must contain a Principal element; "
       "without one AWS attaches the default policy, which allows full access",
       "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html", ("ml-security",),
       ("full access",), used_by=("awslabs.sim.ml_security.endpoint_requests",)),
    _f("iam.explicit_deny_wins", "Deny",
       "IAM evaluation: an explicit deny in any applicable policy wins; otherwise an allow in an identity or "
       "a resource policy of the same account grants; otherwise the request is implicitly denied",
       "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
       ("ml-security",), ("explicit deny",), used_by=("awslabs.judge.access_allowed",)),
    _f("secretsmanager.force_delete", "ForceDeleteWithoutRecovery",
       "DeleteSecret keeps a secret recoverable for 7 to 30 days (30 by default) unless "
       "ForceDeleteWithoutRecovery is set",
       "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html", ("ml-security",),
       ("ForceDeleteWithoutRecovery",), used_by=("awslabs.resources.secretsmanager.delete_secret",)),
    _f("secretsmanager.get_secret_value", "secretsmanager:GetSecretValue",
       "Reading a secret needs secretsmanager:GetSecretValue on it, granted by an identity policy or the "
       "secret's resource-based policy, and kms:Decrypt on the customer managed key that encrypts it",
       "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access.html", ("ml-security",),
       ("secretsmanager:GetSecretValue",), used_by=("awslabs.local.secret_reader",), status="not confirmed",
       changed="the stored documentation showed the resource-policy pages (auth-and-access_resource-policies); "
               "the kms:Decrypt half was not shown on a stored page",
       more=("https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html",)),
    # -- data-quality ---------------------------------------------------------------------------
    _f("glue.dqdl_rule_types",
       ("RowCount", "IsComplete", "Completeness", "IsUnique", "Uniqueness", "ColumnValues", "ColumnLength",
        "Mean", "StandardDeviation", "Sum", "DistinctValuesCount"),
       "DQDL rule types the lab's local evaluator implements (a subset of Glue Data Quality's): RowCount, "
       "IsComplete, Completeness, IsUnique, Uniqueness, ColumnValues, ColumnLength, Mean, StandardDeviation, "
       "Sum, DistinctValuesCount; a ruleset is `Rules = [ rule, rule, ... ]` and is case sensitive",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types.html", ("data-quality",),
       ("RowCount, IsComplete, Completeness, IsUnique, Uniqueness, ColumnValues, ColumnLength, Mean, "
        "StandardDeviation, Sum, DistinctValuesCount",),
       used_by=("awslabs.local.dqdl.RULE_TYPES",),
       more=("https://docs.aws.amazon.com/glue/latest/dg/dqdl.html",)),
    _f("glue.dqdl_composite_parentheses", "each operand in parentheses",
       "Composite DQDL rules join rules with `and` / `or`; each rule joined that way must be surrounded by "
       "parentheses, e.g. (IsComplete \"id\") and (IsUnique \"id\")",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl.html", ("data-quality",),
       ("must be surrounded by parentheses",), used_by=("awslabs.local.dqdl._Parser.rule",)),
    _f("glue.dqdl_uniqueness", "exactly once",
       "Uniqueness checks the percentage of unique values in a column; unique values occur exactly once "
       "(UniqueValueRatio divides them by the distinct values instead); IsUnique checks that all are unique",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types-Uniqueness.html", ("data-quality",),
       ("unique values occur exactly once",), used_by=("awslabs.local.dqdl._metric",),
       more=("https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types-IsUnique.html",
             "https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types-UniqueValueRatio.html")),
    _f("glue.dqdl_completeness", "share of non-null values",
       "Completeness compares the share of non-null values in a column with an expression "
       "(Completeness \"c\" > 0.95); IsComplete requires every value to be non-null",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl.html", ("data-quality",),
       ("share of non-null values",), used_by=("awslabs.local.dqdl._metric",)),
    _f("glue.dqdl_between", "inclusive",
       "DQDL `between a and b` is evaluated by the lab as a <= x <= b",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl.html", ("data-quality",),
       ("both ends included (not confirmed)",), used_by=("awslabs.local.dqdl.Expression.holds",),
       status="not confirmed",
       changed="the stored DQDL reference pages read on 2026-12-06 did not state whether the bounds of "
               "between are included; the lab's data never sits on a boundary"),
    _f("glue.dqdl_with_threshold", "fraction of rows",
       "ColumnValues \"c\" followed by an expression checks every row; with `with threshold > 0.9` it passes when that "
       "fraction of rows satisfies the expression; a null satisfies no comparison unless NULL is listed",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl.html", ("data-quality",),
       ("with threshold",), used_by=("awslabs.local.dqdl._evaluate_rule",), status="not confirmed",
       changed="the stored DQDL pages read on 2026-12-06 show ColumnValues and the NULL keyword but not the "
               "threshold wording itself; the evaluator follows the reference's examples"),
    _f("glue.data_quality_off_moto", "CreateDataQualityRuleset",
       "Glue Data Quality rulesets are created with CreateDataQualityRuleset (Name, Ruleset = the DQDL text, "
       "TargetTable) and evaluated by a data quality evaluation run; moto implements neither",
       "https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDataQualityRuleset.html", ("data-quality",),
       ("CreateDataQualityRuleset",), used_by=("labs/data-quality/steps.py",), status="not confirmed",
       changed="the API page itself was not in the stored documentation on 2026-12-06; the operation and its "
               "parameters are botocore's Glue model (create_data_quality_ruleset)"),
    _f("databrew.recipe_actions",
       {"REMOVE_COMBINED": ("sourceColumn", "removeLeadingAndTrailingWhitespace"),
        "LOWER_CASE": ("sourceColumn",), "REPLACE_TEXT": ("sourceColumn", "pattern", "value"),
        "DELETE_DUPLICATE_ROWS": (), "REMOVE_DUPLICATES": ("sourceColumn",),
        "FILL_WITH_MEDIAN": ("sourceColumn",), "ONE_HOT_ENCODING": ("sourceColumn",)},
       "DataBrew recipe actions and their parameters: REMOVE_COMBINED (sourceColumn, "
       "removeLeadingAndTrailingWhitespace...), LOWER_CASE (sourceColumn), REPLACE_TEXT (sourceColumn, "
       "pattern — characters or a regular expression —, value), DELETE_DUPLICATE_ROWS (no parameters: "
       "deletes rows that exactly match an earlier row, the initial occurrence is kept), REMOVE_DUPLICATES "
       "(sourceColumn: a duplicate value in that column), FILL_WITH_MEDIAN (sourceColumn: median of all "
       "values), ONE_HOT_ENCODING (sourceColumn)",
       "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions-reference.html", ("data-quality",),
       ("DELETE_DUPLICATE_ROWS", "REMOVE_COMBINED", "LOWER_CASE", "REPLACE_TEXT"),
       used_by=("awslabs.local.databrew.ACTIONS",),
       more=("https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.DELETE_DUPLICATE_ROWS.html",
             "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.LOWER_CASE.html",
             "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REPLACE_TEXT.html",
             "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REMOVE_COMBINED.html",
             "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REMOVE_DUPLICATES.html",
             "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_MEDIAN.html")),
    _f("databrew.one_hot_max_distinct", 10,
       "DataBrew's ONE_HOT_ENCODING creates one numerical column per distinct value, named <column>_<value>; "
       "the column can have a maximum of 10 distinct values",
       "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.ONE_HOT_ENCODING.html", ("data-quality",),
       ("maximum of 10 distinct values",), used_by=("awslabs.local.databrew.ONE_HOT_MAX_DISTINCT",)),
    _f("databrew.fill_with_median_whole_dataset", "median of all values",
       "FILL_WITH_MEDIAN replaces missing data by the median of all values of the dataset the job reads: "
       "run before a train/test split it leaks the test rows into the imputed value",
       "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FILL_WITH_MEDIAN.html", ("data-quality",),
       ("median of all values",), used_by=("awslabs.local.databrew.ACTIONS",)),
    _f("glue.dqdl_distinct_values_count", "distinct values",
       "DistinctValuesCount checks the number of distinct values in a column against an expression "
       "(DistinctValuesCount \"State\" > 3); the evaluator does not count nulls",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types-DistinctValuesCount.html", ("data-quality",),
       ("DistinctValuesCount counts the distinct non-null values",), used_by=("awslabs.local.dqdl._metric",)),
    _f("glue.dqdl_standard_deviation", "population",
       "StandardDeviation compares the standard deviation of a column's values with an expression; the "
       "evaluator uses the population standard deviation",
       "https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types.html", ("data-quality",),
       ("population standard deviation (not confirmed)",), used_by=("awslabs.local.dqdl._metric",),
       status="not confirmed",
       changed="the stored rule type reference read on 2026-12-06 does not say whether the sample or the "
               "population standard deviation is meant; the lab's ruleset does not use the rule"),
    _f("databrew.outlier_strategies", {"strategies": ("Z_SCORE", "MODIFIED_Z_SCORE", "IQR"), "default_threshold": 3},
       "DataBrew's outlier actions (FLAG_OUTLIERS, REMOVE_OUTLIERS, REPLACE_OUTLIERS) take an outlierStrategy "
       "Z_SCORE, MODIFIED_Z_SCORE or IQR and a threshold (default 3); REPLACE_OUTLIERS can WINSORIZE_VALUES "
       "or replace with the median, mode, average..., REMOVE_OUTLIERS deletes the rows or clears the values",
       "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.REPLACE_OUTLIERS.html", ("data-quality",),
       ("Z_SCORE, MODIFIED_Z_SCORE or IQR",),
       more=("https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.outliers.REMOVE_OUTLIERS.html",
             "https://docs.aws.amazon.com/databrew/latest/dg/recipe-actions.FLAG_OUTLIERS.html")),
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
