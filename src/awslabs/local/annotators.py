"""A local stand-in for the human side of a SageMaker Ground Truth image-classification job.

moto does not implement ``CreateLabelingJob``, and a real job needs people. This runner plays
N simulated annotators of known accuracy, gives each data object to
``NumberOfHumanWorkersPerDataObject`` of them, consolidates their answers and writes the files
Ground Truth writes, in Ground Truth's format:

- worker responses, one JSON document per object, shaped like
  ``annotations/worker-response/iteration-1/<n>/<timestamp>.json`` (``answers`` with
  ``workerId`` and ``answerContent``);
- the output (augmented) manifest ``<S3OutputPath>/<job>/manifests/output/output.manifest``: each
  input line unchanged plus ``<label-attribute>`` (the class index) and
  ``<label-attribute>-metadata`` with ``class-name``, ``confidence``, ``type``
  (``groundtruth/image-classification``), ``job-name``, ``human-annotated`` and
  ``creation-date``.

Format: "Labeling job output data",
https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html (image classification output
example and the output directory layout). Consolidation: Ground Truth's built-in image
classification consolidation "uses a variant of the Expectation Maximization approach to
estimate the true class of an image based on annotations from individual workers"
(``AnnotationConsolidationLambdaArn`` in
https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AnnotationConsolidationConfig.html);
``dawid_skene`` below is the classic EM of that family, ``majority_vote`` the simple baseline.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

IMAGE_CLASSIFICATION_TYPE = "groundtruth/image-classification"


@dataclass(frozen=True)
class Annotator:
    worker_id: str
    accuracy: float  # chance of giving the true label; otherwise a wrong label uniformly at random


@dataclass
class Annotation:
    worker_id: str
    label: int


@dataclass
class Consolidated:
    label: int
    confidence: float
    votes: dict[int, int] = field(default_factory=dict)


def make_annotators(accuracies: Sequence[float], prefix: str = "private.us-east-1") -> list[Annotator]:
    """Workers named like private-workforce ids (``private.<region>.<hex>``)."""
    return [Annotator(f"{prefix}.{i:016x}", float(a)) for i, a in enumerate(accuracies, start=1)]


def annotate(
    truths: Sequence[int],
    annotators: Sequence[Annotator],
    n_classes: int,
    workers_per_object: int,
    seed: int = 0,
) -> list[list[Annotation]]:
    """Each object goes to ``workers_per_object`` distinct annotators chosen at random (as Ground
    Truth hands tasks to whichever workers pick them up); each answers correctly with its accuracy."""
    if not 1 <= workers_per_object <= len(annotators):
        raise ValueError("workers_per_object must be between 1 and the number of annotators")
    if n_classes < 2:
        raise ValueError("classification needs at least two classes")
    rng = random.Random(seed)
    out = []
    for truth in truths:
        chosen = rng.sample(list(annotators), workers_per_object)
        answers = []
        for worker in chosen:
            if rng.random() < worker.accuracy:
                label = truth
            else:
                label = rng.choice([c for c in range(n_classes) if c != truth])
            answers.append(Annotation(worker.worker_id, label))
        out.append(answers)
    return out


def majority_vote(answers: Sequence[Annotation]) -> Consolidated:
    """The most frequent label; ties go to the smallest class index (deterministic).
    Confidence is the share of workers who gave the winning label."""
    votes = Counter(a.label for a in answers)
    top = max(votes.values())
    label = min(c for c, n in votes.items() if n == top)
    return Consolidated(label, top / len(answers), dict(votes))


def dawid_skene(
    all_answers: Sequence[Sequence[Annotation]], n_classes: int, iterations: int = 50
) -> list[Consolidated]:
    """Expectation maximisation over worker quality and true labels (Dawid & Skene, 1979, in its
    "one-coin" form: each worker has one accuracy, and a wrong answer is any other class).

    E-step: posterior of each object's true class given every worker's answer and accuracy.
    M-step: a worker's accuracy = expected share of their answers that were right; class priors =
    mean posterior. Started from majority-vote posteriors. One parameter per worker (not a full
    confusion matrix) keeps the model identifiable with a few answers per worker, and lets a
    good worker outvote two poor ones. Confidence is the winning class's posterior."""
    import numpy as np

    workers = sorted({a.worker_id for answers in all_answers for a in answers})
    index = {w: i for i, w in enumerate(workers)}
    n_objects = len(all_answers)
    post = np.zeros((n_objects, n_classes))
    for i, answers in enumerate(all_answers):
        for a in answers:
            post[i, a.label] += 1
        post[i] /= post[i].sum()
    for _ in range(iterations):
        right = np.full(len(workers), 1.0)  # Laplace smoothing: one right and one wrong answer
        seen = np.full(len(workers), 2.0)
        for i, answers in enumerate(all_answers):
            for a in answers:
                right[index[a.worker_id]] += post[i, a.label]
                seen[index[a.worker_id]] += 1
        skill = np.clip(right / seen, 1e-3, 1 - 1e-3)
        priors = (post.sum(axis=0) + 1.0) / (n_objects + n_classes)
        log_post = np.tile(np.log(priors), (n_objects, 1))
        for i, answers in enumerate(all_answers):
            for a in answers:
                s = skill[index[a.worker_id]]
                wrong = np.full(n_classes, np.log((1 - s) / (n_classes - 1)))
                wrong[a.label] = np.log(s)
                log_post[i] += wrong
        log_post -= log_post.max(axis=1, keepdims=True)
        post = np.exp(log_post)
        post /= post.sum(axis=1, keepdims=True)
    results = []
    for i, answers in enumerate(all_answers):
        label = int(post[i].argmax())
        votes = dict(Counter(a.label for a in answers))
        results.append(Consolidated(label, float(post[i, label]), votes))
    return results


def accuracy(predicted: Iterable[int], truths: Iterable[int]) -> float:
    pairs = list(zip(predicted, truths, strict=True))
    return sum(p == t for p, t in pairs) / len(pairs) if pairs else 0.0


def annotator_accuracies(all_answers: Sequence[Sequence[Annotation]], truths: Sequence[int]) -> dict[str, float]:
    """Observed accuracy of each worker over the objects they labelled."""
    right: Counter = Counter()
    seen: Counter = Counter()
    for answers, truth in zip(all_answers, truths, strict=True):
        for a in answers:
            seen[a.worker_id] += 1
            right[a.worker_id] += a.label == truth
    return {w: right[w] / seen[w] for w in sorted(seen)}


# -- Ground Truth's file formats ---------------------------------------------------------------


def parse_manifest(text: str) -> list[dict]:
    """JSON Lines: one JSON object per non-empty line (input and output manifests alike)."""
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"manifest line {n} is not JSON: {err}") from None
            if not isinstance(row, dict):
                raise ValueError(f"manifest line {n} is not a JSON object")
            rows.append(row)
    return rows


def dump_manifest(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)


def worker_response(answers: Sequence[Annotation], class_names: Sequence[str], submitted: dt.datetime) -> dict:
    """One object's worker responses, as the ``crowd-image-classifier`` element submits them."""
    stamp = submitted.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {
        "answers": [
            {
                "acceptanceTime": stamp,
                "answerContent": {"crowd-image-classifier": {"label": class_names[a.label]}},
                "submissionTime": stamp,
                "timeSpentInSeconds": 4.2,
                "workerId": a.worker_id,
                "workerMetadata": None,
            }
            for a in answers
        ]
    }


def output_manifest_line(
    input_row: dict,
    label_attribute: str,
    result: Consolidated,
    class_names: Sequence[str],
    job_name: str,
    created: dt.datetime,
) -> dict:
    """The input line plus the label and its ``-metadata``, exactly the documented keys."""
    if label_attribute.endswith("-metadata") or label_attribute.endswith("-ref"):
        raise ValueError("an image-classification label attribute cannot end with -metadata or -ref")
    row = dict(input_row)
    row[label_attribute] = result.label
    row[f"{label_attribute}-metadata"] = {
        "class-name": class_names[result.label],
        "confidence": round(result.confidence, 2),
        "type": IMAGE_CLASSIFICATION_TYPE,
        "job-name": job_name,
        "human-annotated": "yes",
        "creation-date": created.strftime("%Y-%m-%dT%H:%M:%S.%f"),
    }
    return row


REQUIRED_METADATA = ("class-name", "confidence", "type", "job-name", "human-annotated", "creation-date")


def validate_output_line(row: dict, label_attribute: str, class_names: Sequence[str]) -> list[str]:
    """Problems with one output-manifest line (empty list: it matches the documented format)."""
    problems = []
    if "source-ref" not in row:
        problems.append("no source-ref")
    label = row.get(label_attribute)
    if not isinstance(label, int) or not 0 <= label < len(class_names):
        problems.append(f"{label_attribute} is not a class index: {label!r}")
    meta = row.get(f"{label_attribute}-metadata")
    if not isinstance(meta, dict):
        return problems + [f"no {label_attribute}-metadata object"]
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        problems.append(f"metadata lacks {missing}")
    if meta.get("type") != IMAGE_CLASSIFICATION_TYPE:
        problems.append(f"metadata type is {meta.get('type')!r}")
    if isinstance(label, int) and 0 <= label < len(class_names) and meta.get("class-name") != class_names[label]:
        problems.append("class-name does not match the label index")
    conf = meta.get("confidence")
    if not isinstance(conf, (int, float)) or not 0 <= conf <= 1:
        problems.append(f"confidence out of [0, 1]: {conf!r}")
    return problems
