"""SageMaker Ground Truth: an image-classification labeling job from input manifest to output
(augmented) manifest.

Real on every target: the images, the input manifest, the label category file and the worker
template in S3; the ``CreateLabelingJob`` request, validated against the API model and the
documented rules (``awslabs.sim.sagemaker_requests``). moto does not implement labeling jobs, so
the job itself runs only on AWS (step ``start_labeling_job``); off AWS a local runner
(``awslabs.local.annotators``) plays the human workers and the consolidation, and writes the
worker responses and the output manifest in Ground Truth's format to S3.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import json

from awslabs import labkit
from awslabs.lab import Check, StepFailed, equal, expect
from awslabs.local import annotators as gt
from awslabs.local import figures
from awslabs.sim import sagemaker_requests as smr

PER_CLASS = 10  # 100 images
CLASS_NAMES = [str(d) for d in range(10)]
LABEL_ATTRIBUTE = "digit"
WORKER_ACCURACIES = (0.92, 0.85, 0.78, 0.70, 0.62)
TASK = "ImageMultiClass"
SEED = 7


def _bucket(ctx):
    return ctx.name("labeling")


def _job(ctx):
    return ctx.name("digits", max_len=63)


def _role_name(ctx):
    return ctx.name("groundtruth", max_len=64)


def _uri(ctx, key: str) -> str:
    return f"s3://{_bucket(ctx)}/{key}"


def _output_prefix(ctx) -> str:
    # Ground Truth writes under <S3OutputPath>/<job name>/; the local runner uses the same layout
    # under its own prefix so that it never mixes with a real job's output on AWS.
    return f"output-local/{_job(ctx)}"


def _get(ctx, key: str) -> bytes:
    return ctx.client("s3").get_object(Bucket=_bucket(ctx), Key=key)["Body"].read()


def _put(ctx, key: str, body, content_type: str = "application/json") -> None:
    data = body if isinstance(body, bytes) else body.encode()
    ctx.client("s3").put_object(Bucket=_bucket(ctx), Key=key, Body=data, ContentType=content_type)


def _keys(ctx, prefix: str) -> list[str]:
    pages = ctx.client("s3").get_paginator("list_objects_v2").paginate(Bucket=_bucket(ctx), Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


@functools.lru_cache(maxsize=1)
def _images() -> tuple[tuple[int, ...], tuple[bytes, ...]]:
    """The first PER_CLASS digits of each class from scikit-learn's set, as 64x64 PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    chosen = [i for d in range(10) for i in np.where(y == d)[0][:PER_CLASS]]
    chosen = sorted(chosen)  # mixed order, as real data arrives
    pngs = []
    for i in chosen:
        buf = io.BytesIO()
        plt.imsave(buf, np.kron(X[i].reshape(8, 8), np.ones((8, 8))), cmap="gray_r", vmin=0, vmax=16, format="png")
        pngs.append(buf.getvalue())
    return tuple(int(y[i]) for i in chosen), tuple(pngs)


def _truths(ctx) -> list[int]:
    return json.loads(_get(ctx, "truth/labels.json"))


# -- 1 ------------------------------------------------------------------------------------------


def apply_upload_images(ctx):
    ctx.create_bucket(_bucket(ctx))
    truths, pngs = _images()
    for n, png in enumerate(pngs):
        _put(ctx, f"images/digit-{n:03d}.png", png, "image/png")
    # The answer key: never shown to workers; kept only to measure label quality afterwards.
    _put(ctx, "truth/labels.json", json.dumps(list(truths)))


def check_upload_images(ctx):
    keys = _keys(ctx, "images/")
    yield equal(f"{10 * PER_CLASS} images under images/", len(keys), 10 * PER_CLASS)
    yield equal("the answer key has a label per image", len(_truths(ctx)), 10 * PER_CLASS)


def apply_input_manifest(ctx):
    rows = [{"source-ref": _uri(ctx, key)} for key in sorted(_keys(ctx, "images/"))]
    _put(ctx, "manifests/input.manifest", gt.dump_manifest(rows), "application/jsonlines")


def check_input_manifest(ctx):
    rows = gt.parse_manifest(_get(ctx, "manifests/input.manifest").decode())
    yield equal("the input manifest has one JSON line per image", len(rows), 10 * PER_CLASS)
    yield expect("every line has a source-ref S3 URI", all(str(r.get("source-ref", "")).startswith("s3://") for r in rows),
                 rows[0].get("source-ref", "") if rows else "empty")
    images = set(_keys(ctx, "images/"))
    keys = [str(r.get("source-ref", "")).split("/", 3)[3:] for r in rows]
    found = [k[0] for k in keys if k and k[0] in images]
    missing = [r.get("source-ref") for r, k in zip(rows, keys) if not (k and k[0] in images)]
    yield expect("every source-ref points at an object in S3", rows and not missing,
                 f"missing {missing[:3]}" if missing else f"{len(images)} images")
    # a manifest naming nothing that exists has no image to look at: that is the failure above
    first = _get(ctx, found[0]) if found else b""
    yield expect("the objects are PNG images", figures.is_png(first),
                 figures.describe_png(first) if found else "no source-ref names an object in S3")


# -- 2 ------------------------------------------------------------------------------------------

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier
    name="crowd-image-classifier"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="Which digit is this?"
    categories="{{ task.input.labels | to_json | escape }}">
    <full-instructions header="Digit classification">
      <p>Each image is a handwritten digit scanned at 8x8 pixels. Pick the digit it shows.</p>
    </full-instructions>
    <short-instructions><p>Choose the digit 0-9 that the image shows.</p></short-instructions>
  </crowd-image-classifier>
</crowd-form>
"""


def apply_label_config(ctx):
    categories = {"document-version": smr.LABEL_CATEGORY_DOCUMENT_VERSION, "labels": [{"label": c} for c in CLASS_NAMES]}
    problems = smr.validate_label_categories(categories, TASK)
    if problems:
        raise StepFailed("label category file rejected: " + "; ".join(problems))
    _put(ctx, "config/label-categories.json", json.dumps(categories, indent=1))
    _put(ctx, "config/template.liquid.html", TEMPLATE, "text/html")


def check_label_config(ctx):
    categories = json.loads(_get(ctx, "config/label-categories.json"))
    yield equal("ten label categories, 0-9", [x["label"] for x in categories["labels"]], CLASS_NAMES)
    problems = smr.validate_label_categories(categories, TASK)
    yield expect("the label category file follows the documented format (version 2018-11-28, unique, >= 2)",
                 not problems, "; ".join(problems) or "valid", "simulated")
    template = _get(ctx, "config/template.liquid.html").decode()
    yield expect("the worker template uses crowd-image-classifier with a signed link to the image",
                 "<crowd-image-classifier" in template and "grant_read_access" in template, f"{len(template)} bytes")


# -- 3 ------------------------------------------------------------------------------------------


PLACEHOLDER_TEAM = "awslabs-team"


def _private_teams(ctx) -> list[str]:
    teams = ctx.client("sagemaker").list_workteams().get("Workteams", [])
    return [t["WorkteamArn"] for t in teams if ":workteam/private-crowd/" in t["WorkteamArn"]]


def _workteam_arn(ctx) -> str:
    """A private work team: on AWS the first one the account has; otherwise (or if there is none)
    a well-formed ARN in this account, which only the validator ever sees."""
    if ctx.on_aws:
        private = _private_teams(ctx)
        if private:
            return private[0]
    return f"arn:aws:sagemaker:{ctx.region}:{ctx.account}:workteam/private-crowd/{PLACEHOLDER_TEAM}"


def labeling_request(ctx, role_arn: str, workteam_arn: str) -> dict:
    return {
        "LabelingJobName": _job(ctx),
        "LabelAttributeName": LABEL_ATTRIBUTE,
        "InputConfig": {
            "DataSource": {"S3DataSource": {"ManifestS3Uri": _uri(ctx, "manifests/input.manifest")}},
            "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent"]},
        },
        "OutputConfig": {"S3OutputPath": _uri(ctx, "output/")},
        "RoleArn": role_arn,
        "LabelCategoryConfigS3Uri": _uri(ctx, "config/label-categories.json"),
        "StoppingConditions": {"MaxPercentageOfInputDatasetLabeled": 100},
        "HumanTaskConfig": {
            "WorkteamArn": workteam_arn,
            "UiConfig": {"UiTemplateS3Uri": _uri(ctx, "config/template.liquid.html")},
            "PreHumanTaskLambdaArn": smr.ground_truth_lambda_arn("PRE", TASK, ctx.region),
            "TaskKeywords": ["image", "classification", "digits"],
            "TaskTitle": "Which digit is this?",
            "TaskDescription": "Classify each handwritten digit image as 0-9",
            "NumberOfHumanWorkersPerDataObject": 3,
            "TaskTimeLimitInSeconds": 300,
            "TaskAvailabilityLifetimeInSeconds": 21_600,
            "MaxConcurrentTaskCount": 100,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": smr.ground_truth_lambda_arn("ACS", TASK, ctx.region)
            },
        },
        "Tags": ctx.tag_list(),
    }


def _create_role(ctx) -> str:
    # No propagation wait: the ARN only goes into the stored request, which a later step submits
    arn = f"arn:aws:s3:::{_bucket(ctx)}"
    return labkit.create_service_role(ctx, _role_name(ctx), "sagemaker.amazonaws.com", {"labeling-data": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": [arn, f"{arn}/*"]}]}, wait=False)


def apply_labeling_job_request(ctx):
    request = labeling_request(ctx, _create_role(ctx), _workteam_arn(ctx))
    problems = smr.validate_labeling_job(request, ctx.region, TASK)
    if problems:
        raise StepFailed("CreateLabelingJob would be rejected: " + "; ".join(problems))
    _put(ctx, "requests/create-labeling-job.json", smr.to_json(request))


# The ARNs HumanTaskConfig must carry for single-label image classification, as the API reference
# lists them per Region (copied here by hand from the documentation, not built by
# awslabs.sim.sagemaker_requests, which builds the request; as of 2025).
LAMBDAS_SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_HumanTaskConfig.html"
DOCUMENTED_LAMBDAS = {
    "us-east-1": ("arn:aws:lambda:us-east-1:432418664414:function:PRE-ImageMultiClass",
                  "arn:aws:lambda:us-east-1:432418664414:function:ACS-ImageMultiClass"),
    "us-east-2": ("arn:aws:lambda:us-east-2:266458841044:function:PRE-ImageMultiClass",
                  "arn:aws:lambda:us-east-2:266458841044:function:ACS-ImageMultiClass"),
    "us-west-2": ("arn:aws:lambda:us-west-2:081040173940:function:PRE-ImageMultiClass",
                  "arn:aws:lambda:us-west-2:081040173940:function:ACS-ImageMultiClass"),
    "eu-west-1": ("arn:aws:lambda:eu-west-1:568282634449:function:PRE-ImageMultiClass",
                  "arn:aws:lambda:eu-west-1:568282634449:function:ACS-ImageMultiClass"),
    "eu-central-1": ("arn:aws:lambda:eu-central-1:203001061592:function:PRE-ImageMultiClass",
                     "arn:aws:lambda:eu-central-1:203001061592:function:ACS-ImageMultiClass"),
}


def _request_for_another_region(ctx):
    """Mutant: the request carries the Lambdas of another Region (written without the validator)."""
    other = "us-west-2" if ctx.region != "us-west-2" else "us-east-1"
    request = labeling_request(ctx, _create_role(ctx), _workteam_arn(ctx))
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = smr.ground_truth_lambda_arn("PRE", TASK, other)
    request["HumanTaskConfig"]["AnnotationConsolidationConfig"]["AnnotationConsolidationLambdaArn"] = \
        smr.ground_truth_lambda_arn("ACS", TASK, other)
    _put(ctx, "requests/create-labeling-job.json", smr.to_json(request))


def check_labeling_job_request(ctx):
    request = json.loads(_get(ctx, "requests/create-labeling-job.json"))
    problems = smr.validate_labeling_job(request, ctx.region, TASK)
    yield expect("the CreateLabelingJob request passes the API model and the documented rules", not problems,
                 "; ".join(problems) or "valid", "simulated")
    human = request["HumanTaskConfig"]
    documented = DOCUMENTED_LAMBDAS.get(ctx.region)
    carried = (human.get("PreHumanTaskLambdaArn"),
               human.get("AnnotationConsolidationConfig", {}).get("AnnotationConsolidationLambdaArn"))
    if documented is None:
        yield Check("pre-annotation and consolidation Lambdas are Ground Truth's image-classification ones for this Region",
                    True, f"{ctx.region} is not in the lab's copy of the documented list: compare {carried} with "
                    f"{LAMBDAS_SOURCE}", "simulated", skipped=True)
    else:
        yield equal("pre-annotation and consolidation Lambdas are Ground Truth's image-classification ones for this Region",
                    carried, documented, "simulated")
    yield equal("three workers label each image", human["NumberOfHumanWorkersPerDataObject"], 3)
    # The documented limits, written out here (API_CreateLabelingJob / API_HumanTaskConfig, as of
    # 2025), applied to the request the step stored: the label's key cannot end with the suffixes
    # Ground Truth reserves for its own keys, 1..9 workers, 30 s .. 8 h per image task.
    attr = request.get("LabelAttributeName", "")
    workers, limit = human.get("NumberOfHumanWorkersPerDataObject"), human.get("TaskTimeLimitInSeconds")
    within = (bool(attr) and not attr.endswith(("-metadata", "-ref"))
              and isinstance(workers, int) and 1 <= workers <= 9 and isinstance(limit, int) and 30 <= limit <= 28_800)
    yield expect("a label attribute without the -metadata/-ref suffixes, 1-9 workers and a task limit of 30 s to 8 h",
                 within, f"LabelAttributeName {attr!r}, {workers} workers, TaskTimeLimitInSeconds {limit}", "simulated")


# -- 4 (aws only) -------------------------------------------------------------------------------


def apply_start_labeling_job(ctx):
    request = json.loads(_get(ctx, "requests/create-labeling-job.json"))
    if request["HumanTaskConfig"]["WorkteamArn"] not in _private_teams(ctx):
        raise ctx.skip("no private work team in this account: create one (SageMaker > Ground Truth > "
                       "Labeling workforces > Private) and run the lab again")
    ctx.track("sagemaker:labeling-job", request["LabelingJobName"])
    ctx.client("sagemaker").create_labeling_job(**request)


def check_start_labeling_job(ctx):
    if not ctx.on_aws:
        yield ctx.aws_only("the labeling job starts", "moto does not implement CreateLabelingJob")
        return
    job = ctx.client("sagemaker").describe_labeling_job(LabelingJobName=_job(ctx))
    yield expect("the labeling job is initializing or in progress",
                 job["LabelingJobStatus"] in ("Initializing", "InProgress", "Completed"), job["LabelingJobStatus"])


# -- 5 ------------------------------------------------------------------------------------------


def _all_answers(ctx) -> list[list[gt.Annotation]]:
    answers = []
    for n in range(10 * PER_CLASS):
        doc = json.loads(_get(ctx, f"{_output_prefix(ctx)}/annotations/worker-response/iteration-1/{n}/response.json"))
        answers.append([
            gt.Annotation(a["workerId"], CLASS_NAMES.index(a["answerContent"]["crowd-image-classifier"]["label"]))
            for a in doc["answers"]
        ])
    return answers


def apply_simulate_annotators(ctx):
    request = json.loads(_get(ctx, "requests/create-labeling-job.json"))
    per_object = request["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"]
    workers = gt.make_annotators(WORKER_ACCURACIES, prefix=f"private.{ctx.region}")
    truths = _truths(ctx)
    answers = gt.annotate(truths, workers, len(CLASS_NAMES), per_object, seed=SEED)
    now = dt.datetime.now(dt.timezone.utc)
    for n, object_answers in enumerate(answers):
        key = f"{_output_prefix(ctx)}/annotations/worker-response/iteration-1/{n}/response.json"
        _put(ctx, key, json.dumps(gt.worker_response(object_answers, CLASS_NAMES, now), indent=1))


def check_simulate_annotators(ctx):
    keys = _keys(ctx, f"{_output_prefix(ctx)}/annotations/worker-response/")
    yield equal("one worker-response file per image", len(keys), 10 * PER_CLASS)
    answers = _all_answers(ctx)
    yield expect("each image was labelled by 3 different workers",
                 all(len({a.worker_id for a in obj}) == 3 for obj in answers), f"{sum(len(a) for a in answers)} answers", "local")
    observed = gt.annotator_accuracies(answers, _truths(ctx))
    yield expect("the simulated workers differ in quality (best vs worst observed accuracy)",
                 max(observed.values()) - min(observed.values()) > 0.15,
                 ", ".join(f"{v:.0%}" for v in observed.values()), "local")


# -- 6 ------------------------------------------------------------------------------------------


def _manifest_key(ctx) -> str:
    return f"{_output_prefix(ctx)}/manifests/output/output.manifest"


def apply_consolidate(ctx):
    answers, truths = _all_answers(ctx), _truths(ctx)
    inputs = gt.parse_manifest(_get(ctx, "manifests/input.manifest").decode())
    voted = [gt.majority_vote(a) for a in answers]
    em = gt.dawid_skene(answers, len(CLASS_NAMES))
    created = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    lines = [gt.output_manifest_line(row, LABEL_ATTRIBUTE, result, CLASS_NAMES, _job(ctx), created)
             for row, result in zip(inputs, em)]
    _put(ctx, _manifest_key(ctx), gt.dump_manifest(lines), "application/jsonlines")
    single = gt.annotator_accuracies(answers, truths)
    confident = [c.confidence >= 0.9 for c in em]
    evaluation = {
        "single_worker_accuracy": single,
        "mean_single_worker_accuracy": sum(single.values()) / len(single),
        "majority_vote_accuracy": gt.accuracy([v.label for v in voted], truths),
        "dawid_skene_accuracy": gt.accuracy([c.label for c in em], truths),
        "high_confidence_objects": sum(confident),
        "high_confidence_accuracy": gt.accuracy([c.label for c, k in zip(em, confident) if k], [t for t, k in zip(truths, confident) if k]),
        "low_confidence_accuracy": gt.accuracy([c.label for c, k in zip(em, confident) if not k], [t for t, k in zip(truths, confident) if not k]),
    }
    _put(ctx, "evaluation/consolidation.json", json.dumps(evaluation, indent=1))


def check_consolidate(ctx):
    lines = gt.parse_manifest(_get(ctx, _manifest_key(ctx)).decode())
    yield equal("the output manifest has a line per input image", len(lines), 10 * PER_CLASS)
    problems = [p for line in lines for p in gt.validate_output_line(line, LABEL_ATTRIBUTE, CLASS_NAMES)]
    yield expect("every line has the label and label-metadata in Ground Truth's image-classification format",
                 not problems, "; ".join(problems[:3]) or json.dumps(lines[0])[:160], "local")
    truths = _truths(ctx)
    accuracy = gt.accuracy([line[LABEL_ATTRIBUTE] for line in lines], truths)
    evaluation = json.loads(_get(ctx, "evaluation/consolidation.json"))
    mean_single = evaluation["mean_single_worker_accuracy"]
    yield expect("consolidated labels beat a single worker's accuracy", accuracy > mean_single,
                 f"consolidated {accuracy:.0%} vs single worker {mean_single:.0%} on average "
                 f"(majority vote {evaluation['majority_vote_accuracy']:.0%})", "local")
    yield expect("confidence is informative: high-confidence labels are more accurate than the rest",
                 evaluation["high_confidence_accuracy"] > evaluation["low_confidence_accuracy"],
                 f"{evaluation['high_confidence_objects']} labels with confidence >= 0.9: {evaluation['high_confidence_accuracy']:.0%} right; "
                 f"others {evaluation['low_confidence_accuracy']:.0%}", "local")


MUTATIONS = {
    "labeling_job_request": [("the request carries another Region's Ground Truth Lambdas", _request_for_another_region)],
}
