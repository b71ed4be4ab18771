"""Data visualisation: each chart type the exam names, each answering one question about the wine
data set that ships with scikit-learn (178 wines, 13 chemical measurements, 3 cultivars).

Every chart step reads the data back from S3 with pandas, draws real PNG files (matplotlib, Agg)
into the output folder and S3, and stores what the chart reveals as JSON. Checks recompute the
finding independently from the CSV in S3 and verify each PNG in S3.
"""
from __future__ import annotations

import functools
import io
import json

from awslabs.lab import equal, expect
from awslabs.local import figures

# file, family (what kind of question), chart type, the question it answers
CHARTS = [
    ("distribution-histogram.png", "distribution", "histogram", "How is alcohol content distributed, and does it differ by cultivar?"),
    ("distribution-boxplot.png", "distribution", "box plot", "Which cultivar has the most proline, and where are the outliers?"),
    ("relationship-scatter.png", "relationship", "scatter plot", "Do flavanoids rise with total phenols?"),
    ("relationship-heatmap.png", "relationship", "correlation heat map", "Which pairs of measurements move together?"),
    ("composition-pie.png", "composition", "pie chart", "What share of the wines does each cultivar make up?"),
    ("composition-stacked-bar.png", "composition", "100% stacked bar chart", "Within each cultivar, what mix of low / medium / high alcohol wines is there?"),
    ("comparison-bar.png", "comparison", "grouped bar chart", "Which measurements tell the cultivars apart?"),
]
CULTIVARS = ["class_0", "class_1", "class_2"]


def _bucket(ctx):
    return ctx.name("charts")


def _chart_in_s3(ctx, key: str):
    """figures.check_png_in_s3, but a chart never uploaded is a failed check naming the key to upload
    (not an error that hides the step's other checks)."""
    try:
        return figures.check_png_in_s3(ctx, _bucket(ctx), key)
    except ctx.client("s3").exceptions.NoSuchKey:
        return expect(f"s3://{_bucket(ctx)}/{key} is a PNG chart", False, f"nothing in S3: upload {key}")


def _get(ctx, key: str) -> bytes:
    return ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read()


def _put(ctx, key: str, body, content_type: str = "application/json") -> None:
    data = body if isinstance(body, bytes) else body.encode()
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=data, ContentType=content_type)


def _publish(ctx, family: str, drawn) -> None:
    """Keep each PNG in the output folder, upload it, and store the findings."""
    pngs, findings = drawn
    for name, data in pngs.items():
        figures.keep_and_upload(ctx, _bucket(ctx), f"charts/{name}", data)
    _put(ctx, f"findings/{family}.json", json.dumps(findings, indent=1))


def _findings(ctx, family: str) -> dict:
    return json.loads(_get(ctx, f"findings/{family}.json"))


@functools.lru_cache(maxsize=1)
def _wine_csv() -> bytes:
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    frame = bunch.frame.rename(columns={"od280/od315_of_diluted_wines": "od280_od315"})
    frame["cultivar"] = [bunch.target_names[t] for t in frame.pop("target")]
    return frame.to_csv(index=False).encode()


def _frame(ctx):
    return _parse(_get(ctx, "data/wine.csv"))


# scikit-learn's own name for the OD280/OD315 column; the lab's CSV shortens it (either is accepted)
SKLEARN_NAMES = {"od280/od315_of_diluted_wines": "od280_od315"}


def _parse(data: bytes):
    import pandas as pd

    return pd.read_csv(io.BytesIO(data)).rename(columns=SKLEARN_NAMES)


def _alcohol_levels(df):
    import pandas as pd

    return pd.qcut(df["alcohol"], 3, labels=["low", "medium", "high"])


def _strongest_pair(df):
    corr = df.drop(columns="cultivar").corr()
    best = (None, None, 0.0)
    cols = list(corr.columns)
    for i, a in enumerate(cols):
        for b in cols[i + 1 :]:
            if abs(corr.loc[a, b]) > abs(best[2]):
                best = (a, b, float(corr.loc[a, b]))
    return best


# -- 1 ------------------------------------------------------------------------------------------


def apply_load_dataset(ctx):
    ctx.create_bucket(_bucket(ctx))
    _put(ctx, "data/wine.csv", _wine_csv(), "text/csv")


def check_load_dataset(ctx):
    df = _frame(ctx)
    yield equal("data/wine.csv has 178 wines", len(df), 178)
    yield equal("13 measurements plus the cultivar column", len(df.columns), 14)
    yield equal("three cultivars", sorted(df["cultivar"].unique()), CULTIVARS)


# -- 2 distribution -----------------------------------------------------------------------------


def apply_distribution(ctx):
    _publish(ctx, "distribution", _draw_distribution(_get(ctx, "data/wine.csv")))


@functools.lru_cache(maxsize=2)  # drawing is the slow part; same data, same pictures
def _draw_distribution(data: bytes):
    df = _parse(data)
    fig, ax = figures.new_figure(7, 4.4)
    groups = [df.loc[df.cultivar == c, "alcohol"] for c in CULTIVARS]
    ax.hist(groups, bins=16, stacked=True, label=CULTIVARS, edgecolor="white")
    ax.axvline(df.alcohol.mean(), color="black", ls="--", lw=1, label=f"mean {df.alcohol.mean():.2f}%")
    ax.set(xlabel="alcohol (% vol)", ylabel="number of wines", title="Distribution: histogram of alcohol, stacked by cultivar")
    ax.legend()
    histogram = figures.png_bytes(fig)

    fig, ax = figures.new_figure(7, 4.4)
    ax.boxplot([df.loc[df.cultivar == c, "proline"] for c in CULTIVARS], tick_labels=CULTIVARS)
    ax.set(ylabel="proline (mg/L)", title="Distribution: box plot of proline by cultivar")
    boxplot = figures.png_bytes(fig)

    medians = df.groupby("cultivar")["proline"].median()
    q1, q3 = df.proline.quantile([0.25, 0.75])
    findings = {
        "alcohol_mean": round(float(df.alcohol.mean()), 3),
        "alcohol_skew": round(float(df.alcohol.skew()), 3),
        "lowest_mean_alcohol": str(df.groupby("cultivar").alcohol.mean().idxmin()),
        "highest_median_proline": str(medians.idxmax()),
        "proline_medians": {k: float(v) for k, v in medians.items()},
        "proline_iqr": [float(q1), float(q3)],
    }
    return {"distribution-histogram.png": histogram, "distribution-boxplot.png": boxplot}, findings


def check_distribution(ctx):
    found = _findings(ctx, "distribution")
    df = _frame(ctx)
    top = df.groupby("cultivar")["proline"].median().idxmax()
    yield equal("the box plot's answer: the cultivar with the highest median proline", found["highest_median_proline"], top, "local")
    yield expect("alcohol is roughly symmetric (|skew| < 0.5), so the mean is a fair summary",
                 abs(found["alcohol_skew"]) < 0.5 and abs(found["alcohol_skew"] - df.alcohol.skew()) < 1e-3,
                 f"skew {found['alcohol_skew']}", "local")
    yield _chart_in_s3(ctx, "charts/distribution-histogram.png")
    yield _chart_in_s3(ctx, "charts/distribution-boxplot.png")


# -- 3 relationship -----------------------------------------------------------------------------


def apply_relationship(ctx):
    _publish(ctx, "relationship", _draw_relationship(_get(ctx, "data/wine.csv")))


@functools.lru_cache(maxsize=2)
def _draw_relationship(data: bytes):
    df = _parse(data)
    fig, ax = figures.new_figure(6.4, 4.8)
    for c in CULTIVARS:
        part = df[df.cultivar == c]
        ax.scatter(part.total_phenols, part.flavanoids, s=14, label=c)
    r = df.total_phenols.corr(df.flavanoids)
    ax.set(xlabel="total phenols", ylabel="flavanoids", title=f"Relationship: scatter plot (Pearson r = {r:.2f})")
    ax.legend()
    scatter = figures.png_bytes(fig)

    corr = df.drop(columns="cultivar").corr()
    fig, ax = figures.new_figure(8, 6.8)
    image = ax.imshow(corr, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(corr)), corr.columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(corr)), corr.columns, fontsize=8)
    for i in range(len(corr)):
        for j in range(len(corr)):
            ax.text(j, i, f"{corr.iloc[i, j]:.1f}", ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, shrink=0.8, label="Pearson correlation")
    ax.set_title("Relationship: correlation heat map")
    heatmap = figures.png_bytes(fig)

    a, b, value = _strongest_pair(df)
    findings = {"phenols_flavanoids_r": round(float(r), 4), "strongest_pair": [a, b], "strongest_r": round(value, 4)}
    return {"relationship-scatter.png": scatter, "relationship-heatmap.png": heatmap}, findings


def check_relationship(ctx):
    found = _findings(ctx, "relationship")
    a, b, value = _strongest_pair(_frame(ctx))
    pair = sorted(SKLEARN_NAMES.get(name, name) for name in found["strongest_pair"])  # in either order
    yield equal("the heat map's strongest pair", pair, sorted([a, b]), "local")
    yield expect("flavanoids rise with total phenols (strong positive r)", found["phenols_flavanoids_r"] > 0.7,
                 f"r = {found['phenols_flavanoids_r']}", "local")
    yield _chart_in_s3(ctx, "charts/relationship-scatter.png")
    yield _chart_in_s3(ctx, "charts/relationship-heatmap.png")


# -- 4 composition ------------------------------------------------------------------------------


def apply_composition(ctx):
    _publish(ctx, "composition", _draw_composition(_get(ctx, "data/wine.csv")))


@functools.lru_cache(maxsize=2)
def _draw_composition(data: bytes):
    import pandas as pd

    df = _parse(data)
    counts = df.cultivar.value_counts().reindex(CULTIVARS)
    fig, ax = figures.new_figure(5.5, 5)
    ax.pie(counts, labels=[f"{c} ({n})" for c, n in counts.items()], autopct="%1.0f%%", startangle=90)
    ax.set_title("Composition: share of wines per cultivar")
    pie = figures.png_bytes(fig)

    mix = pd.crosstab(df.cultivar, _alcohol_levels(df), normalize="index").reindex(CULTIVARS)
    fig, ax = figures.new_figure(7, 4.4)
    left = [0.0] * len(mix)
    for level, colour in zip(mix.columns, ["#c6dbef", "#6baed6", "#08519c"]):
        ax.barh(mix.index, mix[level], left=left, color=colour, label=f"{level} alcohol")
        left = [a + b for a, b in zip(left, mix[level])]
    ax.set(xlabel="share of the cultivar's wines", xlim=(0, 1), title="Composition: 100% stacked bars of alcohol level")
    ax.legend(loc="lower right", fontsize=8)
    stacked = figures.png_bytes(fig)

    findings = {
        "shares": {c: round(float(n / counts.sum()), 4) for c, n in counts.items()},
        "largest_cultivar": str(counts.idxmax()),
        "mostly_high_alcohol": str(mix["high"].idxmax()),
        "high_share": round(float(mix["high"].max()), 4),
    }
    return {"composition-pie.png": pie, "composition-stacked-bar.png": stacked}, findings


def check_composition(ctx):
    found = _findings(ctx, "composition")
    df = _frame(ctx)
    yield expect("the pie's shares add up to 100%", abs(sum(found["shares"].values()) - 1) < 1e-3,
                 str(found["shares"]), "local")
    yield equal("the largest slice", found["largest_cultivar"], str(df.cultivar.value_counts().idxmax()), "local")
    high = (_alcohol_levels(df) == "high").groupby(df.cultivar).mean().idxmax()
    yield equal("the cultivar whose bar is most 'high alcohol'", found["mostly_high_alcohol"], high, "local")
    yield _chart_in_s3(ctx, "charts/composition-pie.png")
    yield _chart_in_s3(ctx, "charts/composition-stacked-bar.png")


# -- 5 comparison -------------------------------------------------------------------------------

COMPARED = ["alcohol", "flavanoids", "color_intensity", "hue", "proline", "od280_od315"]


def _standardised_means(df):
    scaled = (df[COMPARED] - df[COMPARED].mean()) / df[COMPARED].std()
    return scaled.groupby(df.cultivar).mean().reindex(CULTIVARS)


def apply_comparison(ctx):
    _publish(ctx, "comparison", _draw_comparison(_get(ctx, "data/wine.csv")))


@functools.lru_cache(maxsize=2)
def _draw_comparison(data: bytes):
    df = _parse(data)
    means = _standardised_means(df)
    fig, ax = figures.new_figure(9, 4.6)
    width = 0.27
    for i, c in enumerate(CULTIVARS):
        ax.bar([x + (i - 1) * width for x in range(len(COMPARED))], means.loc[c], width, label=c)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(len(COMPARED)), COMPARED)
    ax.set(ylabel="mean in standard deviations from the overall mean",
           title="Comparison: cultivar means side by side (standardised)")
    ax.legend()
    bars = figures.png_bytes(fig)
    spread = (means.max() - means.min()).sort_values(ascending=False)
    findings = {"most_separating": str(spread.index[0]), "spread": {k: round(float(v), 3) for k, v in spread.items()}}
    return {"comparison-bar.png": bars}, findings


def check_comparison(ctx):
    found = _findings(ctx, "comparison")
    means = _standardised_means(_frame(ctx))
    best = (means.max() - means.min()).idxmax()
    yield equal("the measurement whose bars differ most between cultivars",
                SKLEARN_NAMES.get(found["most_separating"], found["most_separating"]), best, "local")
    yield _chart_in_s3(ctx, "charts/comparison-bar.png")


# -- 6 the index --------------------------------------------------------------------------------


def _reveals(ctx) -> dict[str, str]:
    d, r = _findings(ctx, "distribution"), _findings(ctx, "relationship")
    c, m = _findings(ctx, "composition"), _findings(ctx, "comparison")
    return {
        "distribution-histogram.png": f"alcohol is roughly symmetric (skew {d['alcohol_skew']}) around {d['alcohol_mean']}%; {d['lowest_mean_alcohol']} sits lowest",
        "distribution-boxplot.png": f"{d['highest_median_proline']} has the most proline (median {d['proline_medians'][d['highest_median_proline']]:.0f} mg/L; "
        + ", ".join(f"{k} {v:.0f}" for k, v in d["proline_medians"].items() if k != d["highest_median_proline"]) + ")",
        "relationship-scatter.png": f"r = {r['phenols_flavanoids_r']}: " + (
            "yes, a strong positive linear relationship" if r["phenols_flavanoids_r"] > 0.7 else "no strong linear relationship"),
        "relationship-heatmap.png": f"strongest pair: {r['strongest_pair'][0]} and {r['strongest_pair'][1]} (r = {r['strongest_r']})",
        "composition-pie.png": "shares " + ", ".join(f"{k} {v:.0%}" for k, v in c["shares"].items()) + f"; largest: {c['largest_cultivar']}",
        "composition-stacked-bar.png": f"{c['mostly_high_alcohol']} has the largest high-alcohol share ({c['high_share']:.0%} of its wines)",
        "comparison-bar.png": f"{m['most_separating']} separates the cultivars most",
    }


def apply_chart_index(ctx):
    reveals = _reveals(ctx)
    entries = [
        {"file": f, "s3_key": f"charts/{f}", "family": fam, "chart": kind, "question": q, "reveals": reveals[f]}
        for f, fam, kind, q in CHARTS
    ]
    lines = ["# Charts", "", "| chart | type | question | what it reveals |", "|---|---|---|---|"]
    lines += [f"| {e['file']} | {e['chart']} ({e['family']}) | {e['question']} | {e['reveals']} |" for e in entries]
    markdown = "\n".join(lines) + "\n"
    (ctx.output_dir / "index.md").write_text(markdown)
    (ctx.output_dir / "index.json").write_text(json.dumps(entries, indent=1))
    _put(ctx, "charts/index.json", json.dumps(entries, indent=1))
    _put(ctx, "charts/index.md", markdown, "text/markdown")


def check_chart_index(ctx):
    entries = json.loads(_get(ctx, "charts/index.json"))
    # in any order: an index grouped another way lists the same charts
    yield equal("the index lists the seven charts", sorted(e["file"] for e in entries), sorted(c[0] for c in CHARTS))
    yield equal("it covers the four families of questions", sorted({e["family"] for e in entries}),
                ["comparison", "composition", "distribution", "relationship"])
    listed = ctx.client("s3").list_objects_v2(Bucket=_bucket(ctx), Prefix="charts/").get("Contents", [])
    keys = {o["Key"] for o in listed}
    missing = [e["s3_key"] for e in entries if e["s3_key"] not in keys]
    yield expect("every chart in the index is in S3", not missing, f"missing {missing}" if missing else f"{len(entries)} PNG files")
    yield expect("every entry says what the chart reveals", all(e["reveals"] for e in entries),
                 entries[0]["reveals"], "local")
