"""Storage for ML hosts: EBS volume limits and a chooser, FSx for Lustre capacity and throughput
rules, and a data-movement / time-to-start model for N training runs over S3, FSx and EFS.

moto accepts any EBS volume and any FSx capacity, so the labs validate here, with the published
limits, and phrase errors the way the EC2 / FSx APIs do. The timing model is a small, explicit
model, not a measurement: every rate is a named parameter with its source or marked assumption.

EBS (sizes, IOPS, throughput per type):
  https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html
  Sizes, IOPS and throughput ranges come from awslabs.facts (``ebs.gp3``, ``ebs.io2``,
  ``ebs.hdd_sizes``), read from the CreateVolume API reference on 2026-12-06: AWS raised gp3 in 2025
  from 16 TiB / 16,000 IOPS / 1,000 MiB/s to 64 TiB / 80,000 IOPS / 2,000 MiB/s. The per-GiB and
  per-IOPS ratios (500 IOPS per GiB, 0.25 MiB/s per IOPS for gp3; 1,000 IOPS per GiB for io2) are
  the long-published ones, not confirmed in the stored docs of 2026-12-06.
  Prices (us-east-1, per month): https://aws.amazon.com/ebs/pricing/
FSx for Lustre (capacity steps, per-unit throughput, scratch throughput):
  https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html
  https://docs.aws.amazon.com/fsx/latest/LustreGuide/performance.html
  https://docs.aws.amazon.com/fsx/latest/LustreGuide/importing-files.html  (lazy load from S3)
SageMaker input modes (File downloads before training starts; FastFile streams; file systems
are mounted): https://docs.aws.amazon.com/sagemaker/latest/dg/model-access-training-data.html
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from awslabs import facts

# ---------------------------------------------------------------------------------------------
# EBS
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EbsType:
    name: str
    family: str  # "ssd" | "hdd"
    min_gib: int
    max_gib: int
    min_iops: int | None = None  # None: IOPS cannot be provisioned
    max_iops: int | None = None
    iops_per_gib: int | None = None  # provisioned IOPS may not exceed this ratio to size
    min_throughput: int | None = None  # MiB/s, provisionable only on gp3
    max_throughput: int = 0  # per-volume ceiling, MiB/s
    throughput_per_iops: float | None = None  # gp3: MiB/s per provisioned IOPS
    baseline_per_tib: float = 0.0  # HDD: MiB/s per TiB, baseline
    burst_per_tib: float = 0.0  # HDD: MiB/s per TiB, burst
    hdd_iops: int = 0  # HDD: max 1 MiB I/Os per second
    boot: bool = True
    gb_month: float = 0.0  # USD per GB-month, us-east-1
    iops_month: float = 0.0  # USD per provisioned IOPS-month above the free baseline
    mibs_month: float = 0.0  # USD per provisioned MiB/s-month above the free baseline


_GP3, _IO2, (_HDD_MIN, _HDD_MAX) = facts.value("ebs.gp3"), facts.value("ebs.io2"), facts.value("ebs.hdd_sizes")
EBS_TYPES: dict[str, EbsType] = {
    "gp3": EbsType("gp3", "ssd", _GP3["min_gib"], _GP3["max_gib"], _GP3["min_iops"], _GP3["max_iops"], 500,
                   _GP3["min_mibs"], _GP3["max_mibs"], 0.25, gb_month=0.08, iops_month=0.005, mibs_month=0.04),
    "io2": EbsType("io2", "ssd", _IO2["min_gib"], _IO2["max_gib"], _IO2["min_iops"], _IO2["max_iops"], 1000, None,
                   4000, gb_month=0.125, iops_month=0.065),
    "st1": EbsType("st1", "hdd", _HDD_MIN, _HDD_MAX, max_throughput=500, baseline_per_tib=40, burst_per_tib=250,
                   hdd_iops=500, boot=False, gb_month=0.045),
    "sc1": EbsType("sc1", "hdd", _HDD_MIN, _HDD_MAX, max_throughput=250, baseline_per_tib=12, burst_per_tib=80,
                   hdd_iops=250, boot=False, gb_month=0.015),
}
# Every type CreateVolume knows (gp2/io1/standard exist but the labs do not choose them).
KNOWN_VOLUME_TYPES = ("standard", "io1", "io2", "gp2", "sc1", "st1", "gp3")


@dataclass(frozen=True)
class ApiError:
    """An error as the AWS API would phrase it: ``code`` and ``message``."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def validate_volume(volume_type: str, size_gib: int, iops: int | None = None, throughput: int | None = None) -> list[ApiError]:
    """Every rule ``CreateVolume`` would break for this request (empty list: valid)."""
    if volume_type not in KNOWN_VOLUME_TYPES:
        allowed = ", ".join(KNOWN_VOLUME_TYPES)
        return [ApiError("InvalidParameterValue", f"Value ({volume_type}) for parameter volumeType is invalid. "
                                                  f"Allowed values are [{allowed}]")]
    spec = EBS_TYPES.get(volume_type)
    if spec is None:
        return []  # a valid type the labs do not model
    errors = []
    if size_gib < spec.min_gib:
        errors.append(ApiError("InvalidParameterValue",
                               f"Volume of size {size_gib}GB is too small; minimum is {spec.min_gib}GB."))
    elif size_gib > spec.max_gib:
        errors.append(ApiError("InvalidParameterValue",
                               f"Volume of size {size_gib}GB is too large; maximum is {spec.max_gib}GB."))
    if iops is not None:
        if spec.min_iops is None:
            errors.append(ApiError("InvalidParameterCombination",
                                   f"The parameter iops is not supported for {volume_type} volumes."))
        elif not spec.min_iops <= iops <= spec.max_iops:
            errors.append(ApiError("InvalidParameterValue",
                                   f"Volume iops of {iops} is invalid for {volume_type}; "
                                   f"it must be between {spec.min_iops} and {spec.max_iops}."))
        elif spec.iops_per_gib and iops > spec.iops_per_gib * size_gib:
            errors.append(ApiError("InvalidParameterValue",
                                   f"Iops to volume size ratio of {iops / size_gib:.1f} is too high; "
                                   f"maximum is {spec.iops_per_gib}."))
    elif spec.name == "io2":
        errors.append(ApiError("MissingParameter", "The request must contain the parameter iops for io2 volumes."))
    if throughput is not None:
        if spec.min_throughput is None:
            errors.append(ApiError("InvalidParameterCombination",
                                   f"The parameter throughput is not supported for {volume_type} volumes."))
        elif not spec.min_throughput <= throughput <= spec.max_throughput:
            errors.append(ApiError("InvalidParameterValue",
                                   f"Throughput (MiBps) of {throughput} is invalid for {volume_type}; "
                                   f"it must be between {spec.min_throughput} and {spec.max_throughput}."))
        else:
            effective_iops = iops if iops is not None else spec.min_iops
            if throughput > spec.throughput_per_iops * effective_iops:
                errors.append(ApiError("InvalidParameterValue",
                                       f"Throughput (MiBps) to iops ratio of {throughput / effective_iops:.3f} is "
                                       f"too high; maximum is {spec.throughput_per_iops} MiBps per iops."))
    return errors


@dataclass(frozen=True)
class VolumePerformance:
    iops: int  # I/Os per second the volume sustains (HDD: 1 MiB I/Os)
    throughput: float  # MiB/s, sustained (HDD: baseline)
    burst_throughput: float  # MiB/s (SSD: same as throughput)


def volume_performance(volume_type: str, size_gib: int, iops: int | None = None, throughput: int | None = None) -> VolumePerformance:
    spec = EBS_TYPES[volume_type]
    if spec.family == "hdd":
        tib = size_gib / 1024
        base = min(spec.max_throughput, spec.baseline_per_tib * tib)
        burst = min(spec.max_throughput, spec.burst_per_tib * tib)
        return VolumePerformance(spec.hdd_iops, base, burst)
    iops = iops if iops is not None else spec.min_iops
    if spec.name == "gp3":
        mibs = float(throughput if throughput is not None else spec.min_throughput)
    else:  # io2: throughput follows IOPS at up to 256 KiB per I/O, capped per volume
        mibs = min(spec.max_throughput, iops * 256 / 1024)
    return VolumePerformance(iops, mibs, mibs)


def delivered_throughput(perf: VolumePerformance, family: str, pattern: str, io_kib: int) -> float:
    """MiB/s a workload gets. SSD: I/Os of up to 256 KiB each count once, so small I/O is IOPS-bound.
    HDD: IOPS are counted in 1 MiB units; sequential I/O is merged into 1 MiB I/Os, but every
    small *random* I/O costs a whole one, so throughput collapses to hdd_iops x io size."""
    if family == "hdd":
        if pattern == "sequential":
            return perf.throughput
        return min(perf.throughput, perf.iops * io_kib / 1024)
    return min(perf.throughput, perf.iops * min(io_kib, 256) / 1024)


@dataclass(frozen=True)
class Workload:
    """What a host needs from its volume: size, I/O pattern and size, and the rate it must get."""

    size_gib: int
    pattern: str  # "random" | "sequential"
    io_kib: int
    need_mibs: float
    need_iops: int = 0
    boot: bool = False


@dataclass
class Choice:
    volume_type: str | None
    size_gib: int = 0
    iops: int | None = None
    throughput: int | None = None
    monthly_usd: float = 0.0
    delivered_mibs: float = 0.0
    considered: dict[str, str] = field(default_factory=dict)  # type -> why chosen / rejected


def monthly_cost(volume_type: str, size_gib: int, iops: int | None = None, throughput: int | None = None) -> float:
    spec = EBS_TYPES[volume_type]
    cost = spec.gb_month * size_gib
    if spec.name == "gp3":
        cost += spec.iops_month * max(0, (iops or 3000) - 3000) + spec.mibs_month * max(0, (throughput or 125) - 125)
    elif spec.name == "io2":
        cost += spec.iops_month * (iops or 0)
    return round(cost, 2)


def _configure(name: str, w: Workload) -> tuple[int, int | None, int | None] | str:
    """The smallest valid configuration of type ``name`` that meets ``w``, or why none does."""
    spec = EBS_TYPES[name]
    if w.boot and not spec.boot:
        return f"{name} cannot be a boot volume"
    if spec.family == "hdd":
        if w.pattern == "random":
            got = spec.hdd_iops * w.io_kib / 1024
            if got < w.need_mibs:
                return f"random {w.io_kib} KiB I/O: {spec.hdd_iops} IOPS x {w.io_kib} KiB = {got:.0f} MiB/s < {w.need_mibs:g}"
        if w.need_mibs > spec.max_throughput:
            return f"needs {w.need_mibs:g} MiB/s; {name} tops out at {spec.max_throughput} MiB/s"
        size = max(w.size_gib, spec.min_gib, math.ceil(w.need_mibs / spec.baseline_per_tib * 1024))
        if size > spec.max_gib:
            return f"would need {size} GiB for that baseline; maximum is {spec.max_gib}"
        return size, None, None
    size = max(w.size_gib, spec.min_gib)
    per_io = min(w.io_kib, 256) / 1024
    iops = max(spec.min_iops, w.need_iops, math.ceil(w.need_mibs / per_io))
    if iops > spec.max_iops:
        return f"needs {iops} IOPS; {name} allows at most {spec.max_iops}"
    size = max(size, math.ceil(iops / spec.iops_per_gib))
    throughput = None
    if spec.name == "gp3":
        throughput = max(spec.min_throughput, math.ceil(w.need_mibs))
        if throughput > spec.max_throughput:
            return f"needs {w.need_mibs:g} MiB/s; gp3 allows at most {spec.max_throughput}"
        iops = max(iops, math.ceil(throughput / spec.throughput_per_iops))
    elif iops * 256 / 1024 < w.need_mibs:
        return f"needs {w.need_mibs:g} MiB/s"
    errors = validate_volume(name, size, iops, throughput)
    if errors:
        return str(errors[0])
    return size, iops, throughput


def choose_volume(w: Workload) -> Choice:
    """The cheapest of gp3, io2, st1, sc1 that meets the workload (``considered`` says why not)."""
    best = Choice(None)
    options = []
    for name in EBS_TYPES:
        configured = _configure(name, w)
        if isinstance(configured, str):
            best.considered[name] = configured
            continue
        size, iops, throughput = configured
        cost = monthly_cost(name, size, iops, throughput)
        perf = volume_performance(name, size, iops, throughput)
        got = delivered_throughput(perf, EBS_TYPES[name].family, w.pattern, w.io_kib)
        best.considered[name] = f"{size} GiB" + (f", {iops} IOPS" if iops else "") + (
            f", {throughput} MiB/s" if throughput else "") + f": ${cost:.2f}/month"
        options.append((cost, name, size, iops, throughput, got))
    if options:
        cost, name, size, iops, throughput, got = min(options)
        best.volume_type, best.size_gib, best.iops, best.throughput = name, size, iops, throughput
        best.monthly_usd, best.delivered_mibs = cost, got
    return best


# ---------------------------------------------------------------------------------------------
# FSx for Lustre
# ---------------------------------------------------------------------------------------------

LUSTRE_PER_UNIT = {  # MB/s per TiB of storage a deployment type may provision (awslabs.facts)
    tuple(key.split("/")): values for key, values in facts.value("fsx.lustre_per_unit_mbps_tib").items()
}
_CAPACITY = facts.value("fsx.lustre_capacity_gib")  # GiB: first, second, then the step
SCRATCH_BASELINE_PER_TIB = 200  # MB/s per TiB; SCRATCH_2 bursts to 1,300 MB/s per TiB


def valid_lustre_capacity(deployment: str, capacity_gib: int, per_unit: int | None = None, storage: str = "SSD") -> bool:
    if storage == "HDD" and deployment != "SCRATCH_1":
        step = _CAPACITY["hdd_step"].get(per_unit or 0)
        return bool(step) and capacity_gib > 0 and capacity_gib % step == 0
    first, second, step = _CAPACITY["scratch_1" if deployment == "SCRATCH_1" else "ssd"]
    return capacity_gib in (first, second) or (capacity_gib > 0 and capacity_gib % step == 0)


def validate_lustre(deployment: str, capacity_gib: int, per_unit: int | None = None, storage: str = "SSD") -> list[ApiError]:
    """The ``CreateFileSystem`` rules for FSx for Lustre capacity and per-unit throughput."""
    if deployment not in ("SCRATCH_1", "SCRATCH_2", "PERSISTENT_1", "PERSISTENT_2"):
        return [ApiError("BadRequest", f"Invalid deployment type {deployment}.")]
    errors = []
    if not valid_lustre_capacity(deployment, capacity_gib, per_unit, storage):
        rule = {
            "SCRATCH_1": "1200 GiB, 2400 GiB, or increments of 3600 GiB",
        }.get(deployment, "1200 GiB, 2400 GiB, or increments of 2400 GiB" if storage == "SSD" else
              "increments of 6000 GiB (12 MB/s/TiB) or 1800 GiB (40 MB/s/TiB)")
        errors.append(ApiError("BadRequest",
                               f"Invalid storage capacity {capacity_gib} GiB for {deployment}: valid values are {rule}."))
    if deployment.startswith("SCRATCH"):
        if per_unit is not None:
            errors.append(ApiError("BadRequest", f"PerUnitStorageThroughput is not supported for {deployment}."))
    else:
        allowed = LUSTRE_PER_UNIT.get((deployment, storage), ())
        if per_unit not in allowed:
            errors.append(ApiError("BadRequest",
                                   f"PerUnitStorageThroughput {per_unit} is invalid for {deployment} {storage}; "
                                   f"valid values are {', '.join(map(str, allowed))} MB/s/TiB."))
    return errors


def next_lustre_capacity(deployment: str, need_gib: float) -> int:
    """The smallest valid SSD capacity holding ``need_gib``."""
    first, second, step = _CAPACITY["scratch_1" if deployment == "SCRATCH_1" else "ssd"]
    for candidate in (first, second):
        if need_gib <= candidate:
            return candidate
    return int(math.ceil(need_gib / step) * step)


def lustre_throughput(deployment: str, capacity_gib: int, per_unit: int | None = None) -> float:
    """Baseline aggregate throughput in MB/s: per-unit throughput x TiB of storage."""
    rate = SCRATCH_BASELINE_PER_TIB if deployment.startswith("SCRATCH") else per_unit
    return rate * capacity_gib / 1024


# ---------------------------------------------------------------------------------------------
# N training runs over a dataset already in S3: data moved and time to start
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rates:
    """The model's rates. Sources: see the module docstring; ``assumed`` ones are round numbers
    for one instance and should be replaced by your own measurements."""

    s3_download_mibs: float = 500.0  # assumed: one instance pulling from S3 (10 Gbit/s NIC ~ 1,190)
    s3_import_mibs: float = 500.0  # assumed: FSx lazy-loading from S3 on first access
    efs_read_mibs: float = 500.0  # assumed: one client, Elastic throughput
    job_overhead_s: float = 120.0  # assumed: instance provisioning + container start, any source
    fsx_create_s: float = 600.0  # assumed: a SCRATCH_2 file system is available in ~5-10 min
    efs_copy_in_mibs: float = 200.0  # assumed: copying S3 -> EFS when the data is not there yet


@dataclass(frozen=True)
class SourceRow:
    key: str  # file | fastfile | fsx | efs
    source: str
    moved_from_s3_gib: float  # over all runs
    setup_s: float  # one-off, before the first run
    first_start_s: float  # job start -> algorithm reads its first byte, run 1
    later_start_s: float
    first_read_s: float  # one pass over the dataset, run 1
    later_read_s: float
    total_wait_s: float  # setup + every run's wait before its algorithm reads the first byte
    note: str


def compare_sources(
    dataset_gib: float,
    runs: int,
    instances: int = 1,
    fsx_deployment: str = "SCRATCH_2",
    fsx_per_unit: int | None = None,
    efs_has_data: bool = True,
    rates: Rates = Rates(),
) -> list[SourceRow]:
    """S3 File mode vs S3 FastFile vs FSx for Lustre (lazy load) vs EFS for ``runs`` jobs."""
    mib = dataset_gib * 1024
    rows = []

    # File mode: every instance of every run downloads the whole channel before training starts.
    download = mib / rates.s3_download_mibs
    local = mib / max(rates.s3_download_mibs, 1000.0)  # then reads a local EBS copy (>= 1 GB/s NVMe/EBS, assumed)
    rows.append(_row("file", "S3 File mode", dataset_gib * instances * runs, 0.0, rates.job_overhead_s + download,
                     rates.job_overhead_s + download, local, local, runs,
                     "downloads the full dataset to every instance, every run"))

    # FastFile: starts at once, streams from S3 on every read of every run.
    stream = mib / rates.s3_download_mibs
    rows.append(_row("fastfile", "S3 FastFile mode", dataset_gib * instances * runs, 0.0, rates.job_overhead_s,
                     rates.job_overhead_s, stream, stream, runs, "no wait, but every run reads S3 again"))

    # FSx for Lustre linked to S3: created once; first read of each file imports it from S3 once.
    capacity = next_lustre_capacity(fsx_deployment, dataset_gib)
    fs_rate = lustre_throughput(fsx_deployment, capacity, fsx_per_unit) / 1.048576  # MB/s -> MiB/s
    first = mib / min(fs_rate, rates.s3_import_mibs)
    later = mib / fs_rate
    rows.append(_row("fsx", f"FSx Lustre {fsx_deployment} {capacity} GiB", dataset_gib, rates.fsx_create_s,
                     rates.job_overhead_s, rates.job_overhead_s, first, later, runs,
                     "first run lazy-loads from S3; later runs reuse the file system"))

    # EFS: the data is already in the file system (or is copied in once); jobs mount it.
    setup = 0.0 if efs_has_data else mib / rates.efs_copy_in_mibs
    moved = 0.0 if efs_has_data else dataset_gib
    read = mib / rates.efs_read_mibs
    rows.append(_row("efs", "EFS", moved, setup, rates.job_overhead_s, rates.job_overhead_s, read, read, runs,
                     "no data movement when the data already lives in EFS"))
    return rows


def _row(key, source, moved, setup, first_start, later_start, first_read, later_read, runs, note) -> SourceRow:
    # Waiting is what the cheat sheet is about; pass times are shown but depend on provisioning.
    total = setup + first_start + (runs - 1) * later_start
    r = lambda x: round(x, 1)  # noqa: E731
    return SourceRow(key, source, r(moved), r(setup), r(first_start), r(later_start), r(first_read), r(later_read),
                     r(total), note)


def crossover_runs(dataset_gib: float, rates: Rates = Rates(), limit: int = 1000) -> int | None:
    """The fewest runs for which FSx (created once) makes jobs wait less in total than File mode."""
    for runs in range(1, limit + 1):
        rows = {r.key: r for r in compare_sources(dataset_gib, runs, rates=rates)}
        if rows["fsx"].total_wait_s < rows["file"].total_wait_s:
            return runs
    return None


def format_table(rows: list[SourceRow]) -> str:
    """A plain-text table for a report file (step code never prints)."""
    head = ("source", "GiB from S3", "setup s", "start s (1st/later)", "1 pass s (1st/later)", "total wait s")
    lines = [" | ".join(head)]
    for row in rows:
        lines.append(" | ".join([
            row.source, f"{row.moved_from_s3_gib:g}", f"{row.setup_s:g}",
            f"{row.first_start_s:g}/{row.later_start_s:g}", f"{row.first_read_s:g}/{row.later_read_s:g}",
            f"{row.total_wait_s:g}",
        ]))
    return "\n".join(lines)
