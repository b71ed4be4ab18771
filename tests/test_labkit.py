"""labkit helpers the labs share, judged on the emulator they run against."""
from __future__ import annotations

import json
from pathlib import Path

from awslabs import judge, labkit
from awslabs.catalog import Catalog
from awslabs.cleanup import delete_entries
from awslabs.context import LabContext
from awslabs.ledger import Ledger
from awslabs.settings import Settings
from awslabs.targets import make_target

FIXTURES = Path(__file__).parent / "fixtures" / "labs"


def _ctx():
    target = make_target(Settings.load(target="moto"))
    ledger = Ledger(None)
    return LabContext(Catalog(FIXTURES).get("fixture-bucket"), target, ledger, "e1e1e1"), ledger


def test_a_service_role_is_recorded_tagged_trusted_and_scoped():
    ctx, ledger = _ctx()
    name = ctx.name("glue", max_len=64)
    arn = labkit.create_service_role(
        ctx, name, "glue.amazonaws.com",
        {"read-data": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lab-data/*"}]},
        condition={"StringEquals": {"aws:SourceAccount": ctx.account}})
    iam = ctx.client("iam")
    assert arn == labkit.role_arn(ctx, name) and labkit.role_arn(ctx, name + "-x") is None
    assert [e.id for e in ledger.pending()] == [name]  # recorded, so cleanup deletes it
    tags = {t["Key"] for t in iam.list_role_tags(RoleName=name)["Tags"]}
    assert {"awslabs:run", "awslabs:lab"} <= tags
    # what the role lets the service do is what the statements say, judged as IAM would
    assert judge.role_may(iam, name, "s3:GetObject", "arn:aws:s3:::lab-data/train.csv")
    assert not judge.role_may(iam, name, "s3:PutObject", "arn:aws:s3:::lab-data/train.csv")
    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "glue.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": ctx.account}}
    assert not delete_entries(ctx.target, ledger.pending(), ledger).leftover
    assert labkit.role_arn(ctx, name) is None
