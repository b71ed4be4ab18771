"""EC2 accelerated instances: EC2's own data where the emulator has it, the published figures
(awslabs.sim.gpu_instances, sourced and dated) where it does not, and launches that cost nothing."""
from __future__ import annotations

import datetime as dt

from awslabs.lab import equal, expect

AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SPOT_TYPE = "p3.2xlarge"
SPOT_MAX_PRICE = "0.01"  # far below any P3 Spot price: on AWS the request can never be fulfilled


def _training_workload():
    from awslabs.sim.gpu_instances import Workload

    return Workload("fine-tune a 13-billion-parameter model, mixed precision + Adam, one node", 13, training=True,
                    min_network_gbps=25)


def _inference_workload():
    from awslabs.sim.gpu_instances import Workload

    return Workload("serve a 7-billion-parameter model in fp16 on one accelerator", 7, training=False,
                    needs_cuda=False)


def apply_describe_accelerators(ctx):
    from awslabs.sim.gpu_instances import TABLE, from_describe

    ec2 = ctx.client("ec2")
    # A filter (unlike InstanceTypes=[...]) returns the types that exist instead of failing on one that does not.
    names = [f.name for f in TABLE]
    described = {}
    for page in ec2.get_paginator("describe_instance_types").paginate(
            Filters=[{"Name": "instance-type", "Values": names}]):
        for item in page["InstanceTypes"]:
            described[item["InstanceType"]] = from_describe(item)
    missing = [n for n in names if n not in described]
    ctx.state["described"], ctx.state["missing"] = described, missing
    lines = ["| type | accelerators | memory each (GB) | vCPUs | memory (GiB) | network | source |", "|---" * 7 + "|"]
    for f in TABLE:
        source = "DescribeInstanceTypes" if f.name in described else "published figures (not in this EC2 data)"
        lines.append(f"| {f.name} | {f.count} x {f.accelerator} | {f.memory_gb_each} | {f.vcpus} | {f.memory_gib} | "
                     f"{f.network} | {source} |")
    (ctx.output_dir / "accelerated-instances.md").write_text("\n".join(lines) + "\n")


def check_describe_accelerators(ctx):
    from awslabs.sim.gpu_instances import BY_NAME

    described = ctx.state["described"]
    p3dn = described.get("p3dn.24xlarge", {})
    yield equal("p3dn.24xlarge: 8 V100 GPUs with 32 GiB each, 96 vCPUs, 100 Gigabit",
                (p3dn.get("count"), p3dn.get("memory_gib_each"), p3dn.get("vcpus"), p3dn.get("network")),
                (8, 32.0, 96, "100 Gigabit"))
    disagree = []
    for name, got in described.items():
        pub = BY_NAME[name]
        memory_ok = abs(got["memory_gib_each"] - pub.memory_gb_each) <= 0.1 * pub.memory_gb_each
        if (got["count"], got["vcpus"], got["memory_gib"]) != (pub.count, pub.vcpus, pub.memory_gib) or not memory_ok:
            disagree.append(f"{name}: {got}")
    yield expect("the published table agrees with EC2's data for every type it describes",
                 described and not disagree, "; ".join(disagree) or f"{len(described)} types agree")
    missing = ctx.state["missing"]
    yield expect("every type is either described by EC2 or filled from the published figures",
                 len(described) + len(missing) == len(BY_NAME),
                 f"filled from the table: {missing or 'none'}", verified_by="emulated" if not missing else "simulated")


def apply_size_for_workload(ctx):
    from awslabs.sim.gpu_instances import devices_needed, smallest_fit

    train, infer = _training_workload(), _inference_workload()
    p3 = smallest_fit(train, family="P3")
    ctx.state["sizing"] = {
        "train_gb": train.memory_gb, "train_p3": p3.name if p3 else None,
        "train_any": smallest_fit(train).name, "train_v100s": devices_needed(train, p3) if p3 else None,
        "infer_gb": infer.memory_gb, "infer_any": smallest_fit(infer).name,
    }


def check_size_for_workload(ctx):
    from awslabs.sim.gpu_instances import BY_NAME

    s = ctx.state["sizing"]
    yield expect("13B-parameter training needs ~208 GB of accelerator memory: more than p3.16xlarge's 128 GB",
                 s["train_gb"] == 208 and BY_NAME["p3.16xlarge"].accelerator_memory_gb < s["train_gb"],
                 f"{s['train_gb']:.0f} GB of model state (16 bytes/parameter)", verified_by="simulated")
    yield equal("the smallest P3 that fits is p3dn.24xlarge (8 x 32 GB V100, 100 Gbps)", s["train_p3"],
                "p3dn.24xlarge", verified_by="simulated")
    yield equal("for 7B fp16 inference (14 GB) one accelerator suffices: g5.xlarge (A10G 24 GB)", s["infer_any"],
                "g5.xlarge", verified_by="simulated")


def _ami(ctx):
    return ctx.client("ssm").get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]


def apply_launch_dry_run(ctx):
    ec2 = ctx.client("ec2")
    try:
        ec2.run_instances(ImageId=_ami(ctx), InstanceType=SPOT_TYPE, MinCount=1, MaxCount=1, DryRun=True,
                          TagSpecifications=ctx.tag_specifications("instance"))
        ctx.state["dry_run"] = "launched?!"  # never expected: DryRun always raises
    except ec2.exceptions.ClientError as err:
        ctx.state["dry_run"] = err.response["Error"]["Code"]


def _run_instances(ctx, states=("pending", "running")):
    ec2 = ctx.client("ec2")
    found = ec2.describe_instances(Filters=[{"Name": "tag:awslabs:run", "Values": [ctx.run_id]},
                                            {"Name": "instance-state-name", "Values": list(states)}])
    return [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]]


def check_launch_dry_run(ctx):
    yield equal("DryRun answers DryRunOperation: permissions and parameters are fine", ctx.state["dry_run"],
                "DryRunOperation")
    yield equal("and no instance was launched", _run_instances(ctx), [])


def apply_spot_request(ctx):
    ec2 = ctx.client("ec2")
    entry = ctx.track_pending("ec2:spot-request", "p3-spot")
    valid_until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    request = ec2.request_spot_instances(
        SpotPrice=SPOT_MAX_PRICE, InstanceCount=1, Type="one-time", ValidUntil=valid_until,
        LaunchSpecification={"ImageId": _ami(ctx), "InstanceType": SPOT_TYPE},
        TagSpecifications=[{"ResourceType": "spot-instances-request", "Tags": ctx.tag_list()}],
    )["SpotInstanceRequests"][0]
    rid = ctx.resolve(entry, request["SpotInstanceRequestId"])
    ctx.state["spot"] = {"id": rid, "price": request.get("SpotPrice"), "type": request.get("Type"),
                         "state": request.get("State"), "status": request.get("Status", {}).get("Code")}
    instance = request.get("InstanceId")
    if instance:  # moto fulfils any request at once; AWS leaves this one open (price-too-low)
        ctx.track("ec2:instance", instance)  # not tagged: a terminated instance would still match the run tag
    ec2.cancel_spot_instance_requests(SpotInstanceRequestIds=[rid])  # cleanup's cancel is a no-op then
    if instance:  # cancelling a request never terminates its instances
        ec2.terminate_instances(InstanceIds=[instance])
    ctx.state["spot"]["instance"] = instance


def check_spot_request(ctx):
    spot = ctx.state["spot"]
    yield equal("a one-time Spot request with a $0.01 maximum price was placed", (spot["type"], float(spot["price"])),
                ("one-time", 0.01))
    ec2 = ctx.client("ec2")
    left = ec2.describe_spot_instance_requests(
        Filters=[{"Name": "tag:awslabs:run", "Values": [ctx.run_id]}]).get("SpotInstanceRequests", [])
    open_requests = [r["SpotInstanceRequestId"] for r in left if r["State"] in ("open", "active")]
    yield equal("the request is cancelled: nothing open or active is left", open_requests, [])
    yield equal("no Spot instance of this run is running", _run_instances(ctx), [])


def apply_sagemaker_p3_job(ctx):
    from awslabs.sagemaker_sdk import base_job_name, require_sdk

    require_sdk()
    from sagemaker.core import image_uris
    from sagemaker.train import ModelTrainer
    from sagemaker.core.training.configs import Compute, OutputDataConfig, StoppingCondition

    from awslabs.local.sagemaker_labkit import execution_role, sdk_tags, start_training
    from awslabs.sagemaker_sdk import sdk_session

    bucket = ctx.name("data")
    s3 = ctx.client("s3")
    ctx.track("s3:bucket", bucket)
    kwargs = {} if ctx.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": ctx.region}}
    s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": ctx.tag_list()})
    s3.put_object(Bucket=bucket, Key="train/README.txt", Body=b"placeholder channel")
    image = image_uris.retrieve("pytorch", region=ctx.region, version="2.1", py_version="py310",
                                instance_type="ml.p3.2xlarge", image_scope="training")
    ctx.state["gpu_image"] = image
    trainer = ModelTrainer(
        sagemaker_session=sdk_session(ctx, bucket), role=execution_role(ctx, bucket), training_image=image,
        base_job_name=base_job_name(ctx, "p3"),
        compute=Compute(instance_type="ml.p3.2xlarge", instance_count=1, volume_size_in_gb=30,
                        enable_managed_spot_training=True),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=3600, max_wait_time_in_seconds=7200),
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{bucket}/output"), tags=sdk_tags(ctx),
    )
    from sagemaker.core.training.configs import InputData

    inputs = [InputData(channel_name="train", data_source=f"s3://{bucket}/train/")]
    if ctx.on_aws:
        # ml.p3.2xlarge bills ~$3.8/hour and needs a training quota: validate, never submit.
        trainer.train(input_data_config=inputs, wait=False, logs=False, dry_run=True)
        ctx.state["p3_validated"] = True
        return
    start_training(ctx, trainer, "p3", inputs)


def check_sagemaker_p3_job(ctx):
    from awslabs.sim.gpu_instances import BY_NAME

    p3 = BY_NAME["p3.2xlarge"]
    yield expect("ml.p3.2xlarge is a p3.2xlarge: 1 V100 with 16 GB, 8 vCPUs, 61 GiB",
                 ctx.state.get("gpu_image") and (p3.count, p3.memory_gb_each, p3.vcpus) == (1, 16, 8),
                 f"GPU training image {ctx.state.get('gpu_image')}", verified_by="simulated")
    if ctx.on_aws:
        yield expect("the SDK validated the ml.p3.2xlarge job without submitting it", ctx.state.get("p3_validated"),
                     "dry_run=True")
        yield ctx.aws_only("a running ml.p3.2xlarge job", "not submitted on AWS: ~$3.8/hour and a service quota")
        return
    from awslabs.local.sagemaker_labkit import find_training_job

    name = find_training_job(ctx, "p3")
    if name is None:
        raise LookupError("no p3 job yet")
    job = ctx.client("sagemaker").describe_training_job(TrainingJobName=name)
    yield equal("the job asks for one ml.p3.2xlarge with managed spot",
                (job["ResourceConfig"]["InstanceType"], job["ResourceConfig"]["InstanceCount"],
                 job.get("EnableManagedSpotTraining")), ("ml.p3.2xlarge", 1, True))
    yield expect("and the PyTorch GPU image", "gpu" in job["AlgorithmSpecification"]["TrainingImage"],
                 job["AlgorithmSpecification"]["TrainingImage"])
