"""awslabs.sim.sagemaker_requests: the documented request rules, case by case."""
from __future__ import annotations

import copy

import pytest

from awslabs.sim import sagemaker_requests as smr

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/gt"


def labeling_request(**changes):
    request = {
        "LabelingJobName": "digits-1",
        "LabelAttributeName": "digit",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/manifests/input.manifest"}}},
        "OutputConfig": {"S3OutputPath": "s3://b/output/"},
        "RoleArn": ROLE,
        "LabelCategoryConfigS3Uri": "s3://b/config/labels.json",
        "HumanTaskConfig": {
            "WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/team",
            "UiConfig": {"UiTemplateS3Uri": "s3://b/config/template.html"},
            "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:PRE-ImageMultiClass",
            "TaskTitle": "Digits",
            "TaskDescription": "Classify digits",
            "NumberOfHumanWorkersPerDataObject": 3,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:432418664414:function:ACS-ImageMultiClass"
            },
        },
    }
    request.update(changes)
    return request


def test_a_complete_labeling_request_is_valid():
    assert smr.validate_labeling_job(labeling_request(), REGION) == []


def test_ground_truth_lambda_arns_by_region():
    assert smr.ground_truth_lambda_arn("PRE", "ImageMultiClass", "eu-west-1") == (
        "arn:aws:lambda:eu-west-1:568282634449:function:PRE-ImageMultiClass"
    )
    assert smr.ground_truth_lambda_arn("ACS", "BoundingBox", "us-west-2").startswith("arn:aws:lambda:us-west-2:081040173940:")
    with pytest.raises(ValueError):
        smr.ground_truth_lambda_arn("PRE", "ImageMultiClass", "mars-north-1")
    with pytest.raises(ValueError):
        smr.ground_truth_lambda_arn("POST", "ImageMultiClass", REGION)


@pytest.mark.parametrize(
    "path,value,fragment",
    [
        (("LabelAttributeName",), "digit-metadata", "-metadata"),
        (("LabelAttributeName",), "digit-ref", "-ref"),
        (("LabelAttributeName",), "bad name!", "does not match"),
        (("LabelingJobName",), "x" * 64, "longer than 63"),
        (("HumanTaskConfig", "NumberOfHumanWorkersPerDataObject"), 10, "1..9"),
        (("HumanTaskConfig", "TaskTimeLimitInSeconds"), 29, "below the minimum 30"),
        (("HumanTaskConfig", "TaskTimeLimitInSeconds"), 28_801, "28,800"),
        (("HumanTaskConfig", "TaskAvailabilityLifetimeInSeconds"), 2_592_001, "2,592,000"),
        (("HumanTaskConfig", "PreHumanTaskLambdaArn"), "arn:aws:lambda:us-east-1:432418664414:function:PRE-BoundingBox", "PreHumanTaskLambdaArn"),
        (("RoleArn",), "not-an-arn", "does not match"),
        (("Surprise",), 1, "unknown parameter"),
    ],
)
def test_labeling_request_rule_violations(path, value, fragment):
    request = labeling_request()
    target = request
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problems = smr.validate_labeling_job(request, REGION)
    assert any(fragment in p for p in problems), problems


def test_a_request_breaking_three_documented_limits_gets_a_problem_for_each():
    """Was a check of the ground-truth-labeling lab (a verdict on fixed inputs the lab never sent).
    API_CreateLabelingJob: LabelAttributeName "can't end with -metadata"; API_HumanTaskConfig:
    NumberOfHumanWorkersPerDataObject 1..9, TaskTimeLimitInSeconds at most 28,800 for image tasks."""
    request = labeling_request(LabelAttributeName="digit-metadata")
    request["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"] = 10
    request["HumanTaskConfig"]["TaskTimeLimitInSeconds"] = 36_000
    problems = smr.validate_labeling_job(request, REGION, "ImageMultiClass")
    # (the worker count is also above the API model's maximum: reported twice, by both layers)
    assert any("LabelAttributeName" in p and "-metadata" in p for p in problems)
    assert any("NumberOfHumanWorkersPerDataObject" in p and "1..9" in p for p in problems)
    assert any("TaskTimeLimitInSeconds" in p and "28,800" in p for p in problems)
    ok = labeling_request()
    ok["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"] = 9
    ok["HumanTaskConfig"]["TaskTimeLimitInSeconds"] = 28_800
    assert smr.validate_labeling_job(ok, REGION, "ImageMultiClass") == []  # the limits themselves are allowed


def test_missing_required_members_are_reported():
    request = labeling_request()
    del request["HumanTaskConfig"]["TaskTitle"]
    del request["RoleArn"]
    problems = smr.validate_labeling_job(request, REGION)
    assert "CreateLabelingJob.RoleArn: required" in problems
    assert "CreateLabelingJob.HumanTaskConfig.TaskTitle: required" in problems


def test_public_workforce_has_a_12_hour_availability_cap():
    request = labeling_request()
    request["HumanTaskConfig"]["WorkteamArn"] = "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default"
    request["HumanTaskConfig"]["TaskAvailabilityLifetimeInSeconds"] = 43_201
    assert any("43,200" in p for p in smr.validate_labeling_job(request, REGION))


def test_label_category_file_rules():
    good = {"document-version": "2018-11-28", "labels": [{"label": "cat"}, {"label": "dog"}]}
    assert smr.validate_label_categories(good) == []
    assert smr.validate_label_categories({**good, "document-version": "2020-01-01"})
    assert smr.validate_label_categories({**good, "labels": [{"label": "cat"}, {"label": "cat"}]})
    one = {**good, "labels": [{"label": "cat"}]}
    assert smr.validate_label_categories(one, "ImageMultiClass")  # classification needs two
    assert smr.validate_label_categories(one, "BoundingBox") == []
    assert smr.validate_label_categories({"document-version": "2018-11-28", "labels": ["cat"]})


def tuning_request(strategy="Bayesian", **config_changes):
    config = {
        "Strategy": strategy,
        "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "cv:accuracy"},
        "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 2},
        "ParameterRanges": {
            "ContinuousParameterRanges": [{"Name": "C", "MinValue": "0.01", "MaxValue": "1000", "ScalingType": "Logarithmic"}],
        },
        "TrainingJobEarlyStoppingType": "Auto",
    }
    config.update(config_changes)
    return {
        "HyperParameterTuningJobName": "hpo-1",
        "HyperParameterTuningJobConfig": config,
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": smr.sklearn_image_uri(REGION),
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "cv:accuracy", "Regex": "cv_accuracy=([0-9.]+)"}],
            },
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://b/models/"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
    }


def test_a_bayesian_tuning_request_is_valid():
    assert smr.validate_tuning_job(tuning_request()) == []


def test_logarithmic_scaling_needs_positive_values():
    request = tuning_request()
    request["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][0]["MinValue"] = "0"
    assert any("greater than 0" in p for p in smr.validate_tuning_job(request))


def test_reverse_logarithmic_only_for_continuous_ranges_within_0_and_1():
    ranges = {
        "ContinuousParameterRanges": [{"Name": "momentum", "MinValue": "0.5", "MaxValue": "1.0", "ScalingType": "ReverseLogarithmic"}],
        "IntegerParameterRanges": [{"Name": "depth", "MinValue": "1", "MaxValue": "5", "ScalingType": "ReverseLogarithmic"}],
    }
    problems = smr.validate_tuning_job(tuning_request(ParameterRanges=ranges))
    assert any("momentum" in p and "0 <= x < 1" in p for p in problems)
    assert any("depth" in p and "integer" in p for p in problems)
    ranges["ContinuousParameterRanges"][0]["MaxValue"] = "0.999"
    ranges.pop("IntegerParameterRanges")
    assert smr.validate_tuning_job(tuning_request(ParameterRanges=ranges)) == []


def test_min_above_max_and_integer_bounds():
    ranges = {"IntegerParameterRanges": [{"Name": "depth", "MinValue": "8", "MaxValue": "2.5"}]}
    problems = smr.validate_tuning_job(tuning_request(ParameterRanges=ranges))
    assert any("greater than MaxValue" in p for p in problems) and any("integer bounds" in p for p in problems)


def test_grid_search_rules():
    grid_ranges = {"CategoricalParameterRanges": [
        {"Name": "kernel", "Values": ["rbf", "linear"]},
        {"Name": "C", "Values": ["0.1", "1", "10"]},
    ]}
    assert smr.grid_size(grid_ranges) == 6
    assert len(smr.grid_combinations(grid_ranges)) == 6
    ok = tuning_request("Grid", ParameterRanges=grid_ranges, TrainingJobEarlyStoppingType="Off",
                        ResourceLimits={"MaxParallelTrainingJobs": 2})
    assert smr.validate_tuning_job(ok) == []  # MaxNumberOfTrainingJobs may be omitted
    wrong_count = copy.deepcopy(ok)
    wrong_count["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxNumberOfTrainingJobs"] = 5
    assert any("6 distinct combinations" in p for p in smr.validate_tuning_job(wrong_count))
    continuous = tuning_request("Grid")
    assert any("only categorical" in p for p in smr.validate_tuning_job(continuous))


def test_hyperband_needs_early_stopping_off_and_strategy_config_only_with_hyperband():
    assert any("Off" in p for p in smr.validate_tuning_job(tuning_request("Hyperband")))
    ok = tuning_request("Hyperband", TrainingJobEarlyStoppingType="Off",
                        StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 27}})
    assert smr.validate_tuning_job(ok) == []
    bad = tuning_request(StrategyConfig={"HyperbandStrategyConfig": {"MinResource": 1}})
    assert any("only for the Hyperband" in p for p in smr.validate_tuning_job(bad))


def test_a_bayesian_request_with_continuous_ranges_and_early_stopping_is_not_valid_as_grid_or_hyperband():
    """Was a check of the hyperparameter-tuning lab (the lab's own request with the strategy
    swapped, never sent). automatic-model-tuning-how-it-works: "Grid search ... only categorical
    parameters"; Hyperband "has its own internal early stopping" (TrainingJobEarlyStoppingType Off)."""
    ranges = {"ContinuousParameterRanges": [
        {"Name": "C", "MinValue": "0.01", "MaxValue": "1000.0", "ScalingType": "Logarithmic"},
        {"Name": "gamma", "MinValue": "1e-05", "MaxValue": "1.0", "ScalingType": "Logarithmic"},
    ]}
    assert smr.validate_tuning_job(tuning_request("Bayesian", ParameterRanges=ranges)) == []
    grid = smr.validate_tuning_job(tuning_request("Grid", ParameterRanges=ranges))
    assert any("Grid" in p and "only categorical" in p for p in grid), grid
    band = smr.validate_tuning_job(tuning_request("Hyperband", ParameterRanges=ranges))
    assert band == ["Hyperband has its own early stopping: TrainingJobEarlyStoppingType must be Off"]


def test_non_grid_strategies_need_a_job_budget():
    request = tuning_request("Random", ResourceLimits={"MaxParallelTrainingJobs": 2})
    assert any("MaxNumberOfTrainingJobs is required" in p for p in smr.validate_tuning_job(request))


def test_objective_must_be_a_metric_definition_for_framework_images_only():
    request = tuning_request()
    request["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = "validation:auc"
    assert any("MetricDefinitions" in p for p in smr.validate_tuning_job(request))
    request["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"] = smr.pca_image_uri(REGION)
    del request["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"]
    assert smr.validate_tuning_job(request) == []


def test_tuning_name_is_at_most_32_characters_and_warm_start_takes_at_most_5_parents():
    request = tuning_request()
    request["HyperParameterTuningJobName"] = "x" * 33
    request["WarmStartConfig"] = {
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": f"p{i}"} for i in range(6)],
        "WarmStartType": "IdenticalDataAndAlgorithm",
    }
    problems = smr.validate_tuning_job(request)
    assert any("longer than 32" in p for p in problems)
    assert any("at most 5 items" in p for p in problems)


def test_a_parameter_cannot_be_static_and_tuned():
    request = tuning_request()
    request["TrainingJobDefinition"]["StaticHyperParameters"] = {"C": "1"}
    assert any("both static and tuned" in p for p in smr.validate_tuning_job(request))


def test_image_uris_follow_the_region_table():
    assert smr.pca_image_uri("us-east-1") == "382416733822.dkr.ecr.us-east-1.amazonaws.com/pca:1"
    assert smr.pca_image_uri("eu-west-1") == "438346466558.dkr.ecr.eu-west-1.amazonaws.com/pca:1"
    assert smr.sklearn_image_uri("us-west-2") == (
        "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    )
    with pytest.raises(ValueError):
        smr.pca_image_uri("mars-north-1")


def test_pca_hyperparameters():
    good = {"feature_dim": "64", "num_components": "29", "mini_batch_size": "200"}
    assert smr.validate_pca_hyperparameters(good) == []
    assert any("required" in p for p in smr.validate_pca_hyperparameters({"feature_dim": "64"}))
    assert smr.validate_pca_hyperparameters({**good, "num_components": "0"})
    assert smr.validate_pca_hyperparameters({**good, "num_components": "65"})
    assert smr.validate_pca_hyperparameters({**good, "algorithm_mode": "fast"})
    assert smr.validate_pca_hyperparameters({**good, "extra_components": "5"})  # randomized only
    assert smr.validate_pca_hyperparameters({**good, "algorithm_mode": "randomized", "extra_components": "5"}) == []
    assert smr.validate_pca_hyperparameters({**good, "feature_dim": 64})  # values are strings


def test_training_job_shape_validation():
    request = {
        "TrainingJobName": "pca-1",
        "AlgorithmSpecification": {"TrainingImage": smr.pca_image_uri(REGION), "TrainingInputMode": "Streaming"},
        "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": "s3://b/out/"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": "1", "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    problems = smr.validate_shape("CreateTrainingJob", request)
    assert any("TrainingInputMode" in p and "not one of" in p for p in problems)
    assert any("InstanceCount" in p and "integer" in p for p in problems)
