"""The catalogue's lab.toml cache (`<labs>/__pycache__/catalog.json`) never serves stale data."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from awslabs.catalog import Catalog

FIXTURES = Path(__file__).parent / "fixtures" / "labs"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "labs"
    shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_cache_is_written_and_reused(tmp_path):
    root = _copy(tmp_path)
    first = Catalog(root).labs
    assert (root / "__pycache__" / "catalog.json").is_file()
    assert Catalog(root).labs == first


def test_an_edited_lab_toml_is_read_again(tmp_path):
    root = _copy(tmp_path)
    lab_id = next(iter(Catalog(root).labs))
    toml = root / lab_id / "lab.toml"
    text = toml.read_text()
    toml.write_text(text.replace("minutes = 1", "minutes = 17", 1))
    stat = toml.stat()
    os.utime(toml, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert Catalog(root).get(lab_id).minutes == 17


def test_a_corrupt_or_unwritable_cache_is_ignored(tmp_path):
    root = _copy(tmp_path)
    expected = Catalog(root).labs
    (root / "__pycache__" / "catalog.json").write_text("{not json")
    assert Catalog(root).labs == expected
    (root / "__pycache__" / "catalog.json").write_text("[1, 2]")
    assert Catalog(root).labs == expected


def test_a_broken_lab_toml_is_still_reported_with_a_cache(tmp_path):
    root = _copy(tmp_path)
    lab_id = next(iter(Catalog(root).labs))
    (root / lab_id / "lab.toml").write_text("id = [broken")
    catalog = Catalog(root)
    assert lab_id not in catalog.labs and any("lab.toml" in p for p in catalog.problems)
