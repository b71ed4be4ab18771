"""Published accelerator figures and the sizing rule."""
from __future__ import annotations

from awslabs.sim import gpu_instances as g


def test_p3_figures_as_published():
    assert [(i.name, i.count, i.memory_gb_each, i.vcpus, i.memory_gib) for i in g.TABLE if i.family == "P3"] == [
        ("p3.2xlarge", 1, 16, 8, 61), ("p3.8xlarge", 4, 16, 32, 244), ("p3.16xlarge", 8, 16, 64, 488),
        ("p3dn.24xlarge", 8, 32, 96, 768)]
    assert g.BY_NAME["p3dn.24xlarge"].network_gbps == 100


def test_sizing():
    train = g.Workload("13B fine-tune", 13, training=True)
    assert train.memory_gb == 208
    assert not g.fits(g.BY_NAME["p3.16xlarge"], train) and g.fits(g.BY_NAME["p3dn.24xlarge"], train)
    assert g.smallest_fit(train, family="P3").name == "p3dn.24xlarge"
    assert g.devices_needed(train, g.BY_NAME["p4d.24xlarge"]) == 6  # 208 / 40 -> 6 A100s
    infer = g.Workload("7B fp16", 7, training=False, needs_cuda=False)
    assert g.smallest_fit(infer).name == "g5.xlarge"
    assert g.smallest_fit(g.Workload("7B fp16 on CUDA", 7, training=False)).name == "g5.xlarge"
    assert g.smallest_fit(g.Workload("huge", 1000, training=True)) is None


def test_from_describe_reads_gpu_and_neuron_info():
    gpu = {"VCpuInfo": {"DefaultVCpus": 4}, "MemoryInfo": {"SizeInMiB": 16384},
           "GpuInfo": {"Gpus": [{"Name": "A10G", "Count": 1, "MemoryInfo": {"SizeInMiB": 22888}}]},
           "NetworkInfo": {"NetworkPerformance": "Up to 10 Gigabit"}}
    assert g.from_describe(gpu) == {"count": 1, "memory_gib_each": 22.4, "vcpus": 4, "memory_gib": 16,
                                    "accelerator": "A10G", "network": "Up to 10 Gigabit"}
    neuron = {"VCpuInfo": {"DefaultVCpus": 128}, "MemoryInfo": {"SizeInMiB": 524288},
              "NeuronInfo": {"NeuronDevices": [{"Name": "Trainium", "Count": 16, "MemoryInfo": {"SizeInMiB": 32768}}]}}
    assert g.from_describe(neuron)["count"] == 16
