"""sagemaker-training: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import io
import json
import tarfile
import time

from awslabs.practice import accept, reject


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("sagemaker-training").load_steps()


def _script_mode_job(hyperparameters=None, upload=True):
    """The job without the SDK (boto3 / the AWS CLI): the script as sourcedir.tar.gz in the bucket,
    named by the sagemaker_program / sagemaker_submit_directory hyperparameters; no `code` channel."""
    def build(ctx):
        s = _steps()
        archive = s._uri(ctx, "code/file/sourcedir.tar.gz")
        if upload:
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
                for name in ("train.py", "inference.py"):
                    tar.add(s.CODE / name, arcname=name)
            ctx.client("s3").put_object(Bucket=s._bucket(ctx), Key="code/file/sourcedir.tar.gz", Body=buffer.getvalue())
        hps = {k: str(v) for k, v in s.HYPERPARAMETERS.items()}
        hps.update({"sagemaker_program": "train.py", "sagemaker_submit_directory": archive}
                   if hyperparameters is None else hyperparameters)

        def channel(name, prefix):
            return {"ChannelName": name, "InputMode": "File", "ContentType": "text/csv",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": s._uri(ctx, prefix),
                                                    "S3DataDistributionType": "FullyReplicated"}}}

        name = f"{ctx.name('file', max_len=48)}-{time.strftime('%Y-%m-%d-%H-%M-%S', time.gmtime())}"
        ctx.track("sagemaker:job", name, type="training")
        ctx.client("sagemaker").create_training_job(
            TrainingJobName=name, RoleArn=s._role_arn(ctx), HyperParameters=hps,
            AlgorithmSpecification={
                "TrainingImage": f"683313688378.dkr.ecr.{ctx.region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
                "TrainingInputMode": "File"},
            InputDataConfig=[channel("train", "train/"), channel("validation", "validation/")],
            OutputDataConfig={"S3OutputPath": s._uri(ctx, "output")},
            ResourceConfig={"InstanceType": s.INSTANCE, "InstanceCount": 1, "VolumeSizeInGB": 5},
            EnableManagedSpotTraining=True,
            StoppingCondition={"MaxRuntimeInSeconds": 900, "MaxWaitTimeInSeconds": 1800},
            CheckpointConfig={"S3Uri": s._uri(ctx, "checkpoints/file")})
    return build


def _role(trust_principal, policies):
    """The execution role built by hand: ``trust_principal`` in its trust policy, then ``policies(iam, name)``."""
    def build(ctx):
        iam, name = ctx.client("iam"), ctx.name("sm-role", max_len=64)
        ctx.track("iam:role", name)
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "SageMaker", "Effect": "Allow", "Principal": trust_principal, "Action": ["sts:AssumeRole"]}]}))
        policies(ctx, iam, name)
    return build


def _statement(actions, resources):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}]}


def _managed_and_inline(ctx, iam, name):
    """S3 in a customer managed policy attached to the role, logs and metrics inline."""
    bucket = f"arn:aws:s3:::{_steps()._bucket(ctx)}"
    arn = iam.create_policy(PolicyName=ctx.name("sm-data", max_len=64), PolicyDocument=json.dumps(
        _statement(["s3:GetObject", "s3:PutObject", "s3:ListBucket"], [bucket, f"{bucket}/*"])))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=json.dumps(
        _statement(["logs:*", "cloudwatch:PutMetricData"], "*")))


def _no_policies(ctx, iam, name):
    """Forgotten: the role has a trust policy and nothing else."""


def _read_only(ctx, iam, name):
    bucket = f"arn:aws:s3:::{_steps()._bucket(ctx)}"
    iam.put_role_policy(RoleName=name, PolicyName="data", PolicyDocument=json.dumps(
        _statement(["s3:GetObject", "s3:ListBucket", "logs:CreateLogStream", "logs:PutLogEvents"],
                   [bucket, f"{bucket}/*", "arn:aws:logs:*:*:*"])))


VARIANTS = [
    accept("execution_role", "trust Principal.Service as a list, S3 access in an attached customer managed policy, "
           "logs:* inline", _role({"Service": ["sagemaker.amazonaws.com"]}, _managed_and_inline)),
    reject("execution_role", "the trust policy copied from an EC2 example (ec2.amazonaws.com)",
           _role({"Service": "ec2.amazonaws.com"}, _managed_and_inline), fix="does not let sagemaker.amazonaws.com"),
    reject("execution_role", "the role trusts SageMaker but has no permissions policy",
           _role({"Service": "sagemaker.amazonaws.com"}, _no_policies), fix="may not s3:GetObject"),
    reject("execution_role", "read-only access to the bucket: the job cannot write model.tar.gz",
           _role({"Service": "sagemaker.amazonaws.com"}, _read_only), fix="may not s3:PutObject"),
    accept("submit_training_job", "script mode without the SDK (boto3 / AWS CLI): sourcedir.tar.gz named by "
           "sagemaker_program and sagemaker_submit_directory", _script_mode_job()),
    reject("submit_training_job", "no code shipped: neither a code channel nor sagemaker_program",
           _script_mode_job(hyperparameters={}), fix="ships"),
    reject("submit_training_job", "sagemaker_submit_directory names an archive never uploaded",
           _script_mode_job(upload=False), fix="ships"),
]
