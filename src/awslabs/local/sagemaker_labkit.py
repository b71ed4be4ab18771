"""What the SageMaker labs share: an execution role, SDK training jobs, and "make the job happen".

A SageMaker training job needs an execution role SageMaker can assume
(https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html): ``execution_role``
creates one (trust ``sagemaker.amazonaws.com``; S3 on the lab bucket, CloudWatch Logs and
metrics, ECR pulls), tracked before creation. On moto the role only needs to exist (the SDK
resolves it with ``iam:GetRole``).

``complete_training_job`` makes a created job produce its effects:

- on ``aws`` it waits for the real job with boto3's ``training_job_completed_or_stopped``
  waiter and returns the description (the SDK's own wait is not used: it sleeps in fixed steps);
- elsewhere moto has already marked the job ``Completed`` with no artifact, so the local runner
  (``sagemaker_runner``) runs it: the request the SDK sent (captured in ``sagemaker_sdk``, since
  moto rewrites ``MetricDefinitions`` and drops ``Environment``) merged over ``DescribeTrainingJob``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from awslabs import labkit


def execution_role(ctx, bucket: str, suffix: str = "sm-role") -> str:
    """Create (tracked, tagged) the SageMaker execution role; return its ARN."""
    return labkit.create_service_role(ctx, ctx.name(suffix, max_len=64), "sagemaker.amazonaws.com", {"lab-access": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"],
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                       "logs:DescribeLogStreams", "cloudwatch:PutMetricData"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage",
                                       "ecr:GetDownloadUrlForLayer"], "Resource": "*"},
    ]})


def sdk_tags(ctx) -> list:
    from sagemaker.core.training.configs import Tag

    return [Tag(key=k, value=v) for k, v in ctx.tags.items()]


def bucket_created(ctx, bucket: str):
    """When ``bucket`` was created (S3's ``CreationDate``, whole seconds), or None if it is absent."""
    for entry in ctx.client("s3").list_buckets().get("Buckets", []):
        if entry["Name"] == bucket:
            return entry["CreationDate"]
    return None


def find_training_job(ctx, stem: str, since=None) -> str | None:
    """The newest training job whose name contains ``ctx.name(stem)`` (the SDK adds a timestamp).

    ``since`` (a datetime, e.g. ``bucket_created``): only jobs created at or after it count.
    Training jobs cannot be deleted, so in practice mode (fixed names) a job left by an earlier
    attempt would otherwise pass for the learner's new one."""
    sm = ctx.client("sagemaker")
    jobs = sm.list_training_jobs(NameContains=ctx.name(stem, max_len=48), SortBy="CreationTime",
                                 SortOrder="Descending").get("TrainingJobSummaries", [])
    if since is not None:
        cutoff = since.replace(microsecond=0)
        jobs = [j for j in jobs if j["CreationTime"] >= cutoff]
    # sorted here as well: moto 5.2.5 ignores SortOrder=Descending and answers oldest first
    return max(jobs, key=lambda j: j["CreationTime"])["TrainingJobName"] if jobs else None


def start_training(ctx, trainer, stem: str, inputs: list | None = None) -> str:
    """``ModelTrainer.train(wait=False)``; the SDK picks the final name (base + timestamp), so the
    ledger entry is recorded pending first and resolved after. Returns the job name."""
    entry = ctx.track_pending("sagemaker:job", stem, type="training")
    trainer.train(input_data_config=inputs, wait=False, logs=False)
    name = trainer._latest_training_job.training_job_name  # noqa: SLF001 - the SDK's own record
    ctx.resolve(entry, name)
    return name


def complete_training_job(ctx, session, job_name: str, *, entry_point: str | Path | None = None,
                          default_metrics: list[dict] | None = None, **runner_kwargs: Any):
    """Make the job happen (see module docstring). Returns a ``TrainingRun`` off AWS, the final
    ``DescribeTrainingJob`` on AWS.

    ``default_metrics``: the ``MetricDefinitions`` to parse the logs with when the request was
    not captured in ``session`` (a job submitted from another process, e.g. by the learner in
    practice mode): moto answers every job with a canned definition of its own."""
    sm = ctx.client("sagemaker")
    if ctx.on_aws:
        sm.get_waiter("training_job_completed_or_stopped").wait(
            TrainingJobName=job_name, WaiterConfig={"Delay": 30, "MaxAttempts": 120})
        return sm.describe_training_job(TrainingJobName=job_name)
    from awslabs.sagemaker_sdk import captured_requests

    from .sagemaker_runner import run_training_job

    job = sm.describe_training_job(TrainingJobName=job_name)
    captured = captured_requests(session).get(job_name)
    if captured:
        job.update(captured)
    elif default_metrics is not None:
        job["AlgorithmSpecification"] = {**job.get("AlgorithmSpecification", {}), "MetricDefinitions": default_metrics}
    return run_training_job(ctx, job_name, entry_point, job=job, **runner_kwargs)


__all__ = ["execution_role", "sdk_tags", "bucket_created", "find_training_job", "start_training", "complete_training_job"]
