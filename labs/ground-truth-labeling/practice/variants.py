"""ground-truth-labeling: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("ground-truth-labeling").load_steps()


def _manifest(line, keep=lambda keys: keys, end="\n"):
    """The input manifest written by hand: ``line(uri)`` per image, in key order."""
    def build(ctx):
        s = _steps()
        keys = keep(sorted(s._keys(ctx, "images/")))
        s._put(ctx, "manifests/input.manifest", "\n".join(line(s._uri(ctx, k)) for k in keys) + end,
               "application/jsonlines")
    return build


def _https(uri):
    bucket, key = uri[len("s3://"):].split("/", 1)
    return json.dumps({"source-ref": f"https://{bucket}.s3.amazonaws.com/{key}"})


def _label_config(categories=None, template=None):
    def build(ctx):
        s = _steps()
        s.apply_label_config(ctx)
        if categories is not None:
            s._put(ctx, "config/label-categories.json", categories(s))
        if template is not None:
            s._put(ctx, "config/template.liquid.html", template(s.TEMPLATE), "text/html")
    return build


def _compact_categories(s):
    return json.dumps({"document-version": "2018-11-28", "labels": [{"label": c} for c in s.CLASS_NAMES]},
                      separators=(",", ":"))


def _request(change):
    """The request JSON written by hand (no validator), after ``change(request)``."""
    def build(ctx):
        s = _steps()
        request = s.labeling_request(ctx, s._create_role(ctx), s._workteam_arn(ctx))
        change(request)
        s._put(ctx, "requests/create-labeling-job.json", json.dumps(request))
    return build


def _minimal(request):
    """Optional members left out: tags, content classifiers, stopping conditions, concurrency."""
    for key in ("Tags", "StoppingConditions"):
        request.pop(key)
    request["InputConfig"].pop("DataAttributes")
    request["HumanTaskConfig"].pop("MaxConcurrentTaskCount")
    request["HumanTaskConfig"]["TaskTimeLimitInSeconds"] = 600


def _other_region_lambdas(ctx):
    _steps()._request_for_another_region(ctx)


VARIANTS = [
    accept("input_manifest", "each line with an extra attribute Ground Truth passes through, no final newline",
           _manifest(lambda uri: json.dumps({"source-ref": uri, "batch": "2026-12"}), end="")),
    reject("input_manifest", "only the first 50 images", _manifest(lambda uri: json.dumps({"source-ref": uri}),
                                                                   keep=lambda keys: keys[:50]),
           fix="one JSON line per image"),
    reject("input_manifest", "HTTPS object URLs instead of s3:// URIs", _manifest(_https), fix="source-ref S3 URI"),
    reject("input_manifest", "the source-refs name images/ keys that do not exist (a typo'd prefix)",
           _manifest(lambda uri: json.dumps({"source-ref": uri.replace("/digit-", "/digits-")})),
           fix="points at an object in S3"),
    accept("label_config", "compact category JSON and the template's own wording",
           _label_config(_compact_categories, lambda t: t.replace("Which digit is this?", "What digit do you see?"))),
    reject("label_config", "a made-up document-version",
           _label_config(lambda s: json.dumps({"document-version": "2024-01-01",
                                               "labels": [{"label": c} for c in s.CLASS_NAMES]})),
           fix="documented format"),
    reject("label_config", "the template shows the image's raw S3 URI (no grant_read_access)",
           _label_config(template=lambda t: t.replace(" | grant_read_access", "")), fix="signed link"),
    accept("labeling_job_request", "optional members left out, a 10-minute task limit", _request(_minimal)),
    reject("labeling_job_request", "five workers per image instead of three",
           _request(lambda r: r["HumanTaskConfig"].update(NumberOfHumanWorkersPerDataObject=5)), fix="three workers"),
    reject("labeling_job_request", "the Lambdas of another Region (us-west-2's, copied from an example)",
           _other_region_lambdas, fix="for this Region"),
    reject("labeling_job_request", "the label attribute named digit-metadata",
           _request(lambda r: r.update(LabelAttributeName="digit-metadata")), fix="-metadata"),
]
