"""The real catalogue as data: it loads, ships inside the installed package, and the README's labs
table is generated from it."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import awslabs
from awslabs.catalog import DOMAINS, Catalog, default_labs_dir

ROOT = Path(__file__).resolve().parents[1]


def test_every_lab_folder_in_the_repo_is_in_the_catalogue():
    catalog = Catalog()
    assert list(catalog) and catalog.problems == []
    folders = {p.name for p in (ROOT / "labs").iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert folders == {lab.id for lab in Catalog()}


def test_installed_package_carries_the_labs():
    """A wheel carries the labs at awslabs/labs (force-include); an editable install (what
    `uv sync` makes) finds them in the checkout. Either way the catalogue finds every lab."""
    package_dir = Path(awslabs.__file__).parent
    labs_dir = default_labs_dir()
    if (package_dir / "labs").is_dir():  # a built wheel, installed
        assert labs_dir == package_dir / "labs"
    else:  # editable: the package is the checkout's src/awslabs
        assert package_dir == ROOT / "src" / "awslabs" and labs_dir == ROOT / "labs"
    assert (labs_dir / "s3-storage-classes" / "lab.toml").is_file()
    assert {lab.id for lab in Catalog(labs_dir)} == {lab.id for lab in Catalog(ROOT / "labs")}
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"labs" = "awslabs/labs"' in pyproject, "the wheel must force-include labs/ as awslabs/labs"


def test_every_lab_has_a_known_domain_hints_and_a_cost():
    for lab in Catalog():
        assert lab.domain in DOMAINS
        assert lab.cost and lab.minutes > 0
        assert all(step.hint.strip() for step in lab.steps)


def test_readme_labs_table_is_generated_from_the_catalogue():
    spec = importlib.util.spec_from_file_location("readme_labs", ROOT / "scripts" / "readme_labs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (ROOT / "README.md").read_text()
    assert module.render(readme, list(Catalog(ROOT / "labs"))) == readme, "run python scripts/readme_labs.py"
