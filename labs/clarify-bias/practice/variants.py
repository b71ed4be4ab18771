"""clarify-bias: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("clarify-bias").load_steps()


def _config(change):
    """The reference configuration, changed, written where the task says."""
    def build(ctx):
        steps = _steps()
        config = steps.analysis_config(ctx)
        change(config)
        ctx.client("s3").put_object(Bucket=ctx.name("clarify"), Key=steps.CONFIG_KEY,
                                    Body=json.dumps(config).encode())
    return build


def _all_methods(config):
    config["methods"]["pre_training_bias"]["methods"] = "all"
    config["methods"]["post_training_bias"]["methods"] = "all"


def _by_index(config):
    config["label"] = 5
    config["facet"][0]["name_or_index"] = 4
    config["excluded_columns"] = [4]


def _label_as_threshold(config):
    config["label_values_or_threshold"] = 0  # labels above 0 are positive: approved = 1


def _defaults_left_out(config):
    for key in ("version", "probability_threshold"):
        config.pop(key)
    config["methods"].pop("report")
    config["methods"]["shap"] = {"baseline": config["methods"]["shap"]["baseline"]}


def _facet_value_a_string(config):
    config["facet"][0]["value_or_threshold"] = "female"


def _facet_d_male(config):
    config["facet"][0]["value_or_threshold"] = ["male"]


def _label_threshold_missing(config):
    del config["label_values_or_threshold"]


def _unknown_metric(config):
    config["methods"]["post_training_bias"]["methods"] = ["DPPL", "DIR", "AD", "RD", "TE"]


def _no_baseline(config):
    del config["methods"]["shap"]["baseline"]


def _sex_sent_to_model(config):
    del config["excluded_columns"]


def _job(change):
    return lambda ctx: tweak(ctx, "sagemaker", "CreateProcessingJob", change, _steps().apply_clarify_job)


def _dataset_as_prefix(params):
    params["ProcessingInputs"][1]["S3Input"]["S3Uri"] = params["ProcessingInputs"][1]["S3Input"]["S3Uri"].rsplit("/", 1)[0] + "/"


def _output_with_slash(params):
    params["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] += "/"


def _config_input_misnamed(params):
    params["ProcessingInputs"][0]["InputName"] = "config"


def _output_misnamed(params):
    params["ProcessingOutputConfig"]["Outputs"][0]["OutputName"] = "output"


def _xgboost_image(params):
    params["AppSpecification"]["ImageUri"] = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def _dataset_elsewhere(params):
    params["ProcessingInputs"][1]["S3Input"]["LocalPath"] = "/opt/ml/processing/data"


VARIANTS = [
    accept("analysis_config", "methods \"all\" before and after training", _config(_all_methods)),
    accept("analysis_config", "label, facet and excluded column given by index", _config(_by_index)),
    accept("analysis_config", "the positive label given as a threshold (0: labels above it)", _config(_label_as_threshold)),
    accept("analysis_config", "version, probability_threshold, report and SHAP options left at their defaults",
           _config(_defaults_left_out)),
    reject("analysis_config", "the facet value a string, not a list", _config(_facet_value_a_string),
           fix="must be a list"),
    reject("analysis_config", "facet d = male (the favoured group)", _config(_facet_d_male), fix="facet d = female"),
    reject("analysis_config", "label_values_or_threshold left out", _config(_label_threshold_missing),
           fix="label_values_or_threshold"),
    reject("analysis_config", "an unknown metric code (DIR)", _config(_unknown_metric), fix="unknown metric DIR"),
    reject("analysis_config", "SHAP without the task's baseline", _config(_no_baseline), fix="K-means"),
    reject("analysis_config", "sex sent to the model (no excluded_columns)", _config(_sex_sent_to_model),
           fix="columns sent"),
    accept("clarify_job", "the dataset input as the data/ prefix", _job(_dataset_as_prefix)),
    accept("clarify_job", "the output URI with a trailing slash", _job(_output_with_slash)),
    reject("clarify_job", "the configuration input named 'config'", _job(_config_input_misnamed),
           fix="no processing input named 'analysis_config'"),
    reject("clarify_job", "the output named 'output'", _job(_output_misnamed),
           fix="no processing output named 'analysis_result'"),
    reject("clarify_job", "the XGBoost image instead of Clarify's", _job(_xgboost_image), fix="prebuilt Clarify image"),
    reject("clarify_job", "the dataset mounted at another path", _job(_dataset_elsewhere), fix="container paths: wrong"),
]
