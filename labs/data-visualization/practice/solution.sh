#!/usr/bin/env bash
# Data visualisation — the learner's part (every objective is yours): the wine data as CSV, seven
# charts drawn with matplotlib and what each reveals as JSON, an index of the charts, all put in S3
# with the AWS CLI.
set -euo pipefail
BUCKET=awslabs-data-visualization-practice-charts
mkdir -p out/data out/charts out/findings

# -- 1. the bucket
aws s3 mb "s3://$BUCKET"

# -- 1-6. the data, the charts, the findings and the index: local work with pandas and matplotlib
python3 - <<'PY'
import json

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_wine


def save(fig, name):
    fig.tight_layout()
    fig.savefig(f"out/charts/{name}", dpi=100)
    plt.close(fig)


# 1. 178 wines, 13 measurements and the cultivar (class_0, class_1, class_2) as a named column
wine = load_wine(as_frame=True)
df = wine.frame.rename(columns={"od280/od315_of_diluted_wines": "od280_od315"})
df["cultivar"] = [wine.target_names[t] for t in df.pop("target")]
df.to_csv("out/data/wine.csv", index=False)
cultivars = sorted(df.cultivar.unique())
measurements = df.drop(columns="cultivar")

# 2. distribution: a stacked histogram of alcohol, a box plot of proline per cultivar
fig, ax = plt.subplots(figsize=(7, 4.4))
ax.hist([df.alcohol[df.cultivar == c] for c in cultivars], bins=16, stacked=True, label=cultivars)
ax.axvline(df.alcohol.mean(), color="black", ls="--", label="mean")
ax.set(xlabel="alcohol (% vol)", ylabel="number of wines", title="Alcohol by cultivar")
ax.legend()
save(fig, "distribution-histogram.png")
fig, ax = plt.subplots(figsize=(7, 4.4))
ax.boxplot([df.proline[df.cultivar == c] for c in cultivars], tick_labels=cultivars)
ax.set(ylabel="proline (mg/L)", title="Proline by cultivar")
save(fig, "distribution-boxplot.png")
medians = df.groupby("cultivar").proline.median()
distribution = {"alcohol_mean": round(df.alcohol.mean(), 3), "alcohol_skew": round(df.alcohol.skew(), 3),
                "lowest_mean_alcohol": df.groupby("cultivar").alcohol.mean().idxmin(),
                "highest_median_proline": medians.idxmax(),
                "proline_medians": {k: float(v) for k, v in medians.items()},
                "proline_iqr": [float(v) for v in df.proline.quantile([0.25, 0.75])]}

# 3. relationship: scatter of flavanoids against total phenols, and the correlation heat map
r = df.total_phenols.corr(df.flavanoids)
fig, ax = plt.subplots(figsize=(6.4, 4.8))
for c in cultivars:
    ax.scatter(df.total_phenols[df.cultivar == c], df.flavanoids[df.cultivar == c], s=14, label=c)
ax.set(xlabel="total phenols", ylabel="flavanoids", title=f"Pearson r = {r:.2f}")
ax.legend()
save(fig, "relationship-scatter.png")
corr = measurements.corr()
fig, ax = plt.subplots(figsize=(8, 6.8))
image = ax.imshow(corr, cmap="RdBu_r", vmin=-1, vmax=1)
ax.set_xticks(range(len(corr)), corr.columns, rotation=60, ha="right", fontsize=8)
ax.set_yticks(range(len(corr)), corr.columns, fontsize=8)
fig.colorbar(image, ax=ax, label="Pearson correlation")
ax.set_title("Correlation heat map")
save(fig, "relationship-heatmap.png")
pairs = [(a, b, corr.loc[a, b]) for i, a in enumerate(corr.columns) for b in corr.columns[i + 1:]]
a, b, strongest = max(pairs, key=lambda p: abs(p[2]))
relationship = {"phenols_flavanoids_r": round(r, 4), "strongest_pair": [a, b], "strongest_r": round(strongest, 4)}

# 4. composition: a pie of the cultivars, 100 % stacked bars of low/medium/high alcohol (terciles)
counts = df.cultivar.value_counts().reindex(cultivars)
fig, ax = plt.subplots(figsize=(5.5, 5))
ax.pie(counts, labels=[f"{c} ({n})" for c, n in counts.items()], autopct="%1.0f%%", startangle=90)
ax.set_title("Share of wines per cultivar")
save(fig, "composition-pie.png")
level = pd.qcut(df.alcohol, 3, labels=["low", "medium", "high"])
mix = pd.crosstab(df.cultivar, level, normalize="index").reindex(cultivars)
fig, ax = plt.subplots(figsize=(7, 4.4))
left = pd.Series(0.0, index=mix.index)
for name in mix.columns:
    ax.barh(mix.index, mix[name], left=left, label=f"{name} alcohol")
    left += mix[name]
ax.set(xlabel="share of the cultivar's wines", xlim=(0, 1), title="Alcohol level within each cultivar")
ax.legend(loc="lower right")
save(fig, "composition-stacked-bar.png")
composition = {"shares": {c: round(n / counts.sum(), 4) for c, n in counts.items()},
               "largest_cultivar": counts.idxmax(), "mostly_high_alcohol": mix["high"].idxmax(),
               "high_share": round(float(mix["high"].max()), 4)}

# 5. comparison: standardised means of six measurements, one bar series per cultivar
compared = ["alcohol", "flavanoids", "color_intensity", "hue", "proline", "od280_od315"]
scaled = (df[compared] - df[compared].mean()) / df[compared].std()
means = scaled.groupby(df.cultivar).mean()
fig, ax = plt.subplots(figsize=(9, 4.6))
for i, c in enumerate(cultivars):
    ax.bar([x + (i - 1) * 0.27 for x in range(len(compared))], means.loc[c], 0.27, label=c)
ax.axhline(0, color="black", lw=0.8)
ax.set_xticks(range(len(compared)), compared)
ax.set(ylabel="standard deviations from the mean", title="Cultivar means side by side (standardised)")
ax.legend()
save(fig, "comparison-bar.png")
spread = (means.max() - means.min()).sort_values(ascending=False)
comparison = {"most_separating": spread.index[0], "spread": {k: round(float(v), 3) for k, v in spread.items()}}

for family, found in (("distribution", distribution), ("relationship", relationship),
                      ("composition", composition), ("comparison", comparison)):
    json.dump(found, open(f"out/findings/{family}.json", "w"), indent=1, default=float)

# 6. the index: each chart with the question it answers and what it reveals
charts = [
    ("distribution-histogram.png", "distribution", "histogram", "How is alcohol content distributed, and does it differ by cultivar?",
     f"alcohol is roughly symmetric (skew {distribution['alcohol_skew']}); {distribution['lowest_mean_alcohol']} sits lowest"),
    ("distribution-boxplot.png", "distribution", "box plot", "Which cultivar has the most proline, and where are the outliers?",
     f"{distribution['highest_median_proline']} has the most proline"),
    ("relationship-scatter.png", "relationship", "scatter plot", "Do flavanoids rise with total phenols?",
     f"r = {relationship['phenols_flavanoids_r']}: a strong positive linear relationship"),
    ("relationship-heatmap.png", "relationship", "correlation heat map", "Which pairs of measurements move together?",
     f"strongest pair: {a} and {b} (r = {relationship['strongest_r']})"),
    ("composition-pie.png", "composition", "pie chart", "What share of the wines does each cultivar make up?",
     f"largest: {composition['largest_cultivar']}"),
    ("composition-stacked-bar.png", "composition", "100% stacked bar chart",
     "Within each cultivar, what mix of low / medium / high alcohol wines is there?",
     f"{composition['mostly_high_alcohol']} has the largest high-alcohol share ({composition['high_share']:.0%})"),
    ("comparison-bar.png", "comparison", "grouped bar chart", "Which measurements tell the cultivars apart?",
     f"{comparison['most_separating']} separates the cultivars most"),
]
entries = [{"file": f, "s3_key": f"charts/{f}", "family": fam, "chart": kind, "question": q, "reveals": rev}
           for f, fam, kind, q, rev in charts]
json.dump(entries, open("out/charts/index.json", "w"), indent=1)
with open("out/charts/index.md", "w") as md:
    md.write("# Charts\n\n| chart | type | question | what it reveals |\n|---|---|---|---|\n")
    md.writelines(f"| {e['file']} | {e['chart']} ({e['family']}) | {e['question']} | {e['reveals']} |\n" for e in entries)
PY

# -- 1-6. upload: data/, charts/ and findings/ keep their names as S3 keys
aws s3 cp out/ "s3://$BUCKET/" --recursive
aws s3 ls "s3://$BUCKET/" --recursive
