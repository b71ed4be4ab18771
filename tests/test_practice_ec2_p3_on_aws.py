"""ec2-gpu-instances `sagemaker_p3_job` on AWS is judged on what the learner left on the target (the
data bucket's train/ channel, a job if one was submitted), never on a fact only the reference step
sets (issue 16): driven offline by a context that says it is on AWS."""
from __future__ import annotations

from awslabs.catalog import Catalog
from awslabs.context import LabContext
from awslabs.ledger import Ledger
from awslabs.settings import Settings
from awslabs.targets import make_target


class _OnAws(LabContext):
    @property
    def on_aws(self) -> bool:
        return True


def _verdicts(ctx, module):
    return [(c.name, c.ok, c.skipped) for c in module.check_sagemaker_p3_job(ctx)]


def test_the_p3_check_on_aws_reads_the_target_not_the_reference_state():
    lab = Catalog().get("ec2-gpu-instances")
    module = lab.load_steps()
    settings = Settings.load(target="moto")
    ctx = _OnAws(lab, make_target(settings), Ledger(None), "practice")
    ctx.state["p3_validated"] = True  # what the reference step used to leave: no longer enough
    nothing = _verdicts(ctx, module)
    assert nothing[0][:2] == ("the data bucket has the train/ channel the job reads", False)
    s3 = ctx.client("s3")
    s3.create_bucket(Bucket=ctx.name("data"))
    s3.put_object(Bucket=ctx.name("data"), Key="train/README.txt", Body=b"placeholder channel")
    done = _verdicts(ctx, module)
    assert done[0][:2] == ("the data bucket has the train/ channel the job reads", True)
    assert done[1][0] == "a submitted ml.p3.2xlarge job" and done[1][2]  # reported, not judged
