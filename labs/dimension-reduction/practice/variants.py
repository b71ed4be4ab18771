"""dimension-reduction: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import io
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("dimension-reduction").load_steps()


def _upload(frame):
    """train/digits.csv written by the learner with pandas: ``frame(X, y)`` returns the CSV text."""
    def build(ctx):
        import numpy as np

        s = _steps()
        ctx.create_bucket(s._bucket(ctx))
        X, y = s._digits()
        s._put(ctx, "train/digits.csv", frame(X, y), "text/csv")
        labels = io.BytesIO()
        np.savetxt(labels, y, fmt="%d")
        s._put(ctx, "labels/digits-labels.csv", labels.getvalue(), "text/csv")
    return build


def _floats(X, y):
    import pandas as pd

    return pd.DataFrame(X.astype(float)).to_csv(header=False, index=False)


def _with_header(X, y):
    import pandas as pd

    return pd.DataFrame(X).to_csv(index=False)  # pandas writes the column names 0..63 first


def _named_header(X, y):
    import pandas as pd

    return pd.DataFrame(X, columns=[f"pixel_{i}" for i in range(64)]).to_csv(index=False)


def _with_label(X, y):
    import pandas as pd

    frame = pd.DataFrame(X).astype(int)
    frame[64] = y
    return frame.to_csv(header=False, index=False)


def _chart(ctx, name, title):
    """The learner's own picture (any chart-sized PNG)."""
    from awslabs.local import figures

    s = _steps()
    fig, ax = figures.new_figure(6, 4)
    ax.plot(range(10), [i * i for i in range(10)])
    ax.set_title(title)
    s._publish(ctx, name, figures.png_bytes(fig))


def _variance(scale=False, off_by_one=False):
    """pca/summary.json computed with numpy's SVD (the learner's own way), with their own chart."""
    def build(ctx):
        import numpy as np

        s = _steps()
        X = s._features(s._get(ctx, "train/digits.csv"))
        if scale:
            X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) == 0, 1, X.std(axis=0))
        singular = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
        ratios = singular ** 2 / (singular ** 2).sum()
        cumulative = np.cumsum(ratios)
        k = int(np.searchsorted(cumulative, 0.95)) + (0 if off_by_one else 1)
        s._put(ctx, "pca/summary.json", json.dumps({
            "n_samples": int(X.shape[0]), "n_features": int(X.shape[1]),
            "explained_variance_ratio": ratios.tolist(), "cumulative": cumulative.tolist(),
            "components_for_95_percent": k, "first_two_components": float(cumulative[1])}))
        _chart(ctx, "pca-explained-variance.png", "scree")
    return build


def _projection(components=None):
    """reconstruction.json from the cumulative ratios (the variance k components keep), own chart."""
    def build(ctx):
        summary = json.loads(_steps()._get(ctx, "pca/summary.json"))
        k = summary["components_for_95_percent"] if components is None else components
        _steps()._put(ctx, "pca/reconstruction.json",
                      json.dumps({"components": k, "variance_kept": summary["cumulative"][k - 1]}))
        _chart(ctx, "pca-projection.png", "projection")
    return build


def _tsne(perplexity=40, seed=1, on_pca2=False, plot=True):
    """t-SNE run by the learner with other valid settings (or, the near miss, on PCA's 2 components)."""
    def build(ctx):
        import numpy as np
        from sklearn.decomposition import PCA
        from sklearn.manifold import TSNE
        from threadpoolctl import threadpool_limits

        s = _steps()
        X = s._features(s._get(ctx, "train/digits.csv"))
        y = s._labels(s._get(ctx, "labels/digits-labels.csv"))
        idx = np.random.RandomState(seed).choice(len(X), s.TSNE_SAMPLES, replace=False)
        pca2 = PCA(2).fit_transform(X)[idx]
        with threadpool_limits(1):
            tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, max_iter=500,
                        n_jobs=1).fit_transform(pca2 if on_pca2 else X[idx])
        s._put(ctx, "tsne/comparison.json", json.dumps({
            "samples": s.TSNE_SAMPLES, "knn5_accuracy_tsne": s._knn_accuracy(tsne, y[idx]),
            "knn5_accuracy_pca2": s._knn_accuracy(pca2, y[idx]), "perplexity": perplexity}))
        if plot:
            _chart(ctx, "tsne-vs-pca.png", "t-SNE vs PCA")
    return build


def _job(change):
    return lambda ctx: tweak(ctx, "sagemaker", "CreateTrainingJob", change, _steps().apply_pca_training_job)


def _minimal_job(params):
    """Tags, algorithm_mode and subtract_mean left out (defaults), the channel fully replicated."""
    params.pop("Tags", None)
    for key in ("algorithm_mode", "subtract_mean"):
        params["HyperParameters"].pop(key)
    params["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataDistributionType"] = "FullyReplicated"


def _other_region_image(params):
    params["AlgorithmSpecification"]["TrainingImage"] = "174872318107.dkr.ecr.us-west-2.amazonaws.com/pca:1"


VARIANTS = [
    accept("upload_digits", "pandas, pixel values as floats (0.0, 5.0, ...)", _upload(_floats)),
    reject("upload_digits", "pandas' default header row (0, 1, ..., 63)", _upload(_with_header), fix="no header row"),
    reject("upload_digits", "a header of column names", _upload(_named_header), fix="no header row"),
    reject("upload_digits", "the label appended as a 65th column", _upload(_with_label), fix="no label column"),
    accept("pca_variance", "ratios from numpy's SVD, compact JSON, the learner's own chart", _variance()),
    reject("pca_variance", "the components counted from 0 (one too few)", _variance(off_by_one=True),
           fix="components needed for 95%"),
    reject("pca_variance", "the pixels standardised before PCA (other ratios, other count)", _variance(scale=True),
           fix="covariance eigenvalues"),
    accept("pca_projection", "variance kept read off the cumulative ratios, the learner's own chart", _projection()),
    reject("pca_projection", "reconstructed from 2 components", _projection(components=2), fix="95% component count"),
    accept("tsne_map", "perplexity 40 and another random sample", _tsne()),
    reject("tsne_map", "t-SNE run on PCA's 2 components instead of the 64 pixels", _tsne(perplexity=30, seed=0, on_pca2=True),
           fix="separates the digits better"),
    reject("tsne_map", "the comparison chart not uploaded", _tsne(plot=False), fix="tsne-vs-pca.png"),
    accept("pca_training_job", "optional hyperparameters at their defaults, no tags, FullyReplicated", _job(_minimal_job)),
    reject("pca_training_job", "num_components 2", _job(lambda p: p["HyperParameters"].update(num_components="2")),
           fix="95% count"),
    reject("pca_training_job", "ContentType text/csv (the first pixel is read as a label)",
           _job(lambda p: p["InputDataConfig"][0].update(ContentType="text/csv")), fix="without labels"),
    reject("pca_training_job", "the PCA image of us-west-2's registry", _job(_other_region_image), fix="PCA algorithm's for"),
]
