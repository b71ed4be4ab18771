"""hyperparameter-tuning: other valid ways (must pass) and near misses (must fail saying what to fix).

Only ``prepare_data`` is judged here: the checks of ``tuning_job`` and ``warm_start`` read
trials/grid.csv and trials/bayesian.csv, which only the auto steps (the local searches) write, and
the variant harness runs no auto steps; a check that cannot read them fails as a whole, so neither
an accepted variant nor a near miss's own message can be observed for those two objectives."""
import io
import tarfile
from pathlib import Path

from awslabs.practice import accept, reject


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("hyperparameter-tuning").load_steps()


def _csv(ctx, header=False, label_last=False, label_format="{:d}"):
    s = _steps()
    X, y = s._dataset()
    lines = []
    if header:
        lines.append(",".join(["label"] + [f"f{i}" for i in range(X.shape[1])]))
    for label, row in zip(y, X):
        features = [repr(float(v)) for v in row]
        cells = features + [label_format.format(int(label))] if label_last else [label_format.format(int(label))] + features
        lines.append(",".join(cells))
    s._put(ctx, "data/train/train.csv", "\n".join(lines) + "\n", "text/csv")


def _archive(arcname, extra=()):
    """sourcedir.tar.gz as the tar CLI packs it."""
    source = Path(_steps().svc_train.__file__).read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for directory in extra:
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        info = tarfile.TarInfo(arcname)
        info.size = len(source)
        tar.addfile(info, io.BytesIO(source))
    return buf.getvalue()


def _prepare(arcname="train.py", extra=(), **csv):
    def build(ctx):
        s = _steps()
        ctx.create_bucket(s._bucket(ctx))
        _csv(ctx, **csv)
        s._put(ctx, "code/sourcedir.tar.gz", _archive(arcname, extra), "application/gzip")
    return build


VARIANTS = [
    accept("prepare_data", "tar -C code -czf sourcedir.tar.gz . (members ./ and ./train.py)",
           _prepare("./train.py", extra=("./",))),
    accept("prepare_data", "labels written as 0.0 / 1.0", _prepare(label_format="{:.1f}")),
    reject("prepare_data", "a header row (pandas' default)", _prepare(header=True), fix="no header"),
    reject("prepare_data", "the label as the last column", _prepare(label_last=True), fix="label first"),
    reject("prepare_data", "train.py packed inside a folder (tar czf sourcedir.tar.gz code/)",
           _prepare("code/train.py", extra=("code/",)), fix="at its root"),
]
