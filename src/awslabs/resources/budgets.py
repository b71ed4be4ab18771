"""AWS Budgets (``budgets:budget``): account-level cost budgets, deleted with their notifications.

A budget belongs to the account, not a region, and is named, not tagged, in the answers moto gives:
moto 5.2.6 accepts ``ResourceTags`` on CreateBudget but does not list budgets in the Resource
Groups Tagging API (nor implement ListTagsForResource), so leftovers are found by name (the
``awslabs-<lab>-<run>-`` prefix) with DescribeBudgets. DeleteBudget also deletes the budget's
notifications and subscribers.
"""
from __future__ import annotations

from . import deleter, is_gone, sweeper


def _account(clients) -> str:
    return clients.client("sts").get_caller_identity()["Account"]


@deleter("budgets:budget", order=20)
def delete_budget(clients, name: str, extra: dict) -> None:
    account = extra.get("account") or _account(clients)
    try:
        clients.client("budgets").delete_budget(AccountId=account, BudgetName=name)
    except Exception as err:  # noqa: BLE001 - only "does not exist" means done
        if not is_gone(err):
            raise


@sweeper
def sweep_budgets(clients, prefix: str):
    budgets = clients.client("budgets")
    account = _account(clients)
    names, token = [], None
    while True:
        kwargs = {"AccountId": account, **({"NextToken": token} if token else {})}
        try:
            page = budgets.describe_budgets(**kwargs)
        except Exception as err:  # noqa: BLE001 - an account without budgets answers NotFound
            # a principal without budgets:ViewBudget cannot list them: the ledger still deletes
            # what this machine's runs recorded, so the name sweep is skipped rather than fatal
            if is_gone(err) or "AccessDenied" in str(getattr(err, "response", {}).get("Error", {}).get("Code", "")):
                break
            raise
        names += [b["BudgetName"] for b in page.get("Budgets", [])]
        token = page.get("NextToken")
        if not token:
            break
    return [("budgets:budget", n) for n in names if n.startswith(prefix)]
