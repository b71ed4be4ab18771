"""awslabs.local.annotators: simulated workers, consolidation, Ground Truth output format."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from awslabs.local import annotators as gt

A = gt.Annotation
CLASSES = ["cat", "dog", "bird"]
WHEN = dt.datetime(2018, 10, 18, 22, 18, 13, 527256)


def test_majority_vote_and_confidence_share():
    result = gt.majority_vote([A("w1", 1), A("w2", 1), A("w3", 0)])
    assert result.label == 1 and result.confidence == pytest.approx(2 / 3)
    assert result.votes == {1: 2, 0: 1}


def test_majority_vote_tie_goes_to_smallest_class():
    assert gt.majority_vote([A("w1", 2), A("w2", 0)]).label == 0


def test_annotate_is_deterministic_and_uses_distinct_workers():
    workers = gt.make_annotators([0.9, 0.8, 0.7, 0.6])
    first = gt.annotate([0, 1, 2] * 10, workers, 3, 3, seed=1)
    second = gt.annotate([0, 1, 2] * 10, workers, 3, 3, seed=1)
    assert [[(a.worker_id, a.label) for a in o] for o in first] == [[(a.worker_id, a.label) for a in o] for o in second]
    assert all(len({a.worker_id for a in o}) == 3 for o in first)


def test_perfect_workers_always_agree_with_the_truth():
    truths = [0, 2, 1, 1]
    answers = gt.annotate(truths, gt.make_annotators([1.0, 1.0]), 3, 2)
    assert [gt.majority_vote(a).label for a in answers] == truths


def test_wrong_answers_are_never_the_truth():
    answers = gt.annotate([1] * 50, gt.make_annotators([0.0]), 3, 1)
    assert all(a[0].label != 1 for a in answers)


def test_annotate_rejects_bad_settings():
    with pytest.raises(ValueError):
        gt.annotate([0], gt.make_annotators([0.9]), 3, 2)
    with pytest.raises(ValueError):
        gt.annotate([0], gt.make_annotators([0.9]), 1, 1)


def test_em_learns_to_trust_the_reliable_worker():
    # One strong worker (95%) and two weak ones (50%) label every item. Majority vote lets the weak
    # pair outvote the strong worker whenever they happen to agree; EM estimates each worker's
    # accuracy and follows the strong one.
    truths = [i % 4 for i in range(400)]
    workers = gt.make_annotators([0.95, 0.5, 0.5])
    answers = gt.annotate(truths, workers, 4, 3, seed=3)
    mv = gt.accuracy([gt.majority_vote(a).label for a in answers], truths)
    em = gt.dawid_skene(answers, 4)
    em_acc = gt.accuracy([c.label for c in em], truths)
    assert em_acc > mv + 0.05
    assert em_acc >= 0.9
    overrules = [i for i, a in enumerate(answers) if a[1].label == a[2].label != a[0].label and a[0].worker_id == workers[0].worker_id]
    assert overrules, "the simulation should contain items where the weak pair agrees against the strong worker"


def test_observed_worker_accuracy():
    answers = [[A("a", 0), A("b", 1)], [A("a", 1), A("b", 1)]]
    assert gt.annotator_accuracies(answers, [0, 1]) == {"a": 1.0, "b": 0.5}


def test_output_line_matches_the_documented_image_classification_example():
    # https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html ("sport" example)
    row = gt.output_manifest_line({"source-ref": "s3://b/image_example.png"}, "sport",
                                  gt.Consolidated(0, 0.8), ["football", "tennis"], "identify-sport", WHEN)
    assert row == {
        "source-ref": "s3://b/image_example.png",
        "sport": 0,
        "sport-metadata": {
            "class-name": "football",
            "confidence": 0.8,
            "type": "groundtruth/image-classification",
            "job-name": "identify-sport",
            "human-annotated": "yes",
            "creation-date": "2018-10-18T22:18:13.527256",
        },
    }
    assert gt.validate_output_line(row, "sport", ["football", "tennis"]) == []


def test_output_line_keeps_other_input_keys_and_rejects_bad_attribute_names():
    row = gt.output_manifest_line({"source-ref": "s3://b/x", "batch": 7}, "label", gt.Consolidated(1, 1.0), CLASSES, "j", WHEN)
    assert row["batch"] == 7
    for bad in ("label-metadata", "label-ref"):
        with pytest.raises(ValueError):
            gt.output_manifest_line({"source-ref": "s3://b/x"}, bad, gt.Consolidated(0, 1.0), CLASSES, "j", WHEN)


def test_validator_finds_format_problems():
    good = gt.output_manifest_line({"source-ref": "s3://b/x"}, "label", gt.Consolidated(1, 0.7), CLASSES, "j", WHEN)
    broken = json.loads(json.dumps(good))
    del broken["label-metadata"]["confidence"]
    broken["label-metadata"]["class-name"] = "cat"
    problems = gt.validate_output_line(broken, "label", CLASSES)
    assert any("confidence" in p for p in problems) and any("class-name" in p for p in problems)
    assert gt.validate_output_line({"label": 9}, "label", CLASSES)  # no source-ref, bad index, no metadata


def test_manifest_round_trip_and_errors():
    rows = [{"source-ref": "s3://b/1.png"}, {"source-ref": "s3://b/2.png"}]
    text = gt.dump_manifest(rows)
    assert text.count("\n") == 2 and gt.parse_manifest(text + "\n") == rows
    with pytest.raises(ValueError):
        gt.parse_manifest('{"source-ref": "s3://b/1.png"}\nnot json\n')
    with pytest.raises(ValueError):
        gt.parse_manifest("[1, 2]\n")


def test_worker_response_shape():
    doc = gt.worker_response([A("private.us-east-1.1", 2)], CLASSES, WHEN)
    answer = doc["answers"][0]
    assert answer["answerContent"] == {"crowd-image-classifier": {"label": "bird"}}
    assert answer["workerId"] == "private.us-east-1.1"
