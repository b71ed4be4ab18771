"""awslabs.sim.streaming_compare: MSK cluster rules and the Kafka/Kinesis sizing, hand-worked
(https://docs.aws.amazon.com/msk/latest/developerguide/limits.html)."""
from __future__ import annotations

from awslabs.sim import streaming_compare as sc


def test_valid_two_az_cluster():
    assert sc.validate_provisioned(2, ["a", "b"], 1, "kafka.t3.small") == []
    assert sc.validate_provisioned(6, ["a", "b", "c"], 100, "kafka.m5.large") == []


def test_brokers_must_be_a_multiple_of_the_azs():
    problems = sc.validate_provisioned(3, ["a", "b"], 1, "kafka.t3.small")
    assert any("multiple of 2" in p for p in problems)


def test_subnets_storage_and_instance_rules():
    assert any("2 or 3" in p for p in sc.validate_provisioned(1, ["a"], 1, "kafka.t3.small"))
    assert any("different" in p for p in sc.validate_provisioned(2, ["a", "a"], 1, "kafka.t3.small"))
    assert any("GiB" in p for p in sc.validate_provisioned(2, ["a", "b"], 0, "kafka.t3.small"))
    assert any("GiB" in p for p in sc.validate_provisioned(2, ["a", "b"], 16385, "kafka.t3.small"))
    assert any("kafka." in p for p in sc.validate_provisioned(2, ["a", "b"], 1, "m5.large"))
    assert any("1 to 30" in p for p in sc.validate_provisioned(32, ["a", "b"], 1, "kafka.m5.large"))


def test_sizing_worked_example():
    # 20 MB/s = 19.07 MiB/s: 20 shards to write; 3 shared readers 57.2 MiB/s / 2 → 29 shards;
    # MSK Serverless: 20/5 = 4 partitions in, 60/10 = 6 out → 6
    sizing = sc.kinesis_vs_msk_serverless(20, 3)
    assert (sizing["kinesis_shards_shared_read"], sizing["kinesis_shards_enhanced_fan_out"]) == (29, 20)
    assert sizing["msk_serverless_partitions"] == 6 and sizing["msk_serverless_fits_cluster_quota"]
    assert not sc.kinesis_vs_msk_serverless(150, 3)["msk_serverless_fits_cluster_quota"]  # 450 MB/s out


def test_markdown_table_has_a_row_per_fact_and_the_sizing():
    table = sc.comparison_markdown(sc.kinesis_vs_msk_serverless(20, 3))
    assert table.count("\n") == 2 + len(sc.FACTS) + 1
    assert "29 shards" in table and "6 partitions" in table
