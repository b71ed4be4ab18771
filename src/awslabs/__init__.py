"""awslabs: scripted, self-checking, hands-on labs for the AWS machine-learning stack.

Use it from Python without the CLI::

    import awslabs
    report = awslabs.run_lab("s3-storage-classes")      # on moto, in-process
    print(report.passed, report.to_dict())

Importing this package does not import boto3 or moto; ``run_lab`` does, when called.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["run_lab", "Catalog", "Settings", "__version__"]


def __getattr__(name: str):
    if name == "run_lab":
        from .runner import run_lab

        return run_lab
    if name == "Catalog":
        from .catalog import Catalog

        return Catalog
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)
