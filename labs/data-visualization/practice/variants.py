"""data-visualization: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("data-visualization").load_steps()


def _dataset(frame_to_csv):
    """data/wine.csv written by the learner from load_wine: ``frame_to_csv(bunch)`` returns the text."""
    def build(ctx):
        from sklearn.datasets import load_wine

        s = _steps()
        ctx.create_bucket(s._bucket(ctx))
        s._put(ctx, "data/wine.csv", frame_to_csv(load_wine(as_frame=True)), "text/csv")
    return build


def _sklearn_names(bunch):
    frame = bunch.frame.copy()
    frame["cultivar"] = [bunch.target_names[t] for t in frame.pop("target")]
    return frame.to_csv(index=False)


def _numeric_target(bunch):
    return bunch.frame.rename(columns={"target": "cultivar"}).to_csv(index=False)


def _with_index(bunch):
    frame = bunch.frame.copy()
    frame["cultivar"] = [bunch.target_names[t] for t in frame.pop("target")]
    return frame.to_csv()  # pandas' default: the index as a first, unnamed column


def _charts(ctx, *names):
    """The learner's own pictures (any chart-sized PNG), uploaded under charts/."""
    from awslabs.local import figures

    s = _steps()
    for name in names:
        fig, ax = figures.new_figure(6, 4)
        ax.bar(["a", "b", "c"], [3, 1, 2])
        ax.set_title(name)
        figures.keep_and_upload(ctx, s._bucket(ctx), f"charts/{name}", figures.png_bytes(fig))


def _findings(family, compute, charts):
    def build(ctx):
        s = _steps()
        s._put(ctx, f"findings/{family}.json", json.dumps(compute(s._frame(ctx))))
        _charts(ctx, *charts)
    return build


def _distribution(top=None):
    def compute(df):
        from scipy.stats import skew

        medians = df.groupby("cultivar")["proline"].median()
        return {"alcohol_mean": float(df.alcohol.mean()), "alcohol_skew": float(skew(df.alcohol, bias=False)),
                "lowest_mean_alcohol": str(df.groupby("cultivar").alcohol.mean().idxmin()),
                "highest_median_proline": top or str(medians.idxmax()),
                "proline_medians": {k: float(v) for k, v in medians.items()},
                "proline_iqr": [float(v) for v in df.proline.quantile([0.25, 0.75])]}
    return compute


def _relationship(pair=None):
    def compute(df):
        from scipy.stats import pearsonr

        a, b, value = _steps()._strongest_pair(df)
        names = {"od280_od315": "od280/od315_of_diluted_wines"}
        return {"phenols_flavanoids_r": float(pearsonr(df.total_phenols, df.flavanoids)[0]),
                "strongest_pair": pair or [names.get(b, b), names.get(a, a)], "strongest_r": value}
    return compute


def _composition(counts_only=False):
    def compute(df):
        counts = df.cultivar.value_counts()
        shares = counts if counts_only else counts / counts.sum()
        levels = _steps()._alcohol_levels(df)
        high = (levels == "high").groupby(df.cultivar).mean()
        return {"shares": {k: float(v) for k, v in shares.items()}, "largest_cultivar": str(counts.idxmax()),
                "mostly_high_alcohol": str(high.idxmax()), "high_share": float(high.max())}
    return compute


def _comparison(standardise=True):
    def compute(df):
        cols = _steps().COMPARED
        values = (df[cols] - df[cols].mean()) / df[cols].std() if standardise else df[cols]
        means = values.groupby(df.cultivar).mean()
        spread = (means.max() - means.min()).sort_values(ascending=False)
        return {"most_separating": str(spread.index[0]), "spread": {k: float(v) for k, v in spread.items()}}
    return compute


def _index(change):
    """charts/index.json written by the learner (no index.md), after ``change(entries)``."""
    def build(ctx):
        s = _steps()
        reveals = s._reveals(ctx)
        entries = [{"file": f, "s3_key": f"charts/{f}", "family": fam, "chart": kind, "question": q,
                    "reveals": reveals[f]} for f, fam, kind, q in s.CHARTS]
        s._put(ctx, "charts/index.json", json.dumps(change(entries) or entries))
    return build


def _by_family(entries):
    return sorted(entries, key=lambda e: (e["family"], e["file"]))


def _relabel(entries):
    for e in entries:
        if e["file"] == "relationship-heatmap.png":
            e["family"] = "correlation"


def _local_paths(entries):
    for e in entries:
        e["s3_key"] = f"output/{e['file']}"


def _no_reveals(entries):
    entries[-1]["reveals"] = ""


DISTRIBUTION = ("distribution-histogram.png", "distribution-boxplot.png")
RELATIONSHIP = ("relationship-scatter.png", "relationship-heatmap.png")
COMPOSITION = ("composition-pie.png", "composition-stacked-bar.png")

VARIANTS = [
    accept("load_dataset", "scikit-learn's own column name od280/od315_of_diluted_wines kept", _dataset(_sklearn_names)),
    reject("load_dataset", "the numeric target (0, 1, 2) renamed cultivar instead of the names", _dataset(_numeric_target),
           fix="three cultivars"),
    reject("load_dataset", "pandas' default index column written too", _dataset(_with_index),
           fix="13 measurements plus the cultivar column"),
    accept("distribution", "skew with scipy.stats.skew(bias=False), unrounded findings, the learner's own charts",
           _findings("distribution", _distribution(), DISTRIBUTION)),
    reject("distribution", "the box plot's answer as the numeric class 0", _findings("distribution", _distribution("0"),
                                                                                  DISTRIBUTION),
           fix="highest median proline"),
    reject("distribution", "the box plot not uploaded", _findings("distribution", _distribution(), DISTRIBUTION[:1]),
           fix="distribution-boxplot.png"),
    accept("relationship", "r with scipy.stats.pearsonr, the pair in the other order under scikit-learn's names",
           _findings("relationship", _relationship(), RELATIONSHIP)),
    reject("relationship", "the heat map's diagonal read as the strongest pair (a column with itself, r = 1)",
           _findings("relationship", _relationship(["flavanoids", "flavanoids"]), RELATIONSHIP), fix="strongest pair"),
    accept("composition", "unrounded shares from value_counts, the learner's own charts",
           _findings("composition", _composition(), COMPOSITION)),
    reject("composition", "counts instead of shares in the pie's findings",
           _findings("composition", _composition(counts_only=True), COMPOSITION), fix="add up to 100%"),
    accept("comparison", "the spread of standardised means computed by the learner, own chart",
           _findings("comparison", _comparison(), ("comparison-bar.png",))),
    reject("comparison", "raw (unstandardised) means: proline's scale wins",
           _findings("comparison", _comparison(standardise=False), ("comparison-bar.png",)),
           fix="differ most between cultivars"),
    accept("chart_index", "the seven charts listed grouped by family (another order), index.json only",
           _index(_by_family)),
    reject("chart_index", "the heat map filed under a family 'correlation'", _index(_relabel), fix="four families"),
    reject("chart_index", "local output paths instead of S3 keys", _index(_local_paths), fix="in S3"),
    reject("chart_index", "an entry that does not say what its chart reveals", _index(_no_reveals),
           fix="says what the chart reveals"),
]
