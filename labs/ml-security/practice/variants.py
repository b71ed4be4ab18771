"""ml-security: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("ml-security").load_steps()


def _bucket(ctx):
    return f"arn:aws:s3:::{ctx.name('data')}"


# -- training role ----------------------------------------------------------------------------------
def _role_bucket_wide_with_deny(ctx):
    """GetObject on the whole bucket, narrowed by the explicit Deny on restricted/ and one on train/ writes."""
    steps = _steps()
    policy = steps.role_policy(ctx)
    b = _bucket(ctx)
    policy["Statement"][0]["Resource"] = f"{b}/*"
    policy["Statement"].append({"Effect": "Deny", "Action": "s3:PutObject", "Resource": f"{b}/train/*"})
    steps.apply_training_role(ctx, policy)


def _role_reads_everything(ctx):
    steps = _steps()
    policy = steps.role_policy(ctx)
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "NeverRestricted"]
    policy["Statement"][0]["Resource"] = f"{_bucket(ctx)}/*"
    steps.apply_training_role(ctx, policy)


def _role_any_secret(ctx):
    steps = _steps()
    policy = steps.role_policy(ctx)
    for statement in policy["Statement"]:
        if statement["Sid"] == "ReadTheDatabaseSecret":
            statement["Resource"] = "*"
    steps.apply_training_role(ctx, policy)


# -- key policy -------------------------------------------------------------------------------------
def _key_use_without_via_service(ctx):
    steps = _steps()
    policy = steps.key_policy(ctx)
    policy["Statement"][1].pop("Condition")
    steps.apply_kms_key(ctx, policy)


def _key_root_only_plus_iam(ctx):
    """The default key policy (root only) and the role's own IAM policy granting the key's use."""
    steps = _steps()
    policy = steps.key_policy(ctx)
    policy["Statement"] = policy["Statement"][:1]
    steps.apply_kms_key(ctx, policy)
    ctx.client("iam").put_role_policy(
        RoleName=ctx.name("trainer", max_len=64), PolicyName="use-the-key", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt"],
                "Resource": f"arn:aws:kms:{ctx.region}:{ctx.account}:key/*"}]}))


def _key_without_root(ctx):
    """No root statement: the role uses the key, but nobody may administer it any more."""
    steps = _steps()
    policy = steps.key_policy(ctx)
    policy["Statement"] = policy["Statement"][1:]
    steps.apply_kms_key(ctx, policy)


def _key_role_administers(ctx):
    steps = _steps()
    policy = steps.key_policy(ctx)
    policy["Statement"][1]["Action"] = "kms:*"
    policy["Statement"][1].pop("Condition")
    steps.apply_kms_key(ctx, policy)


# -- bucket policy ----------------------------------------------------------------------------------
def _bucket_with(change):
    def build(ctx):
        steps = _steps()
        policy = steps.bucket_policy(ctx)
        change(policy, ctx)
        steps.apply_bucket_encryption(ctx, policy)
    return build


def _null_condition(policy, ctx):
    policy["Statement"][1]["Condition"] = {"Null": {"s3:x-amz-server-side-encryption": "true"}}


def _null_and_not_equals(policy, ctx):
    statement = policy["Statement"][1]
    policy["Statement"].append({**statement, "Sid": "DenyOtherSse",
                                "Condition": {"Null": {"s3:x-amz-server-side-encryption": True}}})


def _tls_split_in_two_with_action_list(policy, ctx):
    b = _bucket(ctx)
    tls = policy["Statement"][0]
    policy["Statement"][0] = {**tls, "Resource": b, "Action": ["s3:ListBucket", "s3:GetBucketLocation"]}
    policy["Statement"].append({**tls, "Sid": "TlsObjects", "Resource": f"{b}/*",
                                "Condition": {"Bool": {"aws:SecureTransport": False}}})


def _bool_true(policy, ctx):
    policy["Statement"][0]["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}


def _sse_on_bucket_arn(policy, ctx):
    policy["Statement"][1]["Resource"] = _bucket(ctx)


def _tls_objects_only(policy, ctx):
    policy["Statement"][0]["Resource"] = f"{_bucket(ctx)}/*"


def _allow_instead_of_deny(policy, ctx):
    for statement in policy["Statement"]:
        statement["Effect"] = "Allow"


def _default_encryption_by_key_id(ctx):
    def change(params):
        rule = params["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
        rule["KMSMasterKeyID"] = f"alias/{ctx.name('key')}"
    tweak(ctx, "s3", "PutBucketEncryption", change, _steps().apply_bucket_encryption)


def _default_sse_s3(ctx):
    def change(params):
        params["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"] = {
            "SSEAlgorithm": "AES256"}
    tweak(ctx, "s3", "PutBucketEncryption", change, _steps().apply_bucket_encryption)


# -- gateway endpoint ---------------------------------------------------------------------------------
def _endpoint_s3_star(ctx):
    b = _bucket(ctx)
    _steps().apply_gateway_endpoint(ctx, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": [b, f"{b}/*"]}]})


def _endpoint_without_policy(ctx):
    tweak(ctx, "ec2", "CreateVpcEndpoint", lambda p: p.pop("PolicyDocument"), _steps().apply_gateway_endpoint)


def _endpoint_without_route_tables(ctx):
    tweak(ctx, "ec2", "CreateVpcEndpoint", lambda p: p.pop("RouteTableIds"), _steps().apply_gateway_endpoint)


# -- training ---------------------------------------------------------------------------------------
def _training(change):
    def build(ctx):
        steps = _steps()
        request = steps.training_request(ctx)
        change(request, ctx)
        steps.apply_secure_training(ctx, request)
    return build


def _key_by_alias(request, ctx):
    alias = f"alias/{ctx.name('key')}"
    request["OutputDataConfig"]["KmsKeyId"] = alias
    request["ResourceConfig"]["VolumeKmsKeyId"] = alias


def _one_subnet(request, ctx):
    request["VpcConfig"]["Subnets"] = request["VpcConfig"]["Subnets"][:1]


def _no_vpc(request, ctx):
    request.pop("VpcConfig")


def _no_inter_container(request, ctx):
    request["EnableInterContainerTrafficEncryption"] = False


def _volume_without_key(request, ctx):
    request["ResourceConfig"].pop("VolumeKmsKeyId")


# -- secret -----------------------------------------------------------------------------------------
def _secret(change):
    return lambda ctx: _steps().apply_secret(ctx, change)


def _arguments_only(request, value):
    request.pop("Environment")


def _secret_by_name(request, value):
    request["Environment"] = {"DB_SECRET_ARN": request["Environment"]["DB_SECRET_ARN"].rsplit(":", 1)[-1][:-7]}
    request["AppSpecification"]["ContainerArguments"] = ["--secret-arn", request["Environment"]["DB_SECRET_ARN"]]


def _password_argument(request, value):
    request["AppSpecification"]["ContainerArguments"] += ["--db-password", value["password"]]


def _password_in_environment_only(request, value):
    request["Environment"]["DB_PASSWORD"] = value["password"]


def _secret_resource_policy_grant(ctx):
    """The role's policy loses its secret statement; the secret's resource policy names the role instead."""
    steps = _steps()
    policy = steps.role_policy(ctx)
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "ReadTheDatabaseSecret"]
    ctx.client("iam").put_role_policy(RoleName=ctx.name("trainer", max_len=64), PolicyName="least-privilege",
                                      PolicyDocument=json.dumps(policy))
    steps.apply_secret(ctx)
    role = f"arn:aws:iam::{ctx.account}:role/{ctx.name('trainer', max_len=64)}"
    ctx.client("secretsmanager").put_resource_policy(SecretId=ctx.name("db"), ResourcePolicy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": role},
                                                "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))


def _secret_default_key(ctx):
    tweak(ctx, "secretsmanager", "CreateSecret", lambda p: p.pop("KmsKeyId"), _steps().apply_secret)


VARIANTS = [
    accept("training_role", "GetObject on the whole bucket narrowed by explicit denies", _role_bucket_wide_with_deny),
    reject("training_role", "GetObject on the whole bucket and no deny on restricted/", _role_reads_everything,
           fix="restricted/"),
    reject("training_role", "GetSecretValue on every secret", _role_any_secret, fix="another secret"),
    accept("kms_key", "the role's use not limited by kms:ViaService", _key_use_without_via_service),
    accept("kms_key", "the default key policy (root only) and the role's IAM policy granting the key's use",
           _key_root_only_plus_iam),
    reject("kms_key", "no root statement: nobody administers the key", _key_without_root, fix="administer"),
    reject("kms_key", "the role gets kms:* on the key", _key_role_administers, fix="schedule the key's deletion"),
    accept("bucket_encryption", "Null condition instead of StringNotEquals", _bucket_with(_null_condition)),
    accept("bucket_encryption", "Null and StringNotEquals, in two statements", _bucket_with(_null_and_not_equals)),
    accept("bucket_encryption", "TLS denied by two statements, an action list and a JSON boolean",
           _bucket_with(_tls_split_in_two_with_action_list)),
    accept("bucket_encryption", "default encryption names the key by its alias", _default_encryption_by_key_id),
    reject("bucket_encryption", 'Bool aws:SecureTransport "true" instead of "false"', _bucket_with(_bool_true),
           fix="plain HTTP"),
    reject("bucket_encryption", "the upload deny names the bucket ARN, not its objects (no /*)",
           _bucket_with(_sse_on_bucket_arn), fix="without the encryption header"),
    reject("bucket_encryption", "the TLS deny covers the objects only", _bucket_with(_tls_objects_only),
           fix="ListBucket over plain HTTP"),
    reject("bucket_encryption", "Allow instead of Deny", _bucket_with(_allow_instead_of_deny), fix="refused"),
    reject("bucket_encryption", "default encryption SSE-S3 (AES256)", _default_sse_s3, fix="SSE-KMS"),
    accept("gateway_endpoint", "s3:* on the lab bucket, Principal {\"AWS\": \"*\"}", _endpoint_s3_star),
    reject("gateway_endpoint", "no endpoint policy (full access)", _endpoint_without_policy,
           fix="another bucket"),
    reject("gateway_endpoint", "no route table associated", _endpoint_without_route_tables, fix="route"),
    accept("secure_training", "the key named by its alias", _training(_key_by_alias)),
    accept("secure_training", "one of the two private subnets", _training(_one_subnet)),
    reject("secure_training", "no VpcConfig", _training(_no_vpc), fix="private subnets"),
    reject("secure_training", "inter-container traffic encryption off", _training(_no_inter_container),
           fix="inter-container"),
    reject("secure_training", "volumes without the key", _training(_volume_without_key), fix="volumes"),
    accept("secret", "the ARN passed as container arguments only", _secret(_arguments_only)),
    accept("secret", "the secret passed by name", _secret(_secret_by_name)),
    accept("secret", "the secret's resource policy grants the role instead of its IAM policy",
           _secret_resource_policy_grant),
    reject("secret", "the password passed as a container argument", _secret(_password_argument),
           fix="plain text"),
    reject("secret", "the password in the job's Environment", _secret(_password_in_environment_only),
           fix="plain text", known_gap="moto 5.2.6 drops a processing job's Environment: caught on AWS only"),
    reject("secret", "the secret encrypted with the AWS managed key", _secret_default_key, fix="lab's key"),
]
