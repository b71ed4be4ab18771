"""A local CloudFormation drift detector: each stack resource's expected properties (its template
and the stack's parameters) compared with what the service's own describe call returns for the
physical resource, in the shape ``DescribeStackResourceDrifts`` answers.

Why: moto 5.2.6 implements neither ``DetectStackDrift`` nor ``DescribeStackResourceDrifts``
(``NotImplementedError``), so off AWS a lab that teaches drift would have nothing to show. This
runner does the comparison CloudFormation documents — only the properties the template sets
explicitly are compared (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html)
— by really reading each resource back through ``client(service)``; results are labelled
``local``. Types it does not know are ``NOT_CHECKED``, as CloudFormation reports the types that do
not support drift detection.

Statuses and shapes (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceDrift.html,
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_PropertyDifference.html):
``StackResourceDriftStatus`` IN_SYNC | MODIFIED | DELETED | NOT_CHECKED; ``PropertyDifferences``
of ``{PropertyPath, ExpectedValue, ActualValue, DifferenceType ADD | REMOVE | NOT_EQUAL}``.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from awslabs.facts import value as _fact
from awslabs.sim.cloudformation import load_template

IN_SYNC, MODIFIED, DELETED, NOT_CHECKED = _fact("cloudformation.drift_statuses")
Client = Callable[[str], Any]


def _gone(err: Exception) -> bool:
    code = ((getattr(err, "response", None) or {}).get("Error") or {}).get("Code", "")
    return code in ("NoSuchBucket", "NoSuchEntity", "ValidationException", "ResourceNotFound", "404")


def _name(physical_id: str) -> str:
    """SageMaker resources' physical ids are ARNs; their APIs take the name after the last slash."""
    return physical_id.rsplit("/", 1)[-1] if physical_id.startswith("arn:") else physical_id


# -- what each type looks like when read back, in the template's property names -----------------------
def _bucket(client: Client, pid: str, expected: dict) -> dict:
    s3 = client("s3")
    s3.head_bucket(Bucket=pid)
    actual: dict = {"BucketName": pid}
    if "BucketEncryption" in expected:
        try:
            rules = s3.get_bucket_encryption(Bucket=pid)["ServerSideEncryptionConfiguration"]["Rules"]
            actual["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": r.get("ApplyServerSideEncryptionByDefault", {}),
                 **({"BucketKeyEnabled": r["BucketKeyEnabled"]} if "BucketKeyEnabled" in r else {})}
                for r in rules]}
        except Exception as err:  # noqa: BLE001 - no configuration is a REMOVE difference
            if "ServerSideEncryptionConfigurationNotFound" not in str(err):
                raise
    if "VersioningConfiguration" in expected:
        status = s3.get_bucket_versioning(Bucket=pid).get("Status")
        if status:
            actual["VersioningConfiguration"] = {"Status": status}
    return actual


def _role(client: Client, pid: str, expected: dict) -> dict:
    role = client("iam").get_role(RoleName=pid)["Role"]
    document = role["AssumeRolePolicyDocument"]
    return {"AssumeRolePolicyDocument": json.loads(document) if isinstance(document, str) else document}


def _model(client: Client, pid: str, expected: dict) -> dict:
    model = client("sagemaker").describe_model(ModelName=_name(pid))
    return {"ExecutionRoleArn": model.get("ExecutionRoleArn"), "PrimaryContainer": model.get("PrimaryContainer", {})}


def _endpoint_config(client: Client, pid: str, expected: dict) -> dict:
    config = client("sagemaker").describe_endpoint_config(EndpointConfigName=_name(pid))
    return {"ProductionVariants": config.get("ProductionVariants", [])}


def _endpoint(client: Client, pid: str, expected: dict) -> dict:
    endpoint = client("sagemaker").describe_endpoint(EndpointName=_name(pid))
    return {"EndpointConfigName": endpoint.get("EndpointConfigName")}


def _scalable_target(client: Client, pid: str, expected: dict) -> dict:
    # the physical id of AWS::ApplicationAutoScaling::ScalableTarget is "resource|dimension|namespace"
    resource_id, dimension, namespace = pid.split("|", 2)
    found = client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace=namespace, ResourceIds=[resource_id], ScalableDimension=dimension)["ScalableTargets"]
    if not found:
        raise LookupError("gone")
    return {"MinCapacity": found[0]["MinCapacity"], "MaxCapacity": found[0]["MaxCapacity"],
            "ResourceId": resource_id, "ScalableDimension": dimension, "ServiceNamespace": namespace}


READERS: dict[str, Callable[[Client, str, dict], dict]] = {
    "AWS::S3::Bucket": _bucket,
    "AWS::IAM::Role": _role,
    "AWS::SageMaker::Model": _model,
    "AWS::SageMaker::EndpointConfig": _endpoint_config,
    "AWS::SageMaker::Endpoint": _endpoint,
    "AWS::ApplicationAutoScaling::ScalableTarget": _scalable_target,
}
# the properties each reader can compare (others in the template are not checked: not guessed)
COMPARED = {
    "AWS::S3::Bucket": ("BucketName", "BucketEncryption", "VersioningConfiguration"),
    "AWS::IAM::Role": ("AssumeRolePolicyDocument",),
    "AWS::SageMaker::Model": ("ExecutionRoleArn", "PrimaryContainer"),
    "AWS::SageMaker::EndpointConfig": ("ProductionVariants",),
    "AWS::SageMaker::Endpoint": ("EndpointConfigName",),
    "AWS::ApplicationAutoScaling::ScalableTarget": ("MinCapacity", "MaxCapacity", "ResourceId",
                                                     "ScalableDimension", "ServiceNamespace"),
}


# -- expected values: the template resolved with the stack's parameters and physical ids ------------
def _attribute(resources: dict, physical: dict, region: str, account: str, name: str, attr: str) -> Any:
    pid = physical.get(name, "")
    rtype = resources.get(name, {}).get("Type", "")
    if attr in ("ModelName", "EndpointConfigName", "EndpointName"):
        return _name(pid)
    if attr == "Arn" and rtype == "AWS::S3::Bucket":
        return f"arn:aws:s3:::{pid}"
    if attr == "Arn" and rtype == "AWS::IAM::Role":
        return f"arn:aws:iam::{account}:role/{pid}"
    return pid if not attr else f"{pid}.{attr}"


def _expected(value: Any, ctx: dict) -> Any:
    import re

    params, physical, resources = ctx["params"], ctx["physical"], ctx["resources"]

    def ref(name: str) -> Any:
        if name in params:
            return params[name]
        pseudo = {"AWS::Region": ctx["region"], "AWS::AccountId": ctx["account"], "AWS::StackName": ctx["stack"],
                  "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        return physical.get(name, f"<{name}>")

    if isinstance(value, dict):
        if "Ref" in value and len(value) == 1:
            return ref(value["Ref"])
        if "Fn::GetAtt" in value and len(value) == 1:
            att = value["Fn::GetAtt"]
            name, attr = (att[0], att[1]) if isinstance(att, list) else str(att).split(".", 1)
            return _attribute(resources, physical, ctx["region"], ctx["account"], name, attr)
        if "Fn::Sub" in value and len(value) == 1:
            sub = value["Fn::Sub"]
            text, variables = (sub[0], sub[1]) if isinstance(sub, list) else (sub, {})
            resolved = {k: _expected(v, ctx) for k, v in variables.items()}

            def put(match):
                var = match.group(1)
                if var in resolved:
                    return str(resolved[var])
                name, _, attr = var.partition(".")
                if attr:
                    return str(_attribute(resources, physical, ctx["region"], ctx["account"], name, attr))
                return str(ref(name))
            return re.sub(r"\$\{([^}!][^}]*)\}", put, str(text))
        return {k: _expected(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_expected(v, ctx) for v in value]
    return value


def _same_scalar(expected: Any, actual: Any) -> bool:
    """CloudFormation passes parameters as strings: "1" and 1 and 1.0 are the same value."""
    if expected == actual:
        return True
    try:
        return float(str(expected)) == float(str(actual))
    except ValueError:
        return str(expected).lower() == str(actual).lower() and isinstance(actual, bool)


def differences(expected: Any, actual: Any, path: str = "") -> list[dict]:
    """Property differences limited to what ``expected`` sets (extra actual keys are not drift)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [{"PropertyPath": path or "/", "ExpectedValue": json.dumps(expected, sort_keys=True),
                     "ActualValue": json.dumps(actual), "DifferenceType": "NOT_EQUAL"}]
        found = []
        for key, want in expected.items():
            if key not in actual:
                found.append({"PropertyPath": f"{path}/{key}", "ExpectedValue": json.dumps(want, sort_keys=True),
                              "ActualValue": "null", "DifferenceType": "REMOVE"})
            else:
                found += differences(want, actual[key], f"{path}/{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [{"PropertyPath": path, "ExpectedValue": json.dumps(expected, sort_keys=True),
                     "ActualValue": json.dumps(actual), "DifferenceType": "NOT_EQUAL"}]
        found = []
        for i, want in enumerate(expected):
            if i >= len(actual):
                found.append({"PropertyPath": f"{path}/{i}", "ExpectedValue": json.dumps(want, sort_keys=True),
                              "ActualValue": "null", "DifferenceType": "REMOVE"})
            else:
                found += differences(want, actual[i], f"{path}/{i}")
        for i in range(len(expected), len(actual)):
            found.append({"PropertyPath": f"{path}/{i}", "ExpectedValue": "null",
                          "ActualValue": json.dumps(actual[i], sort_keys=True, default=str), "DifferenceType": "ADD"})
        return found
    if _same_scalar(expected, actual):
        return []
    return [{"PropertyPath": path, "ExpectedValue": str(expected), "ActualValue": str(actual),
             "DifferenceType": "NOT_EQUAL"}]


def detect_drift(client: Client, stack_name: str, region: str, account: str) -> dict:
    """``{"StackName", "StackDriftStatus": DRIFTED | IN_SYNC, "StackResourceDrifts": [...]}`` for the
    stack as it is now: its template (``GetTemplate``), parameters (``DescribeStacks``) and
    physical resources (``DescribeStackResources``) against each resource's own describe call."""
    cf = client("cloudformation")
    stack = cf.describe_stacks(StackName=stack_name)["Stacks"][0]
    template = load_template(cf.get_template(StackName=stack_name)["TemplateBody"])
    resources = template.get("Resources") or {}
    params = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}
    listed = cf.describe_stack_resources(StackName=stack_name)["StackResources"]
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in listed if r.get("LogicalResourceId")}
    context = {"params": params, "physical": physical, "resources": resources, "region": region,
               "account": account, "stack": stack_name}
    drifts = []
    for name in sorted(resources):
        body = resources[name]
        rtype = body.get("Type", "")
        entry = {"StackId": stack["StackId"], "LogicalResourceId": name, "ResourceType": rtype,
                 "PhysicalResourceId": physical.get(name)}
        reader = READERS.get(rtype)
        if reader is None or name not in physical:
            # a type the detector cannot read, or one the stack did not create (moto skips some types)
            drifts.append({**entry, "StackResourceDriftStatus": NOT_CHECKED,
                           "Note": "not created by the stack" if name not in physical else "type not checked"})
            continue
        props = body.get("Properties") or {}
        expected = {k: _expected(v, context) for k, v in props.items() if k in COMPARED[rtype]}
        try:
            actual = reader(client, physical[name], expected)
        except Exception as err:  # noqa: BLE001 - only "does not exist" means DELETED
            if isinstance(err, LookupError) or _gone(err):
                drifts.append({**entry, "StackResourceDriftStatus": DELETED})
                continue
            raise
        diffs = differences(expected, actual)
        drifts.append({**entry, "StackResourceDriftStatus": MODIFIED if diffs else IN_SYNC,
                       "ExpectedProperties": json.dumps(expected, sort_keys=True, default=str),
                       "ActualProperties": json.dumps({k: actual.get(k) for k in expected}, sort_keys=True, default=str),
                       "PropertyDifferences": diffs})
    drifted = any(d["StackResourceDriftStatus"] in (MODIFIED, DELETED) for d in drifts)
    return {"StackName": stack_name, "StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC",
            "StackResourceDrifts": drifts}
