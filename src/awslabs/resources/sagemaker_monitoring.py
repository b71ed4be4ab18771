"""SageMaker Model Monitor job definitions (data quality, model quality).

A job definition is deleted by its own API per monitoring type; ``extra["type"]`` says which
(``data-quality`` or ``model-quality``). moto 5.x stores and deletes both; it has no monitoring
schedules (``CreateMonitoringSchedule`` is not implemented), so a lab creates schedules on AWS only,
tracked as ``sagemaker:monitoring-schedule``.
"""
from __future__ import annotations

from . import arn_kind, deleter, is_gone

_DELETE = {"data-quality": "delete_data_quality_job_definition",
           "model-quality": "delete_model_quality_job_definition"}


@deleter("sagemaker:monitoring-schedule", order=4)
def delete_monitoring_schedule(clients, name: str, extra: dict) -> None:
    sm = clients.client("sagemaker")
    try:
        sm.delete_monitoring_schedule(MonitoringScheduleName=name)
    except Exception as err:  # noqa: BLE001 - only "does not exist" means done
        if not is_gone(err) and "not been implemented" not in str(err):
            raise


@deleter("sagemaker:monitoring-job-definition", order=6)
def delete_job_definition(clients, name: str, extra: dict) -> None:
    sm = clients.client("sagemaker")
    # found by the tag sweep, the type is unknown: a name is one definition of either type
    kinds = [extra["type"]] if extra.get("type") in _DELETE else list(_DELETE)
    for kind in kinds:
        try:
            getattr(sm, _DELETE[kind])(JobDefinitionName=name)
        except Exception as err:  # noqa: BLE001 - only "does not exist" means done
            if not is_gone(err):
                raise


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:(data|model)-quality-job-definition/([^/]+)$")
def _definition_arn(m):
    return ("sagemaker:monitoring-job-definition", m.group(2))


@arn_kind(r"^arn:aws[\w-]*:sagemaker:[\w-]+:\d+:monitoring-schedule/([^/]+)$")
def _schedule_arn(m):
    return ("sagemaker:monitoring-schedule", m.group(1))
