"""ec2-gpu-instances: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import datetime as dt
import json
import time

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("ec2-gpu-instances").load_steps()


# -- spot request -----------------------------------------------------------------------------------
def _spot(change):
    return lambda ctx: tweak(ctx, "ec2", "RequestSpotInstances", change, _steps().apply_spot_request)


def _tagged_later(ctx):
    """RequestSpotInstances without TagSpecifications, the tags added with CreateTags."""
    steps = _steps()
    ec2 = ctx.client("ec2")
    request = ec2.request_spot_instances(
        SpotPrice="0.01", InstanceCount=1, Type="one-time",
        ValidUntil=dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=30),
        LaunchSpecification={"ImageId": steps._ami(ctx), "InstanceType": steps.SPOT_TYPE})["SpotInstanceRequests"][0]
    ec2.create_tags(Resources=[request["SpotInstanceRequestId"]], Tags=ctx.tag_list(extra={"Name": steps.SPOT_NAME}))


def _valid_for(delta):
    def change(params):
        params["ValidUntil"] = dt.datetime.now(dt.timezone.utc) + delta
    return change


# -- cancel -----------------------------------------------------------------------------------------
def _forgotten(ctx):
    steps = _steps()
    return [r for r in steps._spot_requests(ctx, steps.FORGOTTEN_NAME) if r["State"] in ("open", "active", "disabled")]


def _terminate_then_cancel(ctx):
    """The instance terminated first, the request cancelled after (by its id): the same end state."""
    ec2 = ctx.client("ec2")
    live = _forgotten(ctx)
    instances = [r["InstanceId"] for r in live if r.get("InstanceId")]
    if instances:
        ec2.terminate_instances(InstanceIds=instances)
    ec2.cancel_spot_instance_requests(SpotInstanceRequestIds=[r["SpotInstanceRequestId"] for r in live])


def _cancel_only(ctx):
    ctx.client("ec2").cancel_spot_instance_requests(SpotInstanceRequestIds=[r["SpotInstanceRequestId"] for r in _forgotten(ctx)])


def _terminate_only(ctx):
    instances = [r["InstanceId"] for r in _forgotten(ctx) if r.get("InstanceId")]
    ctx.client("ec2").terminate_instances(InstanceIds=instances)


# -- the SageMaker job, with boto3's CreateTrainingJob instead of the SDK's ModelTrainer ------------
IMAGE = "763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-training:2.1-gpu-py310"


def _job(ctx, **changes):
    bucket = ctx.name("data")
    ctx.create_bucket(bucket)
    ctx.client("s3").put_object(Bucket=bucket, Key="train/README.txt", Body=b"placeholder channel")
    iam = ctx.client("iam")
    role = iam.create_role(RoleName=ctx.name("sm-role", max_len=64), AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    time.sleep(1.1)  # the job must be created after the bucket (whole seconds)
    params = dict(
        TrainingJobName=f"{ctx.name('p3', max_len=48)}-{time.strftime('%Y-%m-%d-%H-%M-%S')}",
        AlgorithmSpecification={"TrainingImage": IMAGE.format(region=ctx.region), "TrainingInputMode": "File"},
        RoleArn=role,
        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/train/", "S3DataDistributionType": "FullyReplicated"}}}],
        OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
        ResourceConfig={"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        EnableManagedSpotTraining=True,
        StoppingCondition={"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 3600},
        Tags=ctx.tag_list(),
    )
    for key, value in changes.items():
        if callable(value):
            value(params)
        else:
            params[key] = value
    ctx.client("sagemaker").create_training_job(**params)


def _boto3_job(ctx):
    _job(ctx)


def _no_spot(ctx):
    _job(ctx, EnableManagedSpotTraining=False)


def _p3_8xlarge(ctx):
    _job(ctx, resources=lambda p: p["ResourceConfig"].update(InstanceType="ml.p3.8xlarge"))


def _cpu_image(ctx):
    _job(ctx, image=lambda p: p["AlgorithmSpecification"].update(
        TrainingImage=IMAGE.format(region=ctx.region).replace("-gpu-", "-cpu-")))


def _short_wait(ctx):
    _job(ctx, StoppingCondition={"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 1800})


VARIANTS = [
    accept("spot_request", "the price written 0.010 and an expiry in 30 minutes",
           _spot(lambda p: (p.update(SpotPrice="0.010"), _valid_for(dt.timedelta(minutes=30))(p)))),
    accept("spot_request", "requested untagged, then tagged with CreateTags", _tagged_later),
    reject("spot_request", "a persistent request instead of one-time", _spot(lambda p: p.update(Type="persistent")),
           fix="one-time"),
    reject("spot_request", "$0.10 instead of $0.01", _spot(lambda p: p.update(SpotPrice="0.10")), fix="$0.01"),
    reject("spot_request", "no expiry (ValidUntil left out)", _spot(lambda p: p.pop("ValidUntil")), fix="expiry"),
    reject("spot_request", "an expiry a week away, not within the hour", _spot(_valid_for(dt.timedelta(days=7))),
           fix="within the hour"),
    accept("cancel_spot", "the instance terminated first, then the request cancelled", _terminate_then_cancel),
    reject("cancel_spot", "the request cancelled, its instance left running", _cancel_only, fix="terminated"),
    reject("cancel_spot", "the instance terminated, the request left open", _terminate_only, fix="cancelled"),
    accept("sagemaker_p3_job", "boto3 CreateTrainingJob instead of the SDK, MaxWait equal to MaxRuntime", _boto3_job),
    reject("sagemaker_p3_job", "managed spot not enabled", _no_spot, fix="managed spot"),
    reject("sagemaker_p3_job", "ml.p3.8xlarge instead of ml.p3.2xlarge", _p3_8xlarge, fix="one ml.p3.2xlarge"),
    reject("sagemaker_p3_job", "the PyTorch CPU image", _cpu_image, fix="GPU image"),
    reject("sagemaker_p3_job", "MaxWaitTimeInSeconds shorter than MaxRuntimeInSeconds", _short_wait,
           fix="MaxWaitTimeInSeconds"),
]
