"""EC2 accelerated instances: EC2's own data where the emulator has it, the published figures
(awslabs.sim.gpu_instances, sourced and dated) where it does not, and launches that cost nothing."""
from __future__ import annotations

import datetime as dt
import json

from awslabs import labkit
from awslabs.lab import equal, expect

AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SPOT_TYPE = "p3.2xlarge"
SPOT_MAX_PRICE = "0.01"  # far below any P3 Spot price: on AWS the request can never be fulfilled
SPOT_NAME, FORGOTTEN_NAME, FORGOTTEN_TYPE = "p3-spot", "forgotten-spot", "g5.xlarge"  # Name tags


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
    lines = ["| type | accelerators | memory each (GB) | vCPUs | memory (GiB) | network | source |", "|---" * 7 + "|"]
    for f in TABLE:
        source = "DescribeInstanceTypes" if f.name in described else "published figures (not in this EC2 data)"
        lines.append(f"| {f.name} | {f.count} x {f.accelerator} | {f.memory_gb_each} | {f.vcpus} | {f.memory_gib} | "
                     f"{f.network} | {source} |")
    (ctx.output_dir / "accelerated-instances.md").write_text("\n".join(lines) + "\n")


def _table_rows(ctx) -> dict[str, dict]:
    """The rows of the table the step wrote: type -> {count, accelerator, memory_gb_each, ...}."""
    rows = {}
    for line in (ctx.output_dir / "accelerated-instances.md").read_text().splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        count, accelerator = cells[1].split(" x ", 1)
        rows[cells[0]] = {"count": int(count), "accelerator": accelerator, "memory_gb_each": float(cells[2]),
                          "vcpus": int(cells[3]), "memory_gib": float(cells[4]), "network": cells[5], "source": cells[6]}
    return rows


def check_describe_accelerators(ctx):
    from awslabs.sim.gpu_instances import BY_NAME, from_describe

    # EC2's own answer, read here; the step's table must agree with it wherever EC2 has the type.
    described = {}
    for page in ctx.client("ec2").get_paginator("describe_instance_types").paginate(
            Filters=[{"Name": "instance-type", "Values": list(BY_NAME)}]):
        for item in page["InstanceTypes"]:
            described[item["InstanceType"]] = from_describe(item)
    rows = _table_rows(ctx)
    yield equal("the table the step wrote (accelerated-instances.md) has a row for every type",
                sorted(rows), sorted(BY_NAME), verified_by="simulated")
    wrong_source = [n for n, r in rows.items() if (r["source"] == "DescribeInstanceTypes") != (n in described)]
    yield equal("each row names its source: DescribeInstanceTypes exactly for the types EC2 describes", wrong_source, [])
    off = [f"{n}: table {r['count']} x {r['memory_gb_each']} GB, {r['vcpus']} vCPUs; EC2 {described[n]}"
           for n, r in rows.items() if n in described and (
               (r["count"], r["vcpus"], r["memory_gib"]) != (described[n]["count"], described[n]["vcpus"], described[n]["memory_gib"])
               or abs(described[n]["memory_gib_each"] - r["memory_gb_each"]) > 0.1 * r["memory_gb_each"])]
    yield expect("every row EC2 can confirm agrees with EC2's data", rows and not off,
                 "; ".join(off) or f"{sum(n in described for n in rows)} rows confirmed")
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


def apply_size_for_workload(ctx):
    from awslabs.sim.gpu_instances import devices_needed, smallest_fit

    train, infer = _training_workload(), _inference_workload()
    p3 = smallest_fit(train, family="P3")
    labkit.record(ctx, "sizing", {
        "train_gb": train.memory_gb, "train_p3": p3.name if p3 else None,
        "train_any": smallest_fit(train).name, "train_v100s": devices_needed(train, p3) if p3 else None,
        "infer_gb": infer.memory_gb, "infer_any": smallest_fit(infer).name,
    })


def check_size_for_workload(ctx):
    from awslabs.sim.gpu_instances import BY_NAME

    s = labkit.observed(ctx, "sizing")
    if s is None:
        yield labkit.not_run("the sizing was written", "simulated")
        return
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
        labkit.record(ctx, "dry_run", "launched?!")  # never expected: DryRun always raises
    except ec2.exceptions.ClientError as err:
        labkit.record(ctx, "dry_run", labkit.error_code(err))


def _run_instances(ctx, states=("pending", "running")):
    ec2 = ctx.client("ec2")
    found = ec2.describe_instances(Filters=[{"Name": "tag:awslabs:run", "Values": [ctx.run_id]},
                                            {"Name": "tag:awslabs:lab", "Values": [ctx.lab.id]},
                                            {"Name": "instance-state-name", "Values": list(states)}])
    return [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]]


def check_launch_dry_run(ctx):
    # One check: "nothing was launched" alone would pass before the step too.
    yield equal("DryRun answers DryRunOperation (permissions and parameters are fine), and no instance was launched",
                (labkit.observed(ctx, "dry_run"), _run_instances(ctx)), ("DryRunOperation", []))


def _spot_requests(ctx, name):
    """Spot requests of this run with the given Name tag (moto forgets a request once cancelled;
    AWS lists it as ``cancelled`` for a while)."""
    return ctx.client("ec2").describe_spot_instance_requests(Filters=[
        {"Name": "tag:awslabs:run", "Values": [ctx.run_id]}, {"Name": "tag:awslabs:lab", "Values": [ctx.lab.id]},
        {"Name": "tag:Name", "Values": [name]},
    ]).get("SpotInstanceRequests", [])


def _place_spot_request(ctx, name, instance_type):
    ec2 = ctx.client("ec2")
    entry = ctx.track_pending("ec2:spot-request", name)
    valid_until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    request = ec2.request_spot_instances(
        SpotPrice=SPOT_MAX_PRICE, InstanceCount=1, Type="one-time", ValidUntil=valid_until,
        LaunchSpecification={"ImageId": _ami(ctx), "InstanceType": instance_type},
        TagSpecifications=[{"ResourceType": "spot-instances-request", "Tags": ctx.tag_list(extra={"Name": name})}],
    )["SpotInstanceRequests"][0]
    ctx.resolve(entry, request["SpotInstanceRequestId"])
    instance = request.get("InstanceId")
    if instance:  # moto fulfils any request at once; AWS leaves these open (price-too-low)
        ctx.track("ec2:instance", instance)  # not tagged: a terminated instance would still match the run tag
    return request["SpotInstanceRequestId"], instance


def apply_spot_request(ctx):
    # Left open on purpose: at $0.01 AWS never fulfils it, and it expires by itself at ValidUntil.
    _place_spot_request(ctx, SPOT_NAME, SPOT_TYPE)


def check_spot_request(ctx):
    found = [(r["Type"], r["LaunchSpecification"].get("InstanceType"), float(r["SpotPrice"]), r["State"],
              r.get("ValidUntil") is not None) for r in _spot_requests(ctx, SPOT_NAME)]
    yield expect("a one-time Spot request for a p3.2xlarge at a $0.01 maximum price, with an expiry, is open",
                 ("one-time", SPOT_TYPE, 0.01, "open", True) in found or ("one-time", SPOT_TYPE, 0.01, "active", True) in found,
                 f"{found or 'no request tagged Name=' + SPOT_NAME} (AWS keeps it open: price-too-low; moto fulfils it at once)")
    # "Within the hour": a request that outlives the lab keeps waiting for a price drop (and would launch).
    latest = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1, minutes=5)
    expiries = [r["ValidUntil"] for r in _spot_requests(ctx, SPOT_NAME) if r.get("ValidUntil") is not None]
    yield expect("the request expires within the hour (ValidUntil)",
                 bool(expiries) and all(_utc(v) <= latest for v in expiries),
                 ", ".join(str(v) for v in expiries) or "no ValidUntil")


def _utc(value):
    """A ValidUntil as an aware UTC datetime (botocore parses it; a naive one is UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def apply_forgotten_spot(ctx):
    """Someone's forgotten Spot request (and, on moto, the instance it launched at once)."""
    rid, instance = _place_spot_request(ctx, FORGOTTEN_NAME, FORGOTTEN_TYPE)
    labkit.record(ctx, "forgotten", {"id": rid, "instance": instance})  # the cancel step's check looks it up


def check_forgotten_spot(ctx):
    found = [(r["LaunchSpecification"].get("InstanceType"), r["State"], r.get("InstanceId"))
             for r in _spot_requests(ctx, FORGOTTEN_NAME)]
    yield expect("a forgotten g5.xlarge Spot request is live (open, or active with its instance)",
                 any(t == FORGOTTEN_TYPE and state in ("open", "active") for t, state, _ in found),
                 f"{found or 'no request tagged Name=' + FORGOTTEN_NAME}")


def apply_cancel_spot(ctx):
    ec2 = ctx.client("ec2")
    live = [r for r in _spot_requests(ctx, FORGOTTEN_NAME) if r["State"] in ("open", "active", "disabled")]
    ec2.cancel_spot_instance_requests(SpotInstanceRequestIds=[r["SpotInstanceRequestId"] for r in live])
    instances = [r["InstanceId"] for r in live if r.get("InstanceId")]
    if instances:  # cancelling a request never terminates its instances
        ec2.terminate_instances(InstanceIds=instances)


def check_cancel_spot(ctx):
    live = [r["SpotInstanceRequestId"] for r in _spot_requests(ctx, FORGOTTEN_NAME)
            if r["State"] in ("open", "active", "disabled")]
    yield equal("the forgotten request is cancelled: nothing open or active is left", live, [])
    # The instance the forgotten request launched (moto forgets a cancelled request, so the
    # request cannot tell us any more).
    instance = (labkit.observed(ctx, "forgotten") or {}).get("instance")
    state = None
    if instance:
        found = ctx.client("ec2").describe_instances(InstanceIds=[instance])["Reservations"]
        state = found[0]["Instances"][0]["State"]["Name"] if found else "gone"
    yield expect("and the instance it launched is terminated (cancelling does not do that)",
                 state in (None, "shutting-down", "terminated", "gone"),
                 f"{instance}: {state}" if instance else "the request was never fulfilled")


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
    ctx.create_bucket(bucket)
    s3.put_object(Bucket=bucket, Key="train/README.txt", Body=b"placeholder channel")
    image = image_uris.retrieve("pytorch", region=ctx.region, version="2.1", py_version="py310",
                                instance_type="ml.p3.2xlarge", image_scope="training")
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
        return
    start_training(ctx, trainer, "p3", inputs)


def check_sagemaker_p3_job(ctx):
    """Judged on what the job left on the target, never on the reference's own facts: the data
    bucket's train/ channel and the training job created since that bucket. On AWS the job may have
    been validated with a dry run (~$3.8/hour and a quota otherwise), which leaves no job: then the
    channel is what there is to read, and the job's settings are reported as not checkable."""
    from awslabs.local.sagemaker_labkit import bucket_created, find_training_job
    from awslabs.sim.gpu_instances import BY_NAME

    # Training jobs cannot be deleted: only a job created since the data bucket counts.
    created = bucket_created(ctx, ctx.name("data"))
    name = find_training_job(ctx, "p3", since=created) if created else None
    if name is None and ctx.on_aws:
        listed = ctx.client("s3").list_objects_v2(Bucket=ctx.name("data"), Prefix="train/", MaxKeys=1) if created else {}
        yield expect("the data bucket has the train/ channel the job reads", listed.get("KeyCount", 0) > 0,
                     f"s3://{ctx.name('data')}/train/" + ("" if created else ": the bucket does not exist"))
        yield ctx.aws_only("a submitted ml.p3.2xlarge job", "none found since the bucket was created: a dry run "
                           "(~$3.8/hour and a service quota otherwise) leaves no job on AWS to check")
        return
    if name is None:
        raise LookupError(f"no training job named {ctx.name('p3', max_len=48)}-… created since the bucket "
                          f"{ctx.name('data')}")
    job = ctx.client("sagemaker").describe_training_job(TrainingJobName=name)
    resources = job["ResourceConfig"]
    yield equal("the job asks for one ml.p3.2xlarge with managed spot",
                (resources["InstanceType"], resources["InstanceCount"], job.get("EnableManagedSpotTraining")),
                ("ml.p3.2xlarge", 1, True))
    figures = BY_NAME.get(resources["InstanceType"].removeprefix("ml."))
    yield expect("ml.p3.2xlarge is a p3.2xlarge: 1 V100 with 16 GB, 8 vCPUs, 61 GiB",
                 figures is not None and (figures.count, figures.memory_gb_each, figures.vcpus, figures.memory_gib) == (1, 16, 8, 61),
                 f"{resources['InstanceType']}: " + (f"{figures.count} x {figures.accelerator} {figures.memory_gb_each} GB, "
                                                    f"{figures.vcpus} vCPUs, {figures.memory_gib} GiB" if figures else "not in the table"),
                 verified_by="simulated")
    yield expect("and the PyTorch GPU image", "gpu" in job["AlgorithmSpecification"]["TrainingImage"],
                 job["AlgorithmSpecification"]["TrainingImage"])
    stopping = job.get("StoppingCondition", {})
    yield expect("managed spot has a MaxWaitTimeInSeconds of at least MaxRuntimeInSeconds",
                 stopping.get("MaxWaitTimeInSeconds", 0) >= stopping.get("MaxRuntimeInSeconds", 1) > 0,
                 json.dumps(stopping))
