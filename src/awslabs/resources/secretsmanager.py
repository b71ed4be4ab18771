"""AWS Secrets Manager secrets (ml-security).

``DeleteSecret`` keeps a secret recoverable for 7 to 30 days unless ``ForceDeleteWithoutRecovery``
is set (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html). The
lab's own secret holds a throw-away password, so its deleter deletes it without recovery: the name
is free for the next run at once. Forcing the deletion of a secret that is already gone is not an
error. The emulators' tagging API does not list secrets: a sweeper finds them by name.
"""
from __future__ import annotations

from . import arn_kind, deleter, is_gone, sweeper


@deleter("secretsmanager:secret", order=40)
def delete_secret(clients, secret_id: str, extra: dict) -> None:
    try:
        clients.client("secretsmanager").delete_secret(SecretId=secret_id, ForceDeleteWithoutRecovery=True)
    except Exception as err:  # noqa: BLE001 - only "does not exist" means done
        if not is_gone(err):
            raise


@arn_kind(r"^(arn:aws[\w-]*:secretsmanager:[\w-]+:\d+:secret:.+)$")
def _secret_arn(m):
    return ("secretsmanager:secret", m.group(1))


@sweeper
def _secrets_by_name(clients, prefix: str):
    sm = clients.client("secretsmanager")
    for page in sm.get_paginator("list_secrets").paginate(Filters=[{"Key": "name", "Values": [prefix]}]):
        for secret in page.get("SecretList", []):
            if secret["Name"].startswith(prefix):
                yield ("secretsmanager:secret", secret["Name"])
