"""sagemaker-training: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import io
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


VARIANTS = [
    accept("submit_training_job", "script mode without the SDK (boto3 / AWS CLI): sourcedir.tar.gz named by "
           "sagemaker_program and sagemaker_submit_directory", _script_mode_job()),
    reject("submit_training_job", "no code shipped: neither a code channel nor sagemaker_program",
           _script_mode_job(hyperparameters={}), fix="ships"),
    reject("submit_training_job", "sagemaker_submit_directory names an archive never uploaded",
           _script_mode_job(upload=False), fix="ships"),
]
