"""Published figures of the EC2 accelerated instance types the ML exam compares, and a sizing rule.

moto's instance-type data (from EC2 ``DescribeInstanceTypes``) lacks p3.2xlarge, p3.8xlarge and
p3.16xlarge, so the figures are carried here, each with its source. They are the launch figures
the AWS product pages and launch posts publish; the ``ec2-gpu-instances`` lab cross-checks every
type the emulator does describe against this table.

Sources (figures as published; launch dates):
- P3 (V100): https://aws.amazon.com/ec2/instance-types/p3/ and
  https://aws.amazon.com/blogs/aws/new-amazon-ec2-instances-with-up-to-8-nvidia-tesla-v100-gpus-p3/
  (2017-10-25); p3dn.24xlarge (32 GB V100s, 100 Gbps) launched 2018-12-07.
- P4d (A100 40 GB, 400 Gbps EFA): https://aws.amazon.com/ec2/instance-types/p4/ (2020-11-02).
- P5 (H100 80 GB, 3200 Gbps EFA): https://aws.amazon.com/ec2/instance-types/p5/ (2023-07-26).
- G5 (A10G 24 GB): https://aws.amazon.com/ec2/instance-types/g5/ (2021-11-11).
- Inf2 (Inferentia2, 32 GB per chip): https://aws.amazon.com/ec2/instance-types/inf2/ (2023-04-13).
- Trn1 (Trainium, 32 GB per chip, 800 Gbps EFA on trn1.32xlarge): https://aws.amazon.com/ec2/instance-types/trn1/ (2022-10-10).

The sizing rule is awslabs' arithmetic, not an AWS service: mixed-precision training with Adam
keeps about 16 bytes per parameter (fp16 weights and gradients, fp32 master weights and two Adam
moments) before activations — the usual estimate from the ZeRO paper
(https://arxiv.org/abs/1910.02054, section 3.1) — and inference in fp16 about 2 bytes per parameter.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceFigures:
    name: str
    family: str
    accelerator: str
    count: int
    memory_gb_each: int  # accelerator memory per device, as published (GB)
    vcpus: int
    memory_gib: int
    network: str
    network_gbps: float  # the figure network sizing uses ("up to" counts as its ceiling)
    cuda: bool  # NVIDIA GPUs run CUDA code unchanged; Inferentia/Trainium need the Neuron SDK
    use: str

    @property
    def accelerator_memory_gb(self) -> int:
        return self.count * self.memory_gb_each


TABLE: tuple[InstanceFigures, ...] = (
    InstanceFigures("p3.2xlarge", "P3", "NVIDIA V100", 1, 16, 8, 61, "Up to 10 Gigabit", 10, True, "training"),
    InstanceFigures("p3.8xlarge", "P3", "NVIDIA V100", 4, 16, 32, 244, "10 Gigabit", 10, True, "training"),
    InstanceFigures("p3.16xlarge", "P3", "NVIDIA V100", 8, 16, 64, 488, "25 Gigabit", 25, True, "training"),
    InstanceFigures("p3dn.24xlarge", "P3", "NVIDIA V100", 8, 32, 96, 768, "100 Gigabit", 100, True, "training"),
    InstanceFigures("p4d.24xlarge", "P4d", "NVIDIA A100", 8, 40, 96, 1152, "4x 100 Gigabit", 400, True, "training"),
    InstanceFigures("p5.48xlarge", "P5", "NVIDIA H100", 8, 80, 192, 2048, "3200 Gigabit", 3200, True, "training"),
    InstanceFigures("g5.xlarge", "G5", "NVIDIA A10G", 1, 24, 4, 16, "Up to 10 Gigabit", 10, True, "inference"),
    InstanceFigures("g5.12xlarge", "G5", "NVIDIA A10G", 4, 24, 48, 192, "40 Gigabit", 40, True, "inference"),
    InstanceFigures("inf2.xlarge", "Inf2", "AWS Inferentia2", 1, 32, 4, 16, "Up to 15 Gigabit", 15, False, "inference"),
    InstanceFigures("inf2.48xlarge", "Inf2", "AWS Inferentia2", 12, 32, 192, 768, "100 Gigabit", 100, False,
                    "inference"),
    InstanceFigures("trn1.2xlarge", "Trn1", "AWS Trainium", 1, 32, 8, 32, "Up to 12.5 Gigabit", 12.5, False,
                    "training"),
    InstanceFigures("trn1.32xlarge", "Trn1", "AWS Trainium", 16, 32, 128, 512, "8x 100 Gigabit", 800, False,
                    "training"),
)
BY_NAME = {i.name: i for i in TABLE}


@dataclass(frozen=True)
class Workload:
    description: str
    parameters_billion: float
    training: bool
    min_network_gbps: float = 0
    needs_cuda: bool = True

    @property
    def bytes_per_parameter(self) -> int:
        return 16 if self.training else 2

    @property
    def memory_gb(self) -> float:
        """Accelerator memory the model state needs (GB), before activations and batch."""
        return self.parameters_billion * self.bytes_per_parameter


def fits(instance: InstanceFigures, workload: Workload) -> bool:
    return (instance.accelerator_memory_gb >= workload.memory_gb
            and instance.network_gbps >= workload.min_network_gbps
            and (instance.cuda or not workload.needs_cuda))


def smallest_fit(workload: Workload, family: str | None = None) -> InstanceFigures | None:
    """The instance built for the workload's purpose (training or inference) with the fewest
    accelerators, then the least accelerator memory, that fits."""
    purpose = "training" if workload.training else "inference"
    candidates = [i for i in TABLE if fits(i, workload) and i.use == purpose and (family is None or i.family == family)]
    return min(candidates, key=lambda i: (i.count, i.accelerator_memory_gb, i.vcpus), default=None)


def devices_needed(workload: Workload, instance: InstanceFigures) -> int:
    return math.ceil(workload.memory_gb / (instance.memory_gb_each))


def from_describe(item: dict) -> dict:
    """The comparable figures of one ``DescribeInstanceTypes`` entry (GPU or Neuron devices)."""
    if item.get("GpuInfo"):
        gpu = item["GpuInfo"]["Gpus"][0]
        count, each, name = gpu["Count"], gpu["MemoryInfo"]["SizeInMiB"], gpu["Name"]
    elif item.get("NeuronInfo"):
        dev = item["NeuronInfo"]["NeuronDevices"][0]
        count, each, name = dev["Count"], dev["MemoryInfo"]["SizeInMiB"], dev["Name"]
    else:
        count, each, name = 0, 0, ""
    return {"count": count, "memory_gib_each": round(each / 1024, 1), "vcpus": item["VCpuInfo"]["DefaultVCpus"],
            "memory_gib": round(item["MemoryInfo"]["SizeInMiB"] / 1024), "accelerator": name,
            "network": item.get("NetworkInfo", {}).get("NetworkPerformance", "")}


__all__ = ["InstanceFigures", "TABLE", "BY_NAME", "Workload", "fits", "smallest_fit", "devices_needed", "from_describe"]
