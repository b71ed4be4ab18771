"""Dimension reduction with PCA and t-SNE on scikit-learn's handwritten digits, then the same PCA
as SageMaker's built-in algorithm.

The analysis is real (scikit-learn, numpy, matplotlib) and reads its input back from S3; the
training job is a real ``CreateTrainingJob`` call. On moto the job is ``Completed`` at once and
no model artifact is written (see the guide); on AWS the PCA container really trains.
"""
from __future__ import annotations

import functools
import io
import json
import time

from awslabs.lab import Check, equal, expect
from awslabs.local import figures
from awslabs.sim import sagemaker_requests as smr

TSNE_SAMPLES = 500
VARIANCE_TARGET = 0.95


def _bucket(ctx):
    return ctx.name("digits")


def _chart_in_s3(ctx, key: str):
    """figures.check_png_in_s3, but a chart never uploaded is a failed check naming the key to upload
    (not an error that hides the step's other checks)."""
    try:
        return figures.check_png_in_s3(ctx, _bucket(ctx), key)
    except ctx.client("s3").exceptions.NoSuchKey:
        return expect(f"s3://{_bucket(ctx)}/{key} is a PNG chart", False, f"nothing in S3: upload {key}")


def _job_name(ctx):
    return ctx.name("pca", max_len=63)


def _get(ctx, key: str) -> bytes:
    return ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read()


def _put(ctx, key: str, body, content_type: str = "application/json") -> None:
    data = body if isinstance(body, bytes) else body.encode()
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=data, ContentType=content_type)


def _publish(ctx, name: str, data: bytes) -> None:
    figures.keep_and_upload(ctx, _bucket(ctx), f"plots/{name}", data)


@functools.lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X, y


def _features(data: bytes):
    import numpy as np

    return np.loadtxt(io.BytesIO(data), delimiter=",")


def _labels(data: bytes):
    import numpy as np

    return np.loadtxt(io.BytesIO(data), delimiter=",").astype(int)


@functools.lru_cache(maxsize=4)
def _variance_by_eigenvalues(data: bytes) -> tuple[float, ...]:
    """Explained-variance ratios from first principles: the eigenvalues of the covariance matrix,
    largest first, each divided by their sum (the total variance)."""
    import numpy as np

    X = np.loadtxt(io.BytesIO(data), delimiter=",")
    eigenvalues = np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1].clip(min=0)
    return tuple(float(v) for v in eigenvalues / eigenvalues.sum())


def _components_for(ratios, target: float = VARIANCE_TARGET) -> int:
    total = 0.0
    for k, r in enumerate(ratios, start=1):
        total += r
        if total >= target - 1e-12:
            return k
    return len(ratios)


@functools.lru_cache(maxsize=1)
def _tsne_embedding(n: int, seed: int):
    """t-SNE is slow-ish (about a second here) and deterministic with a fixed seed: cached."""
    import numpy as np
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    X, y = _digits()
    idx = np.random.RandomState(seed).choice(len(X), n, replace=False)
    # One OpenMP thread: on a busy 2-core machine, thread contention makes t-SNE 5x slower.
    with threadpool_limits(1):
        model = TSNE(n_components=2, perplexity=30, init="pca", random_state=seed, max_iter=500, n_jobs=1)
        embedding = model.fit_transform(X[idx])
    return idx, embedding


def _knn_accuracy(points, labels) -> float:
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    return float(cross_val_score(KNeighborsClassifier(5), points, labels, cv=5).mean())


# -- 1 ------------------------------------------------------------------------------------------


def apply_upload_digits(ctx):
    import numpy as np

    ctx.create_bucket(_bucket(ctx))
    X, y = _digits()
    features, labels = io.BytesIO(), io.BytesIO()
    np.savetxt(features, X, fmt="%d", delimiter=",")  # no header: built-in algorithms reject one
    np.savetxt(labels, y, fmt="%d")
    _put(ctx, "train/digits.csv", features.getvalue(), "text/csv")
    _put(ctx, "labels/digits-labels.csv", labels.getvalue(), "text/csv")


def check_upload_digits(ctx):
    text = _get(ctx, "train/digits.csv").decode()
    rows = text.splitlines()
    widths = {len(r.split(",")) for r in rows}
    yield equal("train/digits.csv has 1,797 rows", len(rows), 1797)
    yield equal("every row has the 64 pixel values and no label column", widths, {64})
    yield expect("there is no header row (the first row is pixel values 0-16)", _pixel_row(rows[0]) if rows else False,
                 rows[0][:40] if rows else "empty")


def _pixel_row(row: str) -> bool:
    """A row of 8x8 digit intensities (0-16), written as integers or floats ("0", "0.0", "0.000e+00"):
    not a header (names, or pandas' default 0, 1, ..., 63)."""
    try:
        values = [float(v) for v in row.split(",")]
    except ValueError:
        return False
    return all(0 <= v <= 16 for v in values)


# -- 2 ------------------------------------------------------------------------------------------


def apply_pca_variance(ctx):
    summary, png = _pca_variance(_get(ctx, "train/digits.csv"))
    _put(ctx, "pca/summary.json", json.dumps(summary, indent=1))
    _publish(ctx, "pca-explained-variance.png", png)


@functools.lru_cache(maxsize=2)  # same data, same numbers and picture: computed once per process
def _pca_variance(data: bytes):
    import numpy as np
    from sklearn.decomposition import PCA

    X = _features(data)
    ratios = PCA().fit(X).explained_variance_ratio_
    cumulative = np.cumsum(ratios)
    k = _components_for(ratios)
    summary = {
        "n_samples": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "explained_variance_ratio": [round(float(r), 8) for r in ratios],
        "cumulative": [round(float(c), 8) for c in cumulative],
        "components_for_95_percent": k,
        "first_two_components": round(float(cumulative[1]), 4),
    }
    fig, ax = figures.new_figure(7.5, 4.4)
    ax.bar(range(1, len(ratios) + 1), ratios, color="#7aa6d6", label="explained-variance ratio")
    ax.plot(range(1, len(ratios) + 1), cumulative, "k-", label="cumulative")
    ax.axhline(VARIANCE_TARGET, color="crimson", ls="--", lw=1)
    ax.axvline(k, color="crimson", ls="--", lw=1)
    ax.annotate(f"{k} components keep 95%", (k, VARIANCE_TARGET), xytext=(k + 4, 0.75),
                arrowprops={"arrowstyle": "->"})
    ax.set(xlabel="principal component", ylabel="share of total variance", ylim=(0, 1.02),
           title="PCA on 64-pixel digits: scree plot and cumulative variance")
    ax.legend(loc="center right")
    return summary, figures.png_bytes(fig)


def check_pca_variance(ctx):
    summary = json.loads(_get(ctx, "pca/summary.json"))
    reference = _variance_by_eigenvalues(_get(ctx, "train/digits.csv"))
    worst = max(abs(a - b) for a, b in zip(summary["explained_variance_ratio"], reference))
    yield expect("sklearn's explained_variance_ratio_ equals the covariance eigenvalues / their sum",
                 worst < 1e-6, f"largest difference {worst:.1e}", "local")
    expected_k = _components_for(reference)
    yield equal("components needed for 95% of the variance", summary["components_for_95_percent"], expected_k, "local")
    yield expect("2 components keep less than a third of the variance (so a 2-D PCA plot hides a lot)",
                 summary["first_two_components"] < 1 / 3, f"{summary['first_two_components']:.1%}", "local")
    yield _chart_in_s3(ctx, "plots/pca-explained-variance.png")


# -- 3 ------------------------------------------------------------------------------------------


def apply_pca_projection(ctx):
    k = json.loads(_get(ctx, "pca/summary.json"))["components_for_95_percent"]
    result, png = _pca_projection(_get(ctx, "train/digits.csv"), _get(ctx, "labels/digits-labels.csv"), k)
    _put(ctx, "pca/reconstruction.json", json.dumps(result))
    _publish(ctx, "pca-projection.png", png)


@functools.lru_cache(maxsize=2)
def _pca_projection(data: bytes, labels: bytes, k: int):
    import numpy as np
    from sklearn.decomposition import PCA

    X, y = _features(data), _labels(labels)
    two = PCA(2).fit_transform(X)
    pca_k = PCA(k).fit(X)
    rebuilt = pca_k.inverse_transform(pca_k.transform(X))
    centred = X - X.mean(axis=0)
    kept = 1 - float(((X - rebuilt) ** 2).sum() / (centred**2).sum())
    fig, (left, right) = figures.new_figure(12, 5, ncols=2)
    points = left.scatter(two[:, 0], two[:, 1], c=y, cmap="tab10", s=6)
    left.legend(*points.legend_elements(), title="digit", fontsize=7, loc="upper right", ncol=2)
    left.set(xlabel="PC 1", ylabel="PC 2", title="PCA: the digits on the first 2 components")
    grid = np.ones((2 * 9, 8 * 9)) * 16
    for i in range(8):
        grid[0:8, i * 9 : i * 9 + 8] = X[i].reshape(8, 8)
        grid[9:17, i * 9 : i * 9 + 8] = rebuilt[i].reshape(8, 8)
    right.imshow(grid, cmap="gray_r")
    right.set_axis_off()
    right.set_title(f"top: original; bottom: rebuilt from {k} of 64 components")
    return {"components": k, "variance_kept": kept}, figures.png_bytes(fig)


def check_pca_projection(ctx):
    rebuilt = json.loads(_get(ctx, "pca/reconstruction.json"))
    k = json.loads(_get(ctx, "pca/summary.json"))["components_for_95_percent"]
    yield equal("the reconstruction used the 95% component count", rebuilt["components"], k, "local")
    yield expect("rebuilding from those components keeps at least 95% of the variance",
                 rebuilt["variance_kept"] >= VARIANCE_TARGET, f"{rebuilt['variance_kept']:.2%} kept", "local")
    yield _chart_in_s3(ctx, "plots/pca-projection.png")


# -- 4 ------------------------------------------------------------------------------------------


def apply_tsne_map(ctx):
    result, png = _tsne_map(_get(ctx, "train/digits.csv"), _get(ctx, "labels/digits-labels.csv"))
    _put(ctx, "tsne/comparison.json", json.dumps(result, indent=1))
    _publish(ctx, "tsne-vs-pca.png", png)


@functools.lru_cache(maxsize=2)
def _tsne_map(data: bytes, labels: bytes):
    from sklearn.decomposition import PCA

    X, y = _features(data), _labels(labels)
    idx, tsne = _tsne_embedding(TSNE_SAMPLES, 0)
    pca2 = PCA(2).fit_transform(X)[idx]
    result = {
        "samples": TSNE_SAMPLES,
        "knn5_accuracy_tsne": _knn_accuracy(tsne, y[idx]),
        "knn5_accuracy_pca2": _knn_accuracy(pca2, y[idx]),
    }
    fig, axes = figures.new_figure(12, 5, ncols=2)
    for ax, points, title in ((axes[0], pca2, "PCA, 2 components"), (axes[1], tsne, "t-SNE, perplexity 30")):
        sc = ax.scatter(points[:, 0], points[:, 1], c=y[idx], cmap="tab10", s=8)
        key = "pca2" if title.startswith("PCA") else "tsne"
        ax.set_title(f"{title}: 5-NN accuracy {result['knn5_accuracy_' + key]:.0%}")
        ax.set_xticks([])
        ax.set_yticks([])
    axes[1].legend(*sc.legend_elements(), title="digit", fontsize=7, loc="best", ncol=2)
    return result, figures.png_bytes(fig)


def check_tsne_map(ctx):
    result = json.loads(_get(ctx, "tsne/comparison.json"))
    tsne, pca2 = result["knn5_accuracy_tsne"], result["knn5_accuracy_pca2"]
    yield expect("t-SNE's 2-D map separates the digits better than PCA's 2 components (5-NN accuracy)",
                 tsne > pca2 + 0.2, f"t-SNE {tsne:.1%} vs PCA {pca2:.1%}", "local")
    yield _chart_in_s3(ctx, "plots/tsne-vs-pca.png")


# -- 5 ------------------------------------------------------------------------------------------

def _create_role(ctx) -> str:
    """An execution role SageMaker assumes to read the data and write the model."""
    from awslabs.local.sagemaker_labkit import execution_role

    return execution_role(ctx, _bucket(ctx), suffix="sagemaker")


def training_request(ctx, role_arn: str, components: int) -> dict:
    return {
        "TrainingJobName": _job_name(ctx),
        "AlgorithmSpecification": {"TrainingImage": smr.pca_image_uri(ctx.region), "TrainingInputMode": "File"},
        "RoleArn": role_arn,
        "HyperParameters": {
            "feature_dim": "64",
            "num_components": str(components),
            "mini_batch_size": "200",
            "algorithm_mode": "regular",
            "subtract_mean": "true",
        },
        "InputDataConfig": [{
            "ChannelName": "train",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{_bucket(ctx)}/train/",
                                            "S3DataDistributionType": "ShardedByS3Key"}},
            "ContentType": "text/csv;label_size=0",  # CSV, no label column (unsupervised)
        }],
        "OutputDataConfig": {"S3OutputPath": f"s3://{_bucket(ctx)}/model/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 900},
        "Tags": ctx.tag_list(),
    }


# The PCA image as "Docker Registry Paths and Example Code" lists it per Region (copied here by hand,
# not built by awslabs.sim.sagemaker_requests, which builds the request; matches the SageMaker SDK's
# image_uris.retrieve("pca", region); as of 2025).
PCA_IMAGES_SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/dg-ecr-paths/sagemaker-algo-docker-registry-paths.html"
DOCUMENTED_PCA_IMAGES = {
    "us-east-1": "382416733822.dkr.ecr.us-east-1.amazonaws.com/pca:1",
    "us-east-2": "404615174143.dkr.ecr.us-east-2.amazonaws.com/pca:1",
    "us-west-2": "174872318107.dkr.ecr.us-west-2.amazonaws.com/pca:1",
    "eu-west-1": "438346466558.dkr.ecr.eu-west-1.amazonaws.com/pca:1",
    "eu-central-1": "664544806723.dkr.ecr.eu-central-1.amazonaws.com/pca:1",
}


def apply_pca_training_job(ctx, image_region: str | None = None):
    sm = ctx.client("sagemaker")
    role_arn = _create_role(ctx)
    k = json.loads(_get(ctx, "pca/summary.json"))["components_for_95_percent"]
    request = training_request(ctx, role_arn, k)
    if image_region:  # the mutant below: the image of another Region's registry
        request["AlgorithmSpecification"]["TrainingImage"] = smr.pca_image_uri(image_region)
    problems = smr.validate_shape("CreateTrainingJob", request) + smr.validate_pca_hyperparameters(request["HyperParameters"])
    if problems:
        from awslabs.lab import StepFailed

        raise StepFailed("the request would be rejected: " + "; ".join(problems))
    _put(ctx, "requests/create-training-job.json", smr.to_json(request))
    ctx.track("sagemaker:job", _job_name(ctx), type="training")
    for attempt in range(8 if ctx.on_aws else 1):
        try:
            sm.create_training_job(**request)
            break
        except Exception as err:  # noqa: BLE001 - a new IAM role takes seconds to reach SageMaker
            if not ctx.on_aws or "assume" not in str(err).lower() or attempt == 7:
                raise
            time.sleep(10)
    if ctx.on_aws:
        # A real PCA job takes a few minutes (mostly instance start-up); wait so the model exists.
        sm.get_waiter("training_job_completed_or_stopped").wait(
            TrainingJobName=_job_name(ctx), WaiterConfig={"Delay": 30, "MaxAttempts": 40})


def check_pca_training_job(ctx):
    job = ctx.client("sagemaker").describe_training_job(TrainingJobName=_job_name(ctx))
    summary = json.loads(_get(ctx, "pca/summary.json"))
    image = job["AlgorithmSpecification"]["TrainingImage"]
    if ctx.region in DOCUMENTED_PCA_IMAGES:
        yield equal(f"the training image is the PCA algorithm's for {ctx.region}", image, DOCUMENTED_PCA_IMAGES[ctx.region])
    else:
        yield Check(f"the training image is the PCA algorithm's for {ctx.region}", True,
                    f"{ctx.region} is not in the lab's copy of the registry paths: compare {image} with {PCA_IMAGES_SOURCE}",
                    skipped=True)
    yield equal("num_components is the 95% count found locally",
                job["HyperParameters"].get("num_components"), str(summary["components_for_95_percent"]))
    yield equal("feature_dim is the 64 pixels", job["HyperParameters"].get("feature_dim"), "64")
    yield equal("the channel is headerless CSV without labels",
                job["InputDataConfig"][0].get("ContentType"), "text/csv;label_size=0")
    yield expect("the job was accepted and is running or done",
                 job["TrainingJobStatus"] in ("InProgress", "Completed"), job["TrainingJobStatus"])
    yield expect("the hyperparameters follow the PCA hyperparameter table",
                 not smr.validate_pca_hyperparameters(job["HyperParameters"]),
                 "; ".join(smr.validate_pca_hyperparameters(job["HyperParameters"])) or "feature_dim, num_components, mini_batch_size set", "simulated")
    if not ctx.on_aws:
        yield ctx.aws_only("the PCA container writes model.tar.gz to the output path",
                           "moto marks the job Completed instantly and writes no model artifact")
        return
    artifact = job.get("ModelArtifacts", {}).get("S3ModelArtifacts", "")
    bucket, _, key = artifact.removeprefix("s3://").partition("/")
    try:
        size = ctx.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"]
    except Exception as err:  # noqa: BLE001 - no artifact yet is the failure this check reports
        size, artifact = 0, f"{artifact}: {err}"
    yield expect("the PCA container wrote model.tar.gz to the output path", size > 0, artifact)


def _image_of_another_region(ctx):
    """Mutant: the PCA image pulled from another Region's registry (the job would fail to start)."""
    apply_pca_training_job(ctx, image_region="us-west-2" if ctx.region != "us-west-2" else "us-east-1")


MUTATIONS = {
    "pca_training_job": [("the PCA image of another Region's registry", _image_of_another_region)],
}
