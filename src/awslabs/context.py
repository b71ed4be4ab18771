"""LabContext: everything step code may touch — clients, names, tags, the ledger, shared state.

Step code never creates boto3 clients itself (they would escape the emulator) and never prints
(the CLI renders results). It names resources with ``ctx.name()``, tags them with ``ctx.tags``,
and calls ``ctx.track()`` *before* each create call so that a crash leaves a record.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

from .lab import SkipStep, aws_only
from .ledger import Entry, Ledger

PENDING = "pending:"  # id prefix of a resource whose real id AWS has not assigned yet


class LabContext:
    def __init__(
        self, lab, target, ledger: Ledger, run_id: str, ttl_hours: float = 4.0, home: Path | None = None
    ):
        self.lab = lab
        self.home = Path(home) if home else Path(tempfile.gettempdir()) / "awslabs"
        self.target = target
        self.ledger = ledger
        self.run_id = run_id
        self.region = target.region
        self.account = target.account
        self.state: dict[str, Any] = {}  # facts steps hand to later steps and to checks
        expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=ttl_hours)
        self.tags = {
            "awslabs:lab": lab.id,
            "awslabs:run": run_id,
            "awslabs:expires-at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        self._workdir: Path | None = None

    # -- where we are -------------------------------------------------------------------------
    @property
    def target_name(self) -> str:
        return self.target.name

    @property
    def on_aws(self) -> bool:
        return self.target.name == "aws"

    def client(self, service: str, region: str | None = None, endpoint_url: str | None = None):
        return self.target.client(service, region, endpoint_url)

    def subprocess_env(self) -> dict[str, str]:
        return self.target.subprocess_env()

    @property
    def workdir(self) -> Path:
        """A scratch folder for this run (plots, generated data); removed with the run."""
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix=f"awslabs-{self.lab.id}-{self.run_id}-"))
        return self._workdir

    @property
    def output_dir(self) -> Path:
        """Files the learner keeps after the run (plots, reports): ``AWSLABS_HOME/output/<lab>/<run>``."""
        path = self.home / "output" / self.lab.id / self.run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- naming and tagging -------------------------------------------------------------------
    @property
    def prefix(self) -> str:
        return f"awslabs-{self.lab.id}-{self.run_id}"

    def name(self, suffix: str = "", max_len: int = 63) -> str:
        """``awslabs-<lab>-<run>-<suffix>``, lower-case, shortened to ``max_len`` if needed.

        The run id and suffix are kept whole; a long lab id is cut and given a short hash so
        names stay unique and still start with ``awslabs-`` (the sweep finds them by that)."""
        suffix = re.sub(r"[^a-z0-9-]", "-", suffix.lower()).strip("-")
        full = f"{self.prefix}-{suffix}" if suffix else self.prefix
        if len(full) <= max_len:
            return full
        digest = hashlib.sha1(self.lab.id.encode()).hexdigest()[:4]
        room = max_len - len(f"awslabs--{digest}-{self.run_id}-{suffix}")
        if room < 1:
            raise ValueError(f"name suffix '{suffix}' too long for a {max_len}-character name")
        return f"awslabs-{self.lab.id[:room]}-{digest}-{self.run_id}" + (f"-{suffix}" if suffix else "")

    def tag_list(self, key: str = "Key", value: str = "Value", extra: dict | None = None) -> list[dict]:
        """Tags as ``[{"Key": .., "Value": ..}]`` (or other key names, e.g. ``key``/``value``)."""
        return [{key: k, value: v} for k, v in {**self.tags, **(extra or {})}.items()]

    def tag_specifications(self, resource_type: str) -> list[dict]:
        """EC2-style ``TagSpecifications`` so the resource is tagged in its create call."""
        return [{"ResourceType": resource_type, "Tags": self.tag_list()}]

    # -- the ledger ---------------------------------------------------------------------------
    def _entry(self, kind: str, rid: str, extra: dict) -> Entry:
        return Entry(
            run=self.run_id,
            lab=self.lab.id,
            target=self.target.name,
            region=self.region,
            kind=kind,
            id=rid,
            endpoint=self.target.endpoint_url,
            account=self.account,
            extra=extra,
        )

    def track(self, kind: str, rid: str, **extra) -> str:
        """Record a resource *before* creating it; returns ``rid`` for convenience.

        ``kind`` must have a deleter in ``awslabs.resources``."""
        from . import resources

        resources.kind(kind)  # fail before creating anything if nothing could delete it
        self.ledger.record_create(self._entry(kind, rid, extra))
        return rid

    def track_pending(self, kind: str, label: str, **extra) -> Entry:
        """For resources whose id AWS assigns (EC2 volumes, instances...): record the intent
        before the create call, then ``resolve()`` it with the real id. If the process dies in
        between, cleanup finds the resource by its run tag instead."""
        from . import resources

        resources.kind(kind)
        entry = self._entry(kind, f"{PENDING}{label}", extra)
        self.ledger.record_create(entry)
        return entry

    def resolve(self, pending: Entry, rid: str) -> str:
        self.track(pending.kind, rid, **pending.extra)
        self.ledger.record_deleted(pending)
        return rid

    # -- resources every lab needs -------------------------------------------------------------
    def create_bucket(self, name: str) -> str:
        """Create a tagged S3 bucket in the run's region, recorded in the ledger before the call.

        Outside us-east-1, S3 requires a LocationConstraint (moto does not): one place gets it
        right for every lab."""
        s3 = self.client("s3")
        self.track("s3:bucket", name)
        if self.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": self.tag_list()})
        return name

    # -- target-dependent behaviour -----------------------------------------------------------
    def skip(self, reason: str) -> SkipStep:
        """``raise ctx.skip("why")`` from an apply function that cannot run on this target."""
        return SkipStep(reason)

    def aws_only(self, name: str, reason: str):
        """A check that needs the real service: skipped with ``reason`` off AWS."""
        return aws_only(name, reason)
