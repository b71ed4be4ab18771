"""Processing step: drop incomplete rows, split train/test, write label-first headerless CSVs.

Runs in a SageMaker processing container (the scikit-learn image): the raw data is at
/opt/ml/processing/input/raw, this script at /opt/ml/processing/input/code, the outputs go to
/opt/ml/processing/output/{train,test}, which SageMaker uploads to S3 when the job ends. The
folders are found relative to this file, so the same script runs wherever /opt/ml/processing is.
Standalone: numpy only.
"""
import csv
import glob
import os
from pathlib import Path

BASE = Path(__file__).resolve().parents[2]  # /opt/ml/processing
TEST_EVERY = 5  # every 5th complete row goes to the test set (deterministic split)


def main():
    rows = []
    for path in sorted(glob.glob(str(BASE / "input" / "raw" / "*.csv"))):
        with open(path, newline="") as fh:
            for record in csv.DictReader(fh):
                if all(value.strip() for value in record.values()):
                    rows.append(record)
    features = [name for name in rows[0] if name != "label"]
    train, test = [], []
    for i, record in enumerate(rows):
        line = ",".join([record["label"]] + [record[f] for f in features])
        (test if i % TEST_EVERY == 0 else train).append(line)
    for name, lines in (("train", train), ("test", test)):
        out = BASE / "output" / name
        os.makedirs(out, exist_ok=True)
        (out / f"{name}.csv").write_text("\n".join(lines) + "\n")
    print(f"complete rows: {len(rows)}, train: {len(train)}, test: {len(test)}")


if __name__ == "__main__":
    main()
