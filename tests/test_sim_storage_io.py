"""Hand-worked cases for awslabs.sim.storage_io from the EBS and FSx documentation."""
from __future__ import annotations

import pytest

from awslabs.sim.storage_io import (
    Rates, Workload, choose_volume, compare_sources, crossover_runs, delivered_throughput, lustre_throughput,
    monthly_cost, next_lustre_capacity, validate_lustre, validate_volume, volume_performance,
)


def codes(errors):
    return [e.code for e in errors]


@pytest.mark.parametrize("args", [
    ("gp3", 1), ("gp3", 16384), ("gp3", 65536), ("gp3", 8, 4000, 1000), ("gp3", 160, 80000, 2000),
    ("io2", 4, 100), ("io2", 100, 64000), ("st1", 125), ("sc1", 16384), ("gp2", 1),
])
def test_valid_volumes(args):
    assert validate_volume(*args) == []


def test_size_limits_per_type():
    assert str(validate_volume("st1", 100)[0]) == "InvalidParameterValue: Volume of size 100GB is too small; minimum is 125GB."
    assert "too small" in str(validate_volume("io2", 3, 100)[0])
    # gp3 was 1-16,384 GiB until 2025; the CreateVolume reference (read 2026-12-06) says 1-65,536 GiB
    assert validate_volume("gp3", 16385) == []
    assert "too large" in str(validate_volume("gp3", 65537)[0])


def test_gp3_iops_and_throughput_limits_and_ratios():
    # CreateVolume: "gp3: 3,000 (default) - 80,000 IOPS", throughput "125 - 2000 MiB/s" (was 16,000 / 1,000)
    assert validate_volume("gp3", 100, 17000) == []
    assert codes(validate_volume("gp3", 200, 81000)) == ["InvalidParameterValue"]
    assert "ratio" in str(validate_volume("gp3", 8, 5000)[0])  # 5000 > 500 IOPS/GiB x 8 GiB
    assert "between 125 and 2000" in str(validate_volume("gp3", 100, 10000, 2500)[0])
    assert "0.25 MiBps per iops" in str(validate_volume("gp3", 100, 3000, 1000)[0])  # 1000/3000 = 0.33
    assert validate_volume("gp3", 100, 4000, 1000) == []  # 1000/4000 = 0.25


def test_parameters_a_type_does_not_take():
    assert codes(validate_volume("st1", 500, iops=500)) == ["InvalidParameterCombination"]
    assert codes(validate_volume("io2", 100, 3000, throughput=500)) == ["InvalidParameterCombination"]
    assert codes(validate_volume("io2", 100)) == ["MissingParameter"]


def test_unknown_type():
    assert "Allowed values are [standard, io1, io2, gp2, sc1, st1, gp3]" in str(validate_volume("gp4", 8)[0])


def test_hdd_throughput_scales_with_size_and_caps():
    st1 = volume_performance("st1", 2048)  # 2 TiB: 80 MiB/s baseline, 500 burst
    assert (st1.throughput, st1.burst_throughput) == (80, 500)
    assert volume_performance("st1", 16384).throughput == 500  # 40 x 16 = 640, capped at 500
    assert volume_performance("sc1", 1024).throughput == 12


def test_hdd_small_random_io_collapses():
    st1 = volume_performance("st1", 12288)
    assert delivered_throughput(st1, "hdd", "sequential", 1024) == 480
    assert delivered_throughput(st1, "hdd", "random", 16) == pytest.approx(7.8125)  # 500 x 16 KiB
    gp3 = volume_performance("gp3", 100)  # 3000 IOPS x 16 KiB = 46.9 MiB/s < 125
    assert delivered_throughput(gp3, "ssd", "random", 16) == pytest.approx(46.875)


def test_prices():
    assert monthly_cost("gp3", 100) == 8.0
    assert monthly_cost("gp3", 100, 4000, 250) == 8.0 + 5.0 + 5.0
    assert monthly_cost("io2", 100, 1000) == 12.5 + 65.0
    assert monthly_cost("sc1", 1000) == 15.0


@pytest.mark.parametrize("workload,expected", [
    (Workload(500, "random", 16, 200), "gp3"),
    (Workload(200, "random", 16, 100, 40000), "gp3"),  # gp3 reaches 80,000 IOPS since 2025, at a fraction of io2's price
    (Workload(200, "random", 16, 100, 100000), "io2"),
    (Workload(12288, "sequential", 1024, 450), "st1"),
    (Workload(8192, "sequential", 1024, 80), "sc1"),
    (Workload(8192, "sequential", 1024, 80, boot=True), "gp3"),
])
def test_chooser(workload, expected):
    choice = choose_volume(workload)
    assert choice.volume_type == expected
    assert validate_volume(choice.volume_type, choice.size_gib, choice.iops, choice.throughput) == []


def test_chooser_explains_rejections():
    choice = choose_volume(Workload(200, "random", 16, 100, 100000))
    assert "80000" in choice.considered["gp3"]
    assert "8 MiB/s" in choice.considered["st1"]
    assert choose_volume(Workload(100, "random", 16, 10, 300000)).volume_type is None


def test_lustre_capacity_steps():
    for ok in (1200, 2400, 4800, 7200):
        assert validate_lustre("SCRATCH_2", ok) == []
    for bad in (1000, 1300, 3600, 6000):
        assert codes(validate_lustre("SCRATCH_2", bad)) == ["BadRequest"]
    assert validate_lustre("SCRATCH_1", 3600) == []
    assert validate_lustre("PERSISTENT_1", 6000, 12, storage="HDD") == []
    assert validate_lustre("PERSISTENT_1", 1800, 40, storage="HDD") == []
    assert codes(validate_lustre("PERSISTENT_1", 1800, 12, storage="HDD")) == ["BadRequest"]


def test_lustre_per_unit_throughput():
    assert validate_lustre("PERSISTENT_2", 2400, 250) == []
    assert "125, 250, 500, 1000" in str(validate_lustre("PERSISTENT_2", 2400, 300)[0])
    assert validate_lustre("PERSISTENT_1", 1200, 200) == []
    assert codes(validate_lustre("PERSISTENT_1", 1200)) == ["BadRequest"]
    assert codes(validate_lustre("SCRATCH_2", 1200, 200)) == ["BadRequest"]
    assert codes(validate_lustre("SCRATCH_3", 1200)) == ["BadRequest"]


def test_lustre_capacity_for_a_dataset_and_throughput():
    assert [next_lustre_capacity("SCRATCH_2", g) for g in (10, 1200, 1201, 2401, 5000)] == [1200, 1200, 2400, 4800, 7200]
    assert next_lustre_capacity("SCRATCH_1", 2500) == 3600
    assert lustre_throughput("SCRATCH_2", 2048) == 400  # 200 MB/s per TiB
    assert lustre_throughput("PERSISTENT_2", 1024, 1000) == 1000


def test_compare_sources_hand_worked():
    rates = Rates(s3_download_mibs=512, job_overhead_s=100, fsx_create_s=600)
    rows = {r.key: r for r in compare_sources(100, 3, rates=rates)}
    # File mode: 100 GiB = 102400 MiB / 512 MiB/s = 200 s download + 100 s overhead, every run.
    assert rows["file"].first_start_s == rows["file"].later_start_s == 300
    assert rows["file"].total_wait_s == 900 and rows["file"].moved_from_s3_gib == 300
    # FSx: created once (600 s), every job waits only for its overhead; S3 read once.
    assert rows["fsx"].total_wait_s == 600 + 3 * 100 and rows["fsx"].moved_from_s3_gib == 100
    assert rows["fastfile"].moved_from_s3_gib == 300 and rows["fastfile"].total_wait_s == 300
    assert rows["efs"].moved_from_s3_gib == 0
    assert compare_sources(100, 1, efs_has_data=False, rates=rates)[3].moved_from_s3_gib == 100


def test_crossover():
    # File mode waits 120 + 204800/500 = 529.6 s per run; FSx 600 + 120 per run: 2 runs.
    assert crossover_runs(200) == 2
    assert crossover_runs(10) > crossover_runs(200)
