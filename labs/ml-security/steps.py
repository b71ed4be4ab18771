"""ml-security: a customer managed KMS key whose policy lets the account administer it and only the
training role use it; a data bucket encrypted by default with that key and a bucket policy that
refuses plain-HTTP requests and uploads without SSE-KMS; an S3 gateway endpoint whose policy reaches
the lab bucket only; a least-privilege training role; a training job in private subnets with network
isolation, inter-container traffic encryption and the key on its volumes and output; a database
secret encrypted with the key, read by a processing job through its role.

Policies are judged by what they decide, not how they are written: each check reads the learner's
policy back and asks :mod:`awslabs.judge` for the verdict on the task's requests
(:mod:`awslabs.sim.ml_security`), so ``Null`` vs ``StringNotEquals``, one statement or two,
``s3:*`` or a list all pass, and a near miss fails on the request it gets wrong.

moto 5.2.6 stores every setting read back here, but it enforces a bucket policy's Deny on object
requests without evaluating its conditions (every GetObject/PutObject is refused once the policy is
in place): the lab uploads its data before the policy, later steps write observations locally, and
cleanup removes the policy first (``s3:bucket-policy``)."""
from __future__ import annotations

import json
import secrets as random_secrets
from pathlib import Path

from awslabs import judge, labkit
from awslabs.lab import Check, equal, expect
from awslabs.local import secret_reader
from awslabs.sim import ml_security as matrix

CIDR = "10.52.0.0/16"
USERNAME = "ml_reader"  # the database user the task names
DB_HOST = "features-db.internal.example"
SECRET_ENV = secret_reader.SECRET_ENV
TRAIN_KEY = f"{matrix.TRAIN_PREFIX}part-0.csv"
RESTRICTED_KEY = f"{matrix.RESTRICTED_PREFIX}customers.csv"
SCRIPT_KEY = "code/connect.py"
INSTANCE_COUNT = 2  # distributed: inter-container encryption has something to protect
XGBOOST_ACCOUNTS = {"us-east-1": "683313688378", "us-east-2": "257758044811", "us-west-2": "246618743249",
                    "eu-west-1": "141502667606", "eu-central-1": "492215442770"}
FILES = Path(__file__).parent / "practice" / "files"


# -- names --------------------------------------------------------------------------------------------
def _bucket(ctx):
    return ctx.name("data")


def _role(ctx):
    return ctx.name("trainer", max_len=64)


def _other_role(ctx):
    return ctx.name("someone-else", max_len=64)  # never created: "another role of the account"


def _sg(ctx):
    return ctx.name("training")


def _alias(ctx):
    return f"alias/{ctx.name('key')}"


def _job(ctx):
    return ctx.name("train")


def _secret(ctx):
    return ctx.name("db")


def _processing(ctx):
    return ctx.name("connect")


def _role_arn(ctx, name=None):
    return f"arn:aws:iam::{ctx.account}:role/{name or _role(ctx)}"


def _secret_pattern(ctx, name=None):
    """Secrets Manager appends a hyphen and six random characters to a secret's ARN."""
    return f"arn:aws:secretsmanager:{ctx.region}:{ctx.account}:secret:{name or _secret(ctx)}-??????"


def _image(ctx, repo="sagemaker-xgboost:1.7-1"):
    account = XGBOOST_ACCOUNTS.get(ctx.region, XGBOOST_ACCOUNTS["us-east-1"])
    return f"{account}.dkr.ecr.{ctx.region}.amazonaws.com/{repo}"


# -- reading the target -------------------------------------------------------------------------------
def _network(ctx):
    return labkit.network_by_security_group(ctx, _sg(ctx))


def _key(ctx) -> dict | None:
    """The key behind the lab's alias (KeyMetadata), or None."""
    try:
        return ctx.client("kms").describe_key(KeyId=_alias(ctx))["KeyMetadata"]
    except Exception as err:  # noqa: BLE001 - no alias yet
        if labkit.error_code(err) in ("NotFoundException", "?"):
            return None
        raise


def _is_lab_key(ctx, ref: str | None) -> bool:
    """Does ``ref`` (key id, key ARN, alias name or alias ARN) name the lab's key?"""
    key = _key(ctx)
    if not ref or key is None:
        return False
    try:
        return ctx.client("kms").describe_key(KeyId=ref)["KeyMetadata"]["KeyId"] == key["KeyId"]
    except Exception:  # noqa: BLE001 - a key that does not exist is not the lab's
        return False


def _bucket_policy(ctx) -> str | None:
    try:
        return ctx.client("s3").get_bucket_policy(Bucket=_bucket(ctx))["Policy"]
    except Exception as err:  # noqa: BLE001 - NoSuchBucketPolicy / NoSuchBucket
        if labkit.error_code(err) in ("NoSuchBucketPolicy", "NoSuchBucket"):
            return None
        raise


def _role_exists(ctx) -> bool:
    try:
        ctx.client("iam").get_role(RoleName=_role(ctx))
        return True
    except Exception:  # noqa: BLE001 - NoSuchEntity
        return False


def _secret_meta(ctx) -> dict | None:
    try:
        return ctx.client("secretsmanager").describe_secret(SecretId=_secret(ctx))
    except Exception as err:  # noqa: BLE001 - not created yet
        if labkit.error_code(err) == "ResourceNotFoundException":
            return None
        raise


def _endpoint(ctx) -> dict | None:
    """The lab VPC's S3 gateway endpoint, or None."""
    vpc, _, _ = _network(ctx)
    found = ctx.client("ec2").describe_vpc_endpoints(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "service-name", "Values": [f"com.amazonaws.{ctx.region}.s3"]},
    ])["VpcEndpoints"]
    live = [e for e in found if e.get("VpcEndpointType") == "Gateway"
            and str(e.get("State", "available")).lower() not in ("deleted", "deleting")]
    return live[0] if live else None


def _training_job(ctx) -> dict:
    sm = ctx.client("sagemaker")
    try:
        return sm.describe_training_job(TrainingJobName=_job(ctx))
    except Exception as err:  # noqa: BLE001 - moto answers ValidationException for a missing job
        if labkit.error_code(err) in ("ValidationException", "ResourceNotFound"):
            return {}
        raise


def _processing_job(ctx) -> dict:
    sm = ctx.client("sagemaker")
    try:
        return sm.describe_processing_job(ProcessingJobName=_processing(ctx))
    except Exception as err:  # noqa: BLE001 - a missing job
        if labkit.error_code(err) in ("ValidationException", "ResourceNotFound"):
            return {}
        raise


# -- judging a matrix of requests ---------------------------------------------------------------------
def _verdict_checks(rows, decide, missing: str | None, subject: str):
    """One check per row: the verdict AWS would give (``decide(row)``) against the task's. When the
    policy under test does not exist yet (``missing``), every row fails with that message: a request
    refused because nothing is there proves nothing about the policy."""
    for row in rows:
        want = "allowed" if row.allowed else "refused"
        name = f"{subject}: {row.name}"
        if missing:
            yield Check(name, False, missing, "simulated")
            continue
        decision = decide(row)
        ok = bool(decision) == row.allowed
        why = decision.why if ok else f"expected {want}, but {decision.why}"
        yield Check(name, ok, why, "simulated")


def _principal(ctx, row) -> dict:
    return {"AWS": {"role": _role_arn(ctx), "root": f"arn:aws:iam::{ctx.account}:root",
                    "other": _role_arn(ctx, _other_role(ctx))}[row.principal]}


def _role_docs(ctx, row) -> list:
    return judge.role_policies(ctx.client("iam"), _role(ctx)) if row.principal == "role" else []


# -- step 1: the network and the data (setup) -------------------------------------------------------------
def _rows_csv() -> bytes:
    lines = ["label,tenure,spend"] + [f"{i % 2},{i % 24},{(i * 37) % 100}" for i in range(60)]
    return ("\n".join(lines) + "\n").encode()


def apply_prepare(ctx):
    ec2, s3 = ctx.client("ec2"), ctx.client("s3")
    entry = ctx.track_pending("ec2:vpc", "vpc")
    vpc = ctx.resolve(entry, ec2.create_vpc(CidrBlock=CIDR, TagSpecifications=ctx.tag_specifications("vpc"))["Vpc"]["VpcId"])
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]][:2]
    for i, zone in enumerate(zones):  # private: no internet gateway, no public IPs
        entry = ctx.track_pending("ec2:subnet", f"private-{i}")
        ctx.resolve(entry, ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.52.{i}.0/24", AvailabilityZone=zone,
                                             TagSpecifications=ctx.tag_specifications("subnet"))["Subnet"]["SubnetId"])
    entry = ctx.track_pending("ec2:security-group", "training")
    sg = ctx.resolve(entry, ec2.create_security_group(
        GroupName=_sg(ctx), Description="training hosts: IPsec between themselves only", VpcId=vpc,
        TagSpecifications=ctx.tag_specifications("security-group"))["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {**rule, "UserIdGroupPairs": [{"GroupId": sg}]} for rule in matrix.IPSEC_RULES])
    ctx.track("ec2:vpc-endpoint", vpc)  # the learner's S3 gateway endpoint goes with the VPC
    ctx.create_bucket(_bucket(ctx))
    ctx.track("s3:bucket-policy", _bucket(ctx))  # before the learner's policy: cleanup removes it first
    s3.put_object(Bucket=_bucket(ctx), Key=TRAIN_KEY, Body=_rows_csv(), ContentType="text/csv")
    s3.put_object(Bucket=_bucket(ctx), Key=RESTRICTED_KEY, Body=b"customer_id,email\n1,someone@example.com\n")
    s3.put_object(Bucket=_bucket(ctx), Key=SCRIPT_KEY, Body=(FILES / "connect.py").read_bytes())


def check_prepare(ctx):
    try:
        _, subnets, sg = _network(ctx)
    except Exception as err:  # noqa: BLE001 - StepFailed: no network yet
        yield expect("the lab's private subnets and security group exist", False, str(err))
        return
    yield equal("two private subnets in two availability zones", len({s["AvailabilityZone"] for s in subnets}), 2)
    rules = ctx.client("ec2").describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
    def meaning(rule):  # ports mean something for TCP/UDP only
        return rule["IpProtocol"], rule.get("FromPort") if rule["IpProtocol"] in ("tcp", "udp") else None

    found = sorted(meaning(r) for r in rules if any(p.get("GroupId") == sg for p in r.get("UserIdGroupPairs", [])))
    want = sorted(meaning(r) for r in matrix.IPSEC_RULES)
    yield equal("the security group admits IPsec (UDP 500, ESP) from itself", found, want)
    yield expect("the training data is in the bucket", TRAIN_KEY in labkit.object_keys(ctx, _bucket(ctx), "train/"),
                 f"s3://{_bucket(ctx)}/{TRAIN_KEY}")


# -- step 2: the least-privilege training role (task) ---------------------------------------------------
def role_policy(ctx) -> dict:
    """The task's least-privilege policy (practice variants change it)."""
    b = f"arn:aws:s3:::{_bucket(ctx)}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadTrainingDataAndCode", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": [f"{b}/{matrix.TRAIN_PREFIX}*", f"{b}/code/*"]},
        {"Sid": "ListTrainingData", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": b,
         "Condition": {"StringLike": {"s3:prefix": [f"{matrix.TRAIN_PREFIX}*", "code/*"]}}},
        {"Sid": "WriteModelsAndResults", "Effect": "Allow", "Action": "s3:PutObject",
         "Resource": [f"{b}/{matrix.MODELS_PREFIX}*", f"{b}/connection/*"]},
        {"Sid": "NeverRestricted", "Effect": "Deny", "Action": "s3:*", "Resource": f"{b}/{matrix.RESTRICTED_PREFIX}*"},
        {"Sid": "ReadTheDatabaseSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": _secret_pattern(ctx)},
        {"Sid": "VpcNetworkInterfacesAndLogs", "Effect": "Allow", "Action": [
            "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
            "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
            "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams",
            "cloudwatch:PutMetricData"], "Resource": "*"}]}


def apply_training_role(ctx, policy: dict | None = None):
    # The wait matters: KMS refuses a key policy naming a role that has not propagated yet.
    labkit.create_service_role(ctx, _role(ctx), "sagemaker.amazonaws.com",
                               {"least-privilege": (policy or role_policy(ctx))["Statement"]})


def check_training_role(ctx):
    iam = ctx.client("iam")
    exists = _role_exists(ctx)
    trust = iam.get_role(RoleName=_role(ctx))["Role"]["AssumeRolePolicyDocument"] if exists else None
    assume = judge.service_may_assume(trust, "sagemaker.amazonaws.com")
    yield expect("SageMaker may assume the training role", assume, assume.why)
    secret = _secret_pattern(ctx).replace("??????", "AbCdEf")
    other = _secret_pattern(ctx, ctx.name("other-db")).replace("??????", "AbCdEf")
    rows = matrix.role_requests(_bucket(ctx), secret, other)
    yield from _verdict_checks(
        rows, lambda r: judge.role_may(iam, _role(ctx), r.action, r.resource, r.context),
        None if exists else f"role {_role(ctx)} does not exist yet", "the role may")


def _role_may_read_everything(ctx):
    """s3:* on the whole bucket and no deny: it works, and reads restricted/ too."""
    policy = role_policy(ctx)
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] not in ("NeverRestricted",)]
    policy["Statement"][0] = {"Effect": "Allow", "Action": "s3:*",
                              "Resource": [f"arn:aws:s3:::{_bucket(ctx)}", f"arn:aws:s3:::{_bucket(ctx)}/*"]}
    apply_training_role(ctx, policy)


def _role_without_secret(ctx):
    policy = role_policy(ctx)
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "ReadTheDatabaseSecret"]
    apply_training_role(ctx, policy)


# -- step 3: the customer managed key (task) -------------------------------------------------------------
def key_policy(ctx) -> dict:
    """The task's key policy: the account administers the key (and so enables IAM policies), the
    training role uses it, only through the services the lab uses."""
    services = [f"{s}.{ctx.region}.amazonaws.com" for s in ("s3", "sagemaker", "secretsmanager")]
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdministersTheKey", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ctx.account}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "TrainingRoleUsesTheKeyThroughServices", "Effect": "Allow", "Principal": {"AWS": _role_arn(ctx)},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": services}}},
        {"Sid": "TrainingRoleGrantsForVolumes", "Effect": "Allow", "Principal": {"AWS": _role_arn(ctx)},
         "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}]}


def apply_kms_key(ctx, policy: dict | None = None, rotate: bool = True):
    kms = ctx.client("kms")
    entry = ctx.track_pending("kms:key", "key")
    key = kms.create_key(Policy=json.dumps(policy or key_policy(ctx)), Description="ml-security: data, volumes, secret",
                         KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT",
                         Tags=ctx.tag_list("TagKey", "TagValue"))["KeyMetadata"]
    ctx.resolve(entry, key["KeyId"])
    kms.create_alias(AliasName=_alias(ctx), TargetKeyId=key["KeyId"])
    if rotate:
        kms.enable_key_rotation(KeyId=key["KeyId"])


def check_kms_key(ctx):
    key = _key(ctx)
    meta = (key or {}).get("KeyManager"), (key or {}).get("KeySpec"), (key or {}).get("KeyState")
    yield equal(f"{_alias(ctx)} names an enabled customer managed symmetric key", meta,
                ("CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled"))
    rotation = bool(key) and ctx.client("kms").get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
    yield expect("automatic key rotation is on", rotation, "enable_key_rotation" if not rotation else "yearly rotation")
    policy = ctx.client("kms").get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"] if key else None

    def decide(row):
        request = judge.Request(row.action, key["Arn"], _principal(ctx, row), row.context)
        try:
            return judge.access_allowed(_role_docs(ctx, row), policy, request, key_policy=True)
        except ValueError as err:
            return judge.Decision(False, f"the key policy could not be evaluated: {err}")

    yield from _verdict_checks(matrix.kms_requests(ctx.region), decide,
                               None if key else f"no key behind {_alias(ctx)} yet", "key policy")


def _key_for_everyone(ctx):
    """The use statement names Principal "*": every role of the account may decrypt."""
    policy = key_policy(ctx)
    policy["Statement"][1]["Principal"] = {"AWS": "*"}
    apply_kms_key(ctx, policy)


def _key_without_rotation(ctx):
    apply_kms_key(ctx, rotate=False)


# -- step 4: default SSE-KMS and the bucket policy (task) ------------------------------------------------
def bucket_policy(ctx) -> dict:
    b = f"arn:aws:s3:::{_bucket(ctx)}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [b, f"{b}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyUploadsWithoutSseKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"{b}/*", "Condition": {"StringNotEquals": {matrix.SSE_HEADER: matrix.SSE_KMS}}}]}


def apply_bucket_encryption(ctx, policy: dict | None = None, bucket_key: bool = True):
    s3, key = ctx.client("s3"), _key(ctx)
    s3.put_bucket_encryption(Bucket=_bucket(ctx), ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]},
        "BucketKeyEnabled": bucket_key}]})
    s3.put_bucket_policy(Bucket=_bucket(ctx), Policy=json.dumps(policy or bucket_policy(ctx)))


def check_bucket_encryption(ctx):
    try:
        rules = ctx.client("s3").get_bucket_encryption(Bucket=_bucket(ctx))["ServerSideEncryptionConfiguration"]["Rules"]
    except Exception as err:  # noqa: BLE001 - no configuration
        if labkit.error_code(err) not in ("ServerSideEncryptionConfigurationNotFoundError", "NoSuchBucket"):
            raise
        rules = []
    default = (rules[0] if rules else {}).get("ApplyServerSideEncryptionByDefault", {})
    yield expect("default encryption is SSE-KMS with the lab's key",
                 default.get("SSEAlgorithm") == "aws:kms" and _is_lab_key(ctx, default.get("KMSMasterKeyID")),
                 f"{default.get('SSEAlgorithm')} with {default.get('KMSMasterKeyID')}" if default else "none")
    yield expect("the S3 Bucket Key is enabled (fewer KMS requests)", bool(rules) and rules[0].get("BucketKeyEnabled"),
                 "BucketKeyEnabled" if rules and rules[0].get("BucketKeyEnabled") else "BucketKeyEnabled is not true")
    policy, key = _bucket_policy(ctx), _key(ctx)
    rows = matrix.bucket_requests(_bucket(ctx), key["Arn"] if key else "")

    def decide(row):
        try:
            return judge.access_allowed(_role_docs(ctx, row), policy,
                                        judge.Request(row.action, row.resource, _principal(ctx, row), row.context))
        except ValueError as err:
            return judge.Decision(False, f"the bucket policy could not be evaluated: {err}")

    yield from _verdict_checks(rows, decide, None if policy else "the bucket has no policy yet", "bucket policy")


def _tls_bool_true(ctx):
    """Bool aws:SecureTransport "true": denies every HTTPS request and lets plain HTTP through."""
    policy = bucket_policy(ctx)
    policy["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    apply_bucket_encryption(ctx, policy)


def _sse_on_bucket_arn(ctx):
    """The upload deny names the bucket ARN, not its objects (no /*): it never matches a PutObject."""
    policy = bucket_policy(ctx)
    policy["Statement"][1]["Resource"] = f"arn:aws:s3:::{_bucket(ctx)}"
    apply_bucket_encryption(ctx, policy)


def _without_bucket_key(ctx):
    apply_bucket_encryption(ctx, bucket_key=False)


# -- step 5: the S3 gateway endpoint (task) ----------------------------------------------------------------
def endpoint_policy(ctx) -> dict:
    b = f"arn:aws:s3:::{_bucket(ctx)}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "LabBucketOnly", "Effect": "Allow", "Principal": "*",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": [b, f"{b}/*"]}]}


def apply_gateway_endpoint(ctx, policy: dict | None = None):
    ec2 = ctx.client("ec2")
    vpc, _, _ = _network(ctx)
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    ctx.track("ec2:vpc-endpoint", vpc)
    ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway", ServiceName=f"com.amazonaws.{ctx.region}.s3",
                            RouteTableIds=[t["RouteTableId"] for t in tables],
                            PolicyDocument=json.dumps(policy or endpoint_policy(ctx)),
                            TagSpecifications=ctx.tag_specifications("vpc-endpoint"))


def _subnet_route_tables(ctx) -> dict[str, str]:
    """Each lab subnet's route table: its explicit association, else the VPC's main table."""
    vpc, subnets, _ = _network(ctx)
    tables = ctx.client("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    explicit, main = {}, None
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("SubnetId"):
                explicit[assoc["SubnetId"]] = table["RouteTableId"]
            if assoc.get("Main"):
                main = table["RouteTableId"]
    return {s["SubnetId"]: explicit.get(s["SubnetId"], main) for s in subnets}


def check_gateway_endpoint(ctx):
    endpoint = _endpoint(ctx)
    yield expect("an S3 gateway endpoint in the lab's VPC", endpoint,
                 endpoint["VpcEndpointId"] if endpoint else f"no Gateway endpoint for com.amazonaws.{ctx.region}.s3")
    routed = set((endpoint or {}).get("RouteTableIds", []))
    missing = [s for s, t in _subnet_route_tables(ctx).items() if t not in routed]
    yield expect("both private subnets route S3 through it", endpoint and not missing,
                 f"not associated with the route table of {', '.join(missing)}" if missing else "every subnet")
    policy = (endpoint or {}).get("PolicyDocument")

    def decide(row):
        try:
            return judge.evaluate(policy, judge.Request(row.action, row.resource, _principal(ctx, row)),
                                  resource_policy=True)
        except ValueError as err:
            return judge.Decision(False, f"the endpoint policy could not be evaluated: {err}")

    yield from _verdict_checks(matrix.endpoint_requests(_bucket(ctx)), decide,
                               None if endpoint else "no endpoint yet", "endpoint policy")


def _endpoint_full_access(ctx):
    """No policy: AWS attaches the default full-access policy."""
    apply_gateway_endpoint(ctx, {"Version": "2008-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})


# -- step 6: the secured training job (task) ---------------------------------------------------------------
def training_request(ctx) -> dict:
    """The task's CreateTrainingJob request (practice variants change one thing in it)."""
    _, subnets, sg = _network(ctx)
    key = _key(ctx)["Arn"]
    return dict(
        TrainingJobName=_job(ctx), RoleArn=_role_arn(ctx),
        AlgorithmSpecification={"TrainingImage": _image(ctx), "TrainingInputMode": "File"},
        HyperParameters={"objective": "binary:logistic", "num_round": "20"},
        InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{_bucket(ctx)}/{matrix.TRAIN_PREFIX}",
            "S3DataDistributionType": "FullyReplicated"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{_bucket(ctx)}/{matrix.MODELS_PREFIX}", "KmsKeyId": key},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": INSTANCE_COUNT, "VolumeSizeInGB": 5,
                        "VolumeKmsKeyId": key},
        VpcConfig={"SecurityGroupIds": [sg], "Subnets": [s["SubnetId"] for s in subnets]},
        EnableNetworkIsolation=True, EnableInterContainerTrafficEncryption=True,
        StoppingCondition={"MaxRuntimeInSeconds": 900}, Tags=ctx.tag_list())


def apply_secure_training(ctx, request: dict | None = None):
    ctx.track("sagemaker:job", _job(ctx), type="training")
    ctx.client("sagemaker").create_training_job(**(request or training_request(ctx)))


def check_secure_training(ctx):
    job = _training_job(ctx)
    yield expect("the training job runs as the least-privilege role", job and job.get("RoleArn") == _role_arn(ctx),
                 job.get("RoleArn", "no training job") if job else "no training job")
    _, subnets, sg = _network(ctx)
    vpc = job.get("VpcConfig") or {}
    lab_subnets = {s["SubnetId"] for s in subnets}
    inside = bool(vpc.get("Subnets")) and set(vpc["Subnets"]) <= lab_subnets and vpc.get("SecurityGroupIds") == [sg]
    yield expect("it runs in the lab's private subnets with the lab's security group", inside,
                 json.dumps(vpc) if vpc else "no VpcConfig: the job would run in SageMaker's own VPC")
    yield equal("network isolation is on (no calls in or out of the container)", job.get("EnableNetworkIsolation"), True)
    yield equal("inter-container traffic encryption is on", job.get("EnableInterContainerTrafficEncryption"), True)
    out = (job.get("OutputDataConfig") or {}).get("KmsKeyId")
    vol = (job.get("ResourceConfig") or {}).get("VolumeKmsKeyId")
    yield expect("the model artefact is encrypted with the lab's key", _is_lab_key(ctx, out), out or "no KmsKeyId")
    yield expect("the training volumes are encrypted with the lab's key", _is_lab_key(ctx, vol), vol or "no VolumeKmsKeyId")


def _without_isolation(ctx):
    request = training_request(ctx)
    request["EnableNetworkIsolation"] = False
    apply_secure_training(ctx, request)


def _output_without_key(ctx):
    request = training_request(ctx)
    request["OutputDataConfig"].pop("KmsKeyId")
    apply_secure_training(ctx, request)


# -- step 7: the database secret and the processing job that reads it (task) -----------------------------
def processing_request(ctx, secret_arn: str) -> dict:
    key = _key(ctx)["Arn"]
    return dict(
        ProcessingJobName=_processing(ctx), RoleArn=_role_arn(ctx),
        AppSpecification={"ImageUri": _image(ctx, "sagemaker-scikit-learn:1.2-1-cpu-py3"),
                          "ContainerEntrypoint": ["python3", "/opt/ml/processing/code/connect.py"],
                          "ContainerArguments": [secret_reader.SECRET_ARG, secret_arn]},
        ProcessingInputs=[{"InputName": "code", "S3Input": {
            "S3Uri": f"s3://{_bucket(ctx)}/{SCRIPT_KEY}", "LocalPath": "/opt/ml/processing/code",
            "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        ProcessingOutputConfig={"KmsKeyId": key, "Outputs": [{"OutputName": "connection", "S3Output": {
            "S3Uri": f"s3://{_bucket(ctx)}/connection/", "LocalPath": "/opt/ml/processing/output",
            "S3UploadMode": "EndOfJob"}}]},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large",
                                               "VolumeSizeInGB": 5, "VolumeKmsKeyId": key}},
        Environment={SECRET_ENV: secret_arn},
        StoppingCondition={"MaxRuntimeInSeconds": 600}, Tags=ctx.tag_list())


def apply_secret(ctx, change=None):
    secrets = ctx.client("secretsmanager")
    value = {"username": USERNAME, "password": random_secrets.token_urlsafe(24), "host": DB_HOST, "dbname": "features"}
    ctx.track("secretsmanager:secret", _secret(ctx))
    arn = secrets.create_secret(Name=_secret(ctx), KmsKeyId=_key(ctx)["Arn"], SecretString=json.dumps(value),
                                Description="features database: the processing job's login", Tags=ctx.tag_list())["ARN"]
    request = processing_request(ctx, arn)
    if change is not None:
        change(request, value)
    ctx.track("sagemaker:job", _processing(ctx), type="processing")
    ctx.client("sagemaker").create_processing_job(**request)


def _password(ctx) -> str | None:
    """The secret's password, to make sure it appears nowhere; never shown in a message."""
    try:
        return json.loads(ctx.client("secretsmanager").get_secret_value(SecretId=_secret(ctx))["SecretString"]).get("password")
    except Exception:  # noqa: BLE001 - no secret, or not JSON
        return None


def check_secret(ctx):
    meta = _secret_meta(ctx)
    yield expect("the database secret is encrypted with the lab's key", meta and _is_lab_key(ctx, meta.get("KmsKeyId")),
                 (meta.get("KmsKeyId") or "the AWS managed key aws/secretsmanager") if meta else "no secret yet")
    if meta:
        policy = ctx.client("secretsmanager").get_resource_policy(SecretId=meta["ARN"]).get("ResourcePolicy")
        iam = ctx.client("iam")
        mine = judge.role_may_access(iam, _role(ctx), "secretsmanager:GetSecretValue", meta["ARN"], policy)
        other = judge.role_may_access(iam, _role(ctx), "secretsmanager:GetSecretValue",
                                      meta["ARN"].replace(_secret(ctx), ctx.name("other-db")), None)
        yield expect("the role may read exactly this secret", mine and not other,
                     mine.why if not mine else f"it may read other secrets too ({other.why})" if other else mine.why,
                     "simulated")
    else:
        yield Check("the role may read exactly this secret", False, "no secret yet", "simulated")
    job = _processing_job(ctx)
    passed = secret_reader.passed_values(job)
    names = {meta["ARN"], meta["Name"]} if meta else set()
    yield expect(f"the processing job gets the secret's ARN ({SECRET_ENV} / {secret_reader.SECRET_ARG}), not its value",
                 job and any(v in names for v in passed),
                 "by reference" if any(v in names for v in passed) else
                 "no secret ARN among what the job passes (moto keeps only ContainerArguments, not Environment)"
                 if job else "no processing job yet")
    password = _password(ctx)
    env = job.get("Environment") or {}
    leaked = [v for v in passed if password and password in v]
    named = sorted(k for k in env if "PASSWORD" in k.upper() or "PASSWD" in k.upper())
    named += [a for a in (job.get("AppSpecification") or {}).get("ContainerArguments") or []
              if "password" in a.lower() or "passwd" in a.lower()]
    yield expect("no password in what the job passes its container (DescribeProcessingJob shows it)",
                 job and password and not leaked and not named,
                 f"the password is passed in plain text ({', '.join(named) or 'a value'}): pass the secret's ARN instead"
                 if leaked or named else "clean" if job else "no processing job yet")


def _password_passed_in_plain_text(ctx):
    def change(request, value):
        request["Environment"] = {"DB_USER": value["username"], "DB_PASSWORD": value["password"]}
        request["AppSpecification"]["ContainerArguments"] = ["--db-password", value["password"]]
    apply_secret(ctx, change)


# -- step 8: the processing run and the audit (auto) -------------------------------------------------------
def apply_audit(ctx):
    labkit.record(ctx, "connection", secret_reader.connect(ctx, _processing(ctx)))
    rows = []
    for subject, checks in (("training role", check_training_role), ("key policy", check_kms_key),
                            ("bucket policy", check_bucket_encryption), ("endpoint policy", check_gateway_endpoint)):
        rows += [{"policy": subject, "request": c.name, "as_expected": c.ok, "why": c.message}
                 for c in checks(ctx) if c.verified_by == "simulated"]
    labkit.record(ctx, "audit", rows)


def check_audit(ctx):
    seen = labkit.observed(ctx, "connection")
    if seen is None:
        yield labkit.not_run("the processing run read the secret through its role", "local")
    else:
        yield equal("the processing run read the secret through its role and connects as the task's user",
                    seen.get("connected_as"), USERNAME, "local") if seen.get("connected") else \
            Check("the processing run read the secret through its role and connects as the task's user", False,
                  seen.get("why", "not connected"), "local")
        password = _password(ctx)
        clean = bool(password) and password not in json.dumps(seen)
        yield expect("the run's record holds no password", clean, "only the user name and host" if clean
                     else "the record would expose the password", "local")
    audit = labkit.observed(ctx, "audit")
    if audit is None:
        yield labkit.not_run("every request of the audit matrix got the task's verdict", "simulated")
    else:
        wrong = [f"{r['policy']}: {r['request']}" for r in audit if not r["as_expected"]]
        yield expect("every request of the audit matrix got the task's verdict", audit and not wrong,
                     f"{len(audit) - len(wrong)} of {len(audit)} as expected" + (f"; wrong: {'; '.join(wrong)}" if wrong else ""),
                     "simulated")


MUTATIONS = {
    "training_role": [("s3:* on the whole bucket, no explicit deny", _role_may_read_everything),
                      ("no permission for the database secret", _role_without_secret)],
    "kms_key": [('the use statement names Principal "*"', _key_for_everyone),
                ("automatic rotation left off", _key_without_rotation)],
    "bucket_encryption": [('Bool aws:SecureTransport "true" instead of "false"', _tls_bool_true),
                          ("the upload deny names the bucket ARN without /*", _sse_on_bucket_arn),
                          ("BucketKeyEnabled left false", _without_bucket_key)],
    "gateway_endpoint": [("no endpoint policy (full access)", _endpoint_full_access)],
    "secure_training": [("network isolation off", _without_isolation),
                        ("model output without the KMS key", _output_without_key)],
    "secret": [("the password passed in plain text (Environment and arguments)", _password_passed_in_plain_text)],
}
