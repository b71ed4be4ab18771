"""awslabs.sim.inference_options against the limits AWS documents (values typed from the pages,
not read from awslabs.facts)."""
from awslabs.sim.inference_options import ASYNC, BATCH, REAL_TIME, SERVERLESS, Workload, option_of, problems, recommend, throttled

SERVERLESS_PAGE_MEMORY = [1024, 2048, 3072, 4096, 5120, 6144]  # API_ProductionVariantServerlessConfig


def test_steady_small_fast_traffic_is_real_time():
    assert recommend(Workload("w", payload_mb=0.01, processing_s=0.1, peak_concurrency=100)) == REAL_TIME


def test_intermittent_traffic_that_tolerates_cold_starts_is_serverless():
    w = Workload("w", payload_mb=0.01, processing_s=0.1, idle_periods=True, tolerates_cold_start=True)
    assert recommend(w) == SERVERLESS


def test_no_cold_starts_tolerated_keeps_real_time():
    assert recommend(Workload("w", payload_mb=0.01, processing_s=0.1, idle_periods=True)) == REAL_TIME


def test_serverless_payload_limit_is_4_mb():
    # 5 MB fits real-time (6 MB) but not serverless (4 MB)
    w = Workload("w", payload_mb=5, processing_s=1, idle_periods=True, tolerates_cold_start=True)
    assert recommend(w) == REAL_TIME


def test_serverless_memory_above_6144_mb_is_not_serverless():
    w = Workload("w", payload_mb=0.01, processing_s=1, idle_periods=True, tolerates_cold_start=True, memory_mb=8192)
    assert recommend(w) == REAL_TIME


def test_over_6_mb_or_60_seconds_is_asynchronous():
    assert recommend(Workload("w", payload_mb=7, processing_s=1)) == ASYNC
    assert recommend(Workload("w", payload_mb=1, processing_s=61)) == ASYNC
    assert recommend(Workload("w", payload_mb=1000, processing_s=3600)) == ASYNC


def test_beyond_1_gb_or_one_hour_no_endpoint_fits():
    import pytest

    with pytest.raises(ValueError):
        recommend(Workload("w", payload_mb=1025, processing_s=1))
    with pytest.raises(ValueError):
        recommend(Workload("w", payload_mb=1, processing_s=3601))


def test_offline_dataset_is_batch_transform():
    assert recommend(Workload("w", payload_mb=50_000, processing_s=10_000, online=False)) == BATCH


def _serverless(memory, concurrency, provisioned=None):
    sc = {"MemorySizeInMB": memory, "MaxConcurrency": concurrency}
    if provisioned is not None:
        sc["ProvisionedConcurrency"] = provisioned
    return {"ProductionVariants": [{"VariantName": "a", "ServerlessConfig": sc}]}


def test_option_read_back_from_a_config():
    assert option_of(_serverless(2048, 5)) == SERVERLESS
    assert option_of({"ProductionVariants": [{"InstanceType": "ml.m5.large"}]}) == REAL_TIME
    assert option_of({"ProductionVariants": [{"InstanceType": "ml.m5.large"}],
                      "AsyncInferenceConfig": {"OutputConfig": {}}}) == ASYNC


def test_serverless_config_problems():
    w = Workload("w", payload_mb=0.01, processing_s=0.1, idle_periods=True, tolerates_cold_start=True,
                 peak_concurrency=5, memory_mb=2048)
    assert problems(_serverless(2048, 5), w) == []
    assert any("less than" in p for p in problems(_serverless(1024, 5), w))
    assert any("throttles" in p for p in problems(_serverless(2048, 4), w))
    assert any("not one of" in p for p in problems(_serverless(1500, 5), w))
    assert any("outside 1-200" in p for p in problems(_serverless(2048, 201), w))
    assert any("ProvisionedConcurrency" in p for p in problems(_serverless(2048, 5, provisioned=6), w))
    for memory in SERVERLESS_PAGE_MEMORY[1:]:
        assert problems(_serverless(memory, 5), w) == []


def test_async_config_needs_output_and_both_topics():
    w = Workload("w", payload_mb=200, processing_s=300)
    good = {"ProductionVariants": [{"InstanceType": "ml.m5.large"}], "AsyncInferenceConfig": {"OutputConfig": {
        "S3OutputPath": "s3://b/out/", "NotificationConfig": {"SuccessTopic": "arn:aws:sns:r:1:ok",
                                                               "ErrorTopic": "arn:aws:sns:r:1:err"}}}}
    assert problems(good, w) == []
    del good["AsyncInferenceConfig"]["OutputConfig"]["NotificationConfig"]["ErrorTopic"]
    assert any("ErrorTopic" in p for p in problems(good, w))
    assert any("needs asynchronous" in p for p in problems(_serverless(2048, 5), w))


def test_serverless_throttles_beyond_max_concurrency():
    assert throttled(8, 5) == 3
    assert throttled(5, 5) == 0
