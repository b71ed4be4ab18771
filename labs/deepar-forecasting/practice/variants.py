"""deepar-forecasting: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json
import time

from awslabs.practice import accept, reject


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("deepar-forecasting").load_steps()


def _series(change_test=lambda record: record, change_train=lambda record: record, separators=(", ", ": ")):
    """train.json / test.json written by hand from the lab's series, each record passed through a change."""
    def build(ctx):
        s = _steps()
        ctx.create_bucket(s._bucket(ctx))
        train, test = s._channels()
        for key, text, change in (("train", train, change_train), ("test", test, change_test)):
            records = [change(json.loads(line)) for line in text.splitlines()]
            body = "\n".join(json.dumps(r, separators=separators) for r in records) + "\n"
            ctx.client("s3").put_object(Bucket=s._bucket(ctx), Key=f"deepar/{key}/{key}.json", Body=body.encode())
    return build


def _doubled(record):
    """The learner's own values: every target twice as large (same series count, lengths, fields)."""
    return {**record, "target": [round(2 * v, 2) for v in record["target"]]}


def _without_cat(record):
    return {k: v for k, v in record.items() if k != "cat"}


def _test_short(record):
    return {**record, "target": record["target"][:-7], "dynamic_feat": [f[:-7] for f in record["dynamic_feat"]]}


def _job(hyperparameters=None, channels=("train", "test")):
    """CreateTrainingJob with boto3 / the AWS CLI (every hyperparameter a string, as the API takes them)."""
    def build(ctx):
        from awslabs.local.sagemaker_labkit import execution_role

        s = _steps()
        role = execution_role(ctx, s._bucket(ctx))
        hps = {k: str(v) for k, v in s.HYPERPARAMETERS.items()}
        if hyperparameters:
            hyperparameters(hps)
        name = f"{ctx.name('deepar', max_len=48)}-{time.strftime('%Y-%m-%d-%H-%M-%S', time.gmtime())}"
        ctx.track("sagemaker:job", name, type="training")
        ctx.client("sagemaker").create_training_job(
            TrainingJobName=name, RoleArn=role, HyperParameters=hps,
            AlgorithmSpecification={"TrainingImage": s._image(ctx), "TrainingInputMode": "File"},
            InputDataConfig=[{"ChannelName": c, "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": s._uri(ctx, f"deepar/{'test' if c != 'train' else 'train'}/"),
                "S3DataDistributionType": "FullyReplicated"}}} for c in channels],
            OutputDataConfig={"S3OutputPath": s._uri(ctx, "deepar/output")},
            ResourceConfig={"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
            StoppingCondition={"MaxRuntimeInSeconds": 1800})
    return build


VARIANTS = [
    accept("generate_series", "the learner's own values (targets doubled) in compact JSON",
           _series(_doubled, _doubled, separators=(",", ":"))),
    reject("generate_series", "test.json identical to train.json (the 14 future points left out)",
           _series(change_test=lambda r: {**r, "target": r["target"][:-14],
                                          "dynamic_feat": [f[:-14] for f in r["dynamic_feat"]]}),
           fix="prediction_length (14) points longer"),
    reject("generate_series", "test series only 7 points longer", _series(change_test=_test_short),
           fix="prediction_length (14) points longer"),
    reject("generate_series", "the categorical feature left out", _series(_without_cat, _without_cat),
           fix="start, target, cat and dynamic_feat"),
    accept("submit_training_job", "CreateTrainingJob with boto3 / the AWS CLI, hyperparameters as strings", _job()),
    accept("submit_training_job", "only the required hyperparameters (the rest at DeepAR's defaults)",
           _job(lambda h: [h.pop(k) for k in list(h) if k not in ("time_freq", "context_length",
                                                                  "prediction_length", "epochs")])),
    reject("submit_training_job", "prediction_length left out", _job(lambda h: h.pop("prediction_length")),
           fix="required hyperparameters"),
    reject("submit_training_job", "prediction_length 7: the data was split for 14",
           _job(lambda h: h.update(prediction_length="7")), fix="prediction_length 14"),
    reject("submit_training_job", "the second channel named validation (DeepAR reads test)",
           _job(channels=("train", "validation")), fix="channels: train and test"),
]
