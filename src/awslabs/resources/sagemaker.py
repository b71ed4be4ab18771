"""SageMaker. Training, tuning and processing jobs cannot be deleted (only stopped); the rest can."""
from __future__ import annotations

from . import arn_kind, deleter


@deleter("sagemaker:endpoint", order=10)
def delete_endpoint(clients, name: str, extra: dict) -> None:
    clients.client("sagemaker").delete_endpoint(EndpointName=name)


@deleter("sagemaker:endpoint-config", order=20)
def delete_endpoint_config(clients, name: str, extra: dict) -> None:
    clients.client("sagemaker").delete_endpoint_config(EndpointConfigName=name)


@deleter("sagemaker:model", order=30)
def delete_model(clients, name: str, extra: dict) -> None:
    clients.client("sagemaker").delete_model(ModelName=name)


@deleter("sagemaker:notebook-instance", order=10)
def delete_notebook(clients, name: str, extra: dict) -> None:
    clients.client("sagemaker").delete_notebook_instance(NotebookInstanceName=name)


@deleter("sagemaker:job", order=5)
def stop_job(clients, name: str, extra: dict) -> None:
    """Jobs are never deleted, only stopped if still running. moto lacks StopTrainingJob and its
    jobs are Completed at once, so there is nothing to stop there."""
    sm = clients.client("sagemaker")
    job_type = extra.get("type", "training")
    describe = {
        "training": ("describe_training_job", "TrainingJobName", "TrainingJobStatus", "stop_training_job"),
        "tuning": (
            "describe_hyper_parameter_tuning_job",
            "HyperParameterTuningJobName",
            "HyperParameterTuningJobStatus",
            "stop_hyper_parameter_tuning_job",
        ),
        "processing": ("describe_processing_job", "ProcessingJobName", "ProcessingJobStatus", "stop_processing_job"),
        "transform": ("describe_transform_job", "TransformJobName", "TransformJobStatus", "stop_transform_job"),
    }[job_type]
    status = getattr(sm, describe[0])(**{describe[1]: name}).get(describe[2])
    if status in ("InProgress", "Stopping"):
        getattr(sm, describe[3])(**{describe[1]: name})


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:(endpoint|model|notebook-instance)/(.+)$")
def _sagemaker_arn(m):
    return (f"sagemaker:{m.group(1)}", m.group(2))


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:endpoint-config/(.+)$")
def _endpoint_config_arn(m):
    return ("sagemaker:endpoint-config", m.group(1))


@deleter("sagemaker:labeling-job", order=5)
def stop_labeling_job(clients, name: str, extra: dict) -> None:
    """Ground Truth labeling jobs cannot be deleted, only stopped (StopLabelingJob) while they run;
    a stopped job keeps the labels already made. moto does not implement labeling jobs at all, so
    only the aws target ever records this kind."""
    sm = clients.client("sagemaker")
    status = sm.describe_labeling_job(LabelingJobName=name).get("LabelingJobStatus")
    if status in ("Initializing", "InProgress"):
        sm.stop_labeling_job(LabelingJobName=name)
