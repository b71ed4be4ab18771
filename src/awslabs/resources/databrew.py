"""AWS Glue DataBrew recipes and datasets, and AWS Glue Data Quality rulesets.

A DataBrew recipe has versions: the published ones (1.0, 2.0...) and the working one
(``LATEST_WORKING``), which can only be deleted once no other version is left, so the deleter removes
the published versions first. The Resource Groups Tagging API does not list DataBrew resources on
moto: the sweeper finds leftovers by name. moto does not implement Glue Data Quality; a ruleset is
only ever created on AWS.
"""
from __future__ import annotations

from . import deleter, is_gone, sweeper


@deleter("databrew:recipe", order=30)
def delete_recipe(clients, name: str, extra: dict) -> None:
    brew = clients.client("databrew")
    try:
        versions = brew.list_recipe_versions(Name=name).get("Recipes", [])
        for version in sorted({v["RecipeVersion"] for v in versions if v.get("RecipeVersion")}, key=float,
                              reverse=True):
            if float(version).is_integer():
                brew.delete_recipe_version(Name=name, RecipeVersion=version)
        brew.delete_recipe_version(Name=name, RecipeVersion="LATEST_WORKING")
    except Exception as err:  # noqa: BLE001 - only "does not exist" means done
        if not is_gone(err):
            raise


@deleter("databrew:dataset", order=31)  # after the recipe (a job would use both)
def delete_dataset(clients, name: str, extra: dict) -> None:
    try:
        clients.client("databrew").delete_dataset(Name=name)
    except Exception as err:  # noqa: BLE001
        if not is_gone(err):
            raise


@deleter("glue:data-quality-ruleset", order=30)
def delete_data_quality_ruleset(clients, name: str, extra: dict) -> None:
    try:
        clients.client("glue").delete_data_quality_ruleset(Name=name)
    except Exception as err:  # noqa: BLE001
        if not is_gone(err):
            raise


@sweeper
def sweep_databrew(clients, prefix: str):
    brew = clients.client("databrew")
    found = []
    try:
        for recipe in brew.list_recipes(RecipeVersion="LATEST_WORKING").get("Recipes", []):
            if recipe["Name"].startswith(prefix):
                found.append(("databrew:recipe", recipe["Name"]))
        for dataset in brew.list_datasets().get("Datasets", []):
            if dataset["Name"].startswith(prefix):
                found.append(("databrew:dataset", dataset["Name"]))
    except Exception as err:  # noqa: BLE001 - DataBrew is not offered in every region
        if getattr(err, "response", None) is None:
            raise
    return found
