"""kinesis-video-streams: other valid ways (must pass) and near misses (must fail saying what to fix).

moto has no UpdateDataRetention, so "created without retention, then raised to 24 h" cannot be
declared here; on AWS the check reads DescribeStream and would accept it."""
from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("kinesis-video-streams").load_steps()


def _stream(change_params):
    return lambda ctx: tweak(ctx, "kinesisvideo", "CreateStream", change_params, _steps().apply_create_stream)


def _managed_key(params):
    """The AWS managed key named explicitly (what AWS uses when KmsKeyId is left out), no tags."""
    params["KmsKeyId"] = "alias/aws/kinesisvideo"
    params.pop("Tags")


VARIANTS = [
    accept("create_stream", "the AWS managed key alias/aws/kinesisvideo named explicitly, no tags", _stream(_managed_key)),
    accept("create_stream", "a DeviceName given as well", _stream(lambda p: p.update(DeviceName="camera-01"))),
    reject("create_stream", "DataRetentionInHours left out (0: the stream keeps no fragments)",
           _stream(lambda p: p.pop("DataRetentionInHours")), fix="24 hours"),
    reject("create_stream", "H.265 instead of H.264", _stream(lambda p: p.update(MediaType="video/h265")), fix="H.264"),
]
