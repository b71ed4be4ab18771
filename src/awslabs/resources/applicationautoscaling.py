"""Application Auto Scaling: scalable targets (SageMaker endpoint variants, DynamoDB, ECS...).

The id is ``<ServiceNamespace>|<ResourceId>|<ScalableDimension>``. AWS deletes a target's
scaling policies when the target is deregistered; moto keeps them, so policies are deleted first
(both are idempotent on AWS)."""
from __future__ import annotations

from . import deleter


def target_id(namespace: str, resource_id: str, dimension: str) -> str:
    return f"{namespace}|{resource_id}|{dimension}"


@deleter("application-autoscaling:scalable-target", order=5)
def deregister_scalable_target(clients, rid: str, extra: dict) -> None:
    namespace, resource_id, dimension = rid.split("|", 2)
    aas = clients.client("application-autoscaling")
    policies = aas.describe_scaling_policies(ServiceNamespace=namespace, ResourceId=resource_id,
                                             ScalableDimension=dimension).get("ScalingPolicies", [])
    for policy in policies:
        aas.delete_scaling_policy(PolicyName=policy["PolicyName"], ServiceNamespace=namespace,
                                  ResourceId=resource_id, ScalableDimension=dimension)
    targets = aas.describe_scalable_targets(ServiceNamespace=namespace, ResourceIds=[resource_id],
                                            ScalableDimension=dimension).get("ScalableTargets", [])
    if targets:
        aas.deregister_scalable_target(ServiceNamespace=namespace, ResourceId=resource_id,
                                       ScalableDimension=dimension)
