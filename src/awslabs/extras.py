"""Optional dependency groups ("extras") and whether they are installed.

The core install runs the storage, streaming, queue, catalogue and operations labs. Labs that need
more name one extra in ``lab.toml`` (``extra = "ml"``); the extras themselves are defined once, in
``pyproject.toml`` (``[project.optional-dependencies]``), and read back here from the installed
package's metadata, so this module never repeats a package list. It imports nothing heavy: it runs
before ``awslabs list`` prints.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .errors import AwslabsError, ExitStatus

# The extras a lab may name in lab.toml. "core" (the default) needs nothing beyond the base install.
LAB_EXTRAS = ("core", "data", "ml", "sagemaker", "spark")

# "scikit-learn>=1.4; extra == \"ml\"" -> ("scikit-learn", "ml"); "awslabs[ml]; extra == ..." too.
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?[^;]*(?:;(.*))?$")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")

# When awslabs runs from a source tree that was never installed, there is no metadata to read;
# the import guard in Lab.load_steps still turns a missing module into MissingExtra.
_MODULE_TO_EXTRA = {
    "numpy": "data",
    "pandas": "data",
    "sklearn": "ml",
    "scipy": "ml",
    "matplotlib": "ml",
    "optuna": "ml",
    "threadpoolctl": "ml",
    "sagemaker": "sagemaker",
    "pyspark": "spark",
}


class MissingExtra(AwslabsError):
    """A lab needs an extra that is not installed: one line with the command that installs it."""

    exit_status = ExitStatus.TARGET_UNAVAILABLE

    def __init__(self, lab_id: str, extra: str, missing: list[str]):
        self.lab_id = lab_id
        self.extra = extra
        self.missing = missing
        super().__init__(
            f"lab '{lab_id}' needs the '{extra}' extra ({', '.join(missing)} not installed): "
            f"{install_command(extra)}"
        )


def install_command(extra: str) -> str:
    return f'uv sync --locked --inexact --extra {extra}  (without uv: pip install "awslabs[{extra}]")'


@lru_cache(maxsize=None)
def _extra_requirements() -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """extra -> ((distribution, nested awslabs extras), ...) from awslabs's own metadata."""
    from importlib import metadata  # not at import time: `awslabs list` stays fast

    try:
        lines = metadata.requires("awslabs") or []
    except metadata.PackageNotFoundError:
        return {}
    found: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for line in lines:
        match = _REQUIREMENT.match(line)
        if not match or not match.group(3):
            continue
        extra = _EXTRA_MARKER.search(match.group(3))
        if not extra:
            continue
        nested = tuple(e.strip() for e in (match.group(2) or "").split(",") if e.strip())
        found.setdefault(extra.group(1), []).append((match.group(1), nested))
    return {extra: tuple(reqs) for extra, reqs in found.items()}


def _installed(distribution: str) -> bool:
    from importlib import metadata

    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def missing_distributions(extra: str) -> list[str]:
    """The distributions of ``extra`` (and the awslabs extras it includes) that are not installed.
    Empty for "core", and when awslabs's metadata cannot be read (an uninstalled source tree)."""
    if extra == "core":
        return []
    requirements = _extra_requirements()
    missing: list[str] = []
    seen: set[str] = set()

    def walk(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for distribution, nested in requirements.get(name, ()):
            if distribution.lower() == "awslabs":
                for inner in nested:
                    walk(inner)
            elif not _installed(distribution) and distribution not in missing:
                missing.append(distribution)

    walk(extra)
    return missing


def require_extra(lab_id: str, extra: str) -> None:
    """Raise MissingExtra when the lab's extra is not fully installed."""
    missing = missing_distributions(extra)
    if missing:
        raise MissingExtra(lab_id, extra, missing)


def extra_for_module(module_name: str) -> str | None:
    """The extra that provides a top-level module, for turning an ImportError into MissingExtra."""
    return _MODULE_TO_EXTRA.get(module_name.split(".")[0])
