"""kinesis-firehose: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("kinesis-firehose").load_steps()


def _role_policy(role_suffix, change):
    """The reference create_bucket with one role's inline policy changed by ``change(document)``."""
    def edit(params):
        if params["RoleName"].endswith(role_suffix):
            document = json.loads(params["PolicyDocument"])
            change(document)
            params["PolicyDocument"] = json.dumps(document)
    return lambda ctx: tweak(ctx, "iam", "PutRolePolicy", edit, _steps().apply_create_bucket)


def _trust(role_suffix, change):
    def edit(params):
        if params["RoleName"].endswith(role_suffix):
            document = json.loads(params["AssumeRolePolicyDocument"])
            change(document)
            params["AssumeRolePolicyDocument"] = json.dumps(document)
    return lambda ctx: tweak(ctx, "iam", "CreateRole", edit, _steps().apply_create_bucket)


def _managed_policy(ctx):
    """The Firehose role's permissions in a customer managed policy attached to it, not inline."""
    _steps().apply_create_bucket(ctx)
    iam = ctx.client("iam")
    role = ctx.name("firehose-role", max_len=64)
    document = iam.get_role_policy(RoleName=role, PolicyName="deliver")["PolicyDocument"]
    iam.delete_role_policy(RoleName=role, PolicyName="deliver")
    arn = iam.create_policy(PolicyName=ctx.name("firehose-deliver", max_len=128),
                            PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)


def _action_list_trust(document):
    """Principal.Service as a list and Action as a list: the same trust."""
    for statement in document["Statement"]:
        statement["Principal"]["Service"] = [statement["Principal"]["Service"]]
        statement["Action"] = [statement["Action"]]


def _trusts_lambda(document):
    document["Statement"][0]["Principal"]["Service"] = "lambda.amazonaws.com"


def _no_invoke(document):
    document["Statement"] = [s for s in document["Statement"] if "lambda:InvokeFunction" not in s["Action"]]


def _bucket_only(document):
    """s3:PutObject on the bucket ARN only, not on its objects (bucket/*)."""
    for statement in document["Statement"]:
        if "s3:PutObject" in statement["Action"]:
            statement["Resource"] = [r for r in statement["Resource"] if not r.endswith("/*")]


def _function(change):
    return lambda ctx: tweak(ctx, "lambda", "CreateFunction", change, _steps().apply_transform_function)


def _stream(change, operation="CreateDeliveryStream", apply="apply_delivery_stream"):
    def edit(params):
        if "ExtendedS3DestinationConfiguration" in params:
            change(params["ExtendedS3DestinationConfiguration"])
    return lambda ctx: tweak(ctx, "firehose", operation, edit, getattr(_steps(), apply))


def _latest_qualifier(config):
    """The Lambda ARN with :$LATEST, as the console writes it."""
    for processor in config["ProcessingConfiguration"]["Processors"]:
        for p in processor["Parameters"]:
            if p["ParameterName"] == "LambdaArn":
                p["ParameterValue"] += ":$LATEST"


def _processor_defaults(config):
    """The Lambda processor with only its ARN (its own buffer left at the defaults)."""
    for processor in config["ProcessingConfiguration"]["Processors"]:
        processor["Parameters"] = [p for p in processor["Parameters"] if p["ParameterName"] == "LambdaArn"]


def _no_delimiter(config):
    config["ProcessingConfiguration"]["Processors"] = [
        p for p in config["ProcessingConfiguration"]["Processors"] if p["Type"] != "AppendDelimiterToRecord"]


def _put_each(ctx):
    """600 PutRecord calls, one per line."""
    firehose = ctx.client("firehose")
    for data in _steps()._events():
        firehose.put_record(DeliveryStreamName=ctx.name("clicks", max_len=64), Record={"Data": data})


def _put_batches(size, repeat=1, keep=lambda data: True):
    def build(ctx):
        firehose = ctx.client("firehose")
        events = [e for e in _steps()._events() if keep(e)]
        for _ in range(repeat):
            for start in range(0, len(events), size):
                firehose.put_record_batch(DeliveryStreamName=ctx.name("clicks", max_len=64),
                                          Records=[{"Data": d} for d in events[start:start + size]])
    return build


def _readings_one_by_one(ctx):
    """The 50 readings put with PutRecord, one call each."""
    kinesis = ctx.client("kinesis")
    stream = ctx.name("source", max_len=128)
    # the reference way for the streams, with only the first reading put
    tweak(ctx, "kinesis", "PutRecords", lambda p: p.update(Records=p["Records"][:1]), _steps().apply_kinesis_source)
    records = kinesis.get_records(ShardIterator=kinesis.get_shard_iterator(
        StreamName=stream, ShardId=kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"],
        ShardIteratorType="TRIM_HORIZON")["ShardIterator"])["Records"]
    assert len(records) == 1
    for i in range(1, 50):
        kinesis.put_record(StreamName=stream, PartitionKey=f"user-{i % 5}", Data=json.dumps({"reading": i}).encode())


def _readings_missing(ctx):
    """Only 40 of the 50 readings."""
    tweak(ctx, "kinesis", "PutRecords", lambda p: p.update(Records=p["Records"][:40]), _steps().apply_kinesis_source)


def _source(change):
    return _stream(change, apply="apply_kinesis_source")


VARIANTS = [
    accept("create_bucket", "the Firehose role's permissions in an attached customer managed policy", _managed_policy),
    accept("create_bucket", "trust policies with Service and Action as one-element lists",
           _trust("role", _action_list_trust)),
    reject("create_bucket", "the Firehose role trusts lambda.amazonaws.com (copied from the Lambda role)",
           _trust("firehose-role", _trusts_lambda), fix="firehose.amazonaws.com may assume"),
    reject("create_bucket", "the Firehose role may not invoke the Lambda", _role_policy("firehose-role", _no_invoke),
           fix="invoke the transformation Lambda"),
    reject("create_bucket", "s3:PutObject on the bucket ARN, not on its objects", _role_policy("firehose-role", _bucket_only),
           fix="write objects to the bucket"),
    accept("transform_function", "Python 3.11 and a published version", _function(
        lambda p: p.update(Runtime="python3.11", Publish=True))),
    reject("transform_function", "the console's default handler lambda_function.lambda_handler",
           _function(lambda p: p.update(Handler="lambda_function.lambda_handler")), fix="transform.handler"),
    accept("delivery_stream", "the Lambda ARN qualified with :$LATEST (as the console writes it)", _stream(_latest_qualifier)),
    accept("delivery_stream", "the Lambda processor with only its ARN (its own buffer at the defaults)",
           _stream(_processor_defaults)),
    reject("delivery_stream", "objects left uncompressed", _stream(lambda c: c.update(CompressionFormat="UNCOMPRESSED")),
           fix="GZIP"),
    reject("delivery_stream", "buffering hints left at the defaults (5 MiB / 300 s)", _stream(lambda c: c.pop("BufferingHints")),
           fix="1 MiB or 60 s"),
    reject("delivery_stream", "no AppendDelimiterToRecord processor", _stream(_no_delimiter), fix="newline delimiter"),
    reject("delivery_stream", "no error output prefix", _stream(lambda c: c.pop("ErrorOutputPrefix")), fix="error prefix"),
    accept("put_records", "600 PutRecord calls, one per line", _put_each),
    accept("put_records", "PutRecordBatch in batches of 500 (the most a call takes)", _put_batches(500)),
    reject("put_records", "every batch sent twice (a retry of everything)", _put_batches(200, repeat=2), fix="put once each"),
    reject("put_records", "the unparseable lines left out (the Lambda must see them to report them)",
           _put_batches(200, keep=lambda d: not d.startswith(b"garbled")), fix="put once each"),
    accept("kinesis_source", "the readings put with PutRecord, one call each", _readings_one_by_one),
    accept("kinesis_source", "CompressionFormat left implicit (UNCOMPRESSED is the default)",
           _source(lambda c: c.pop("CompressionFormat"))),
    reject("kinesis_source", "GZIP for the Kinesis-sourced stream too", _source(lambda c: c.update(CompressionFormat="GZIP")),
           fix="uncompressed"),
    reject("kinesis_source", "the prefix without its trailing slash", _source(lambda c: c.update(Prefix="from-kinesis")),
           fix="under from-kinesis/"),
    reject("kinesis_source", "only 40 of the 50 readings", _readings_missing, fix="the 50 readings"),
]
