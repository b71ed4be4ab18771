"""step-functions-pipeline: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("step-functions-pipeline").load_steps()


def _machine(change_definition=None, **params_change):
    def change(params):
        if change_definition:
            definition = json.loads(params["definition"])
            change_definition(definition)
            params["definition"] = json.dumps(definition)
        params.update(params_change)
    return lambda ctx: tweak(ctx, "stepfunctions", "CreateStateMachine", change, _steps().apply_create_state_machine)


def _succeed_at_the_end(definition):
    """Notify goes on to an explicit Succeed state instead of ending itself."""
    notify = definition["States"]["Notify"]
    notify.pop("End")
    notify["Next"] = "Done"
    definition["States"]["Done"] = {"Type": "Succeed"}


def _no_choice(definition):
    """Straight from StartEtl to PrepareFeatures: the light run would request training too."""
    definition["States"].pop("ChooseMode")
    definition["States"].pop("SkipTraining")
    definition["States"]["StartEtl"]["Next"] = "PrepareFeatures"


def _trust_with_source_account(ctx):
    """The execution role's trust narrowed to this account (aws:SourceAccount), as AWS recommends."""
    def change(params):
        trust = json.loads(params["AssumeRolePolicyDocument"])
        trust["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": ctx.account}}
        params["AssumeRolePolicyDocument"] = json.dumps(trust)
    tweak(ctx, "iam", "CreateRole", change, _steps().apply_create_state_machine)


def _start(change):
    def build(ctx, step):
        def changed(params):
            payload = json.loads(params["input"])
            change(params, payload)
            params["input"] = json.dumps(payload)
        tweak(ctx, "stepfunctions", "StartExecution", changed, getattr(_steps(), f"apply_{step}"))
    return build


def _full(change):
    return lambda ctx: _start(change)(ctx, "run_full_pipeline")


def _light(change):
    return lambda ctx: _start(change)(ctx, "run_light_pipeline")


def _own_date_and_extra(params, payload):
    payload["run_date"] = "2024-04-15"
    payload["requested_by"] = "learner"


def _two_feature_sets(params, payload):
    payload["feature_sets"] = ["clicks", "orders"]


def _mode_capitalised(params, payload):
    """'Full': StringEquals is case-sensitive, so the Choice takes its Default branch."""
    payload["mode"] = "Full"


def _no_feature_sets(params, payload):
    """Light mode never reads $.feature_sets: leaving it out is as good as an empty list."""
    payload.pop("feature_sets")


def _light_named_but_full(params, payload):
    """The full input pasted again under the light name."""
    payload.update(mode="full", feature_sets=["clicks", "orders", "profiles"])


def _read_one_by_one(ctx):
    """ReceiveMessage one message at a time, DeleteMessage each."""
    s = _steps()
    sqs = ctx.client("sqs")
    for kind in ("training", "notify"):
        url = s._queue_url(ctx, kind)
        for _ in range(10):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
            if not messages:
                break
            json.loads(messages[0]["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])


def _received_not_deleted(ctx):
    """Received but never deleted: the messages come back after the visibility timeout."""
    s = _steps()
    sqs = ctx.client("sqs")
    for kind in ("training", "notify"):
        sqs.receive_message(QueueUrl=s._queue_url(ctx, kind), MaxNumberOfMessages=10)


def _only_notifications(ctx):
    """Only the notify queue read and emptied: the training request is left waiting."""
    s = _steps()
    sqs = ctx.client("sqs")
    url = s._queue_url(ctx, "notify")
    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


VARIANTS = [
    accept("create_state_machine", "an explicit Succeed state after Notify", _machine(_succeed_at_the_end)),
    accept("create_state_machine", "the execution role's trust limited with aws:SourceAccount", _trust_with_source_account),
    accept("create_state_machine", "type left out (STANDARD is the default)",
           lambda ctx: tweak(ctx, "stepfunctions", "CreateStateMachine", lambda p: p.pop("type"),
                             _steps().apply_create_state_machine)),
    reject("create_state_machine", "no Choice state: light runs would request training", _machine(_no_choice),
           fix="Choice"),
    reject("create_state_machine", "an EXPRESS workflow: no execution history to read", _machine(type="EXPRESS"),
           fix="STANDARD"),
    accept("run_full_pipeline", "the learner's own run_date and an extra input field", _full(_own_date_and_extra)),
    reject("run_full_pipeline", "only two of the three feature sets", _full(_two_feature_sets),
           fix="one entry per feature set"),
    reject("run_full_pipeline", "mode 'Full' (StringEquals is case-sensitive)", _full(_mode_capitalised),
           fix="one entry per feature set"),
    accept("run_light_pipeline", "feature_sets left out of the light input", _light(_no_feature_sets)),
    reject("run_light_pipeline", "the full input pasted under the light name", _light(_light_named_but_full),
           fix="default branch"),
    accept("read_notifications", "one message at a time, each deleted with DeleteMessage", _read_one_by_one),
    reject("read_notifications", "received but not deleted", _received_not_deleted, fix="received and deleted"),
    reject("read_notifications", "only the notification queue read", _only_notifications, fix="received and deleted"),
]
