"""sqs-queues: other valid ways (must pass) and near misses (must fail saying what to fix)."""
import json

from awslabs.practice import accept, reject, tweak


def _steps():
    from awslabs.catalog import Catalog

    return Catalog().get("sqs-queues").load_steps()


def _create(suffix, change_attributes, apply):
    def change(params):
        if params.get("QueueName", "").split("-practice-")[-1] == suffix:
            change_attributes(params.setdefault("Attributes", {}))
    return lambda ctx: tweak(ctx, "sqs", "CreateQueue", change, getattr(_steps(), apply))


def _dedup_later(ctx):
    """FIFO created without content deduplication, then switched on: the same queue in the end."""
    def change(params):
        params.get("Attributes", {}).pop("ContentBasedDeduplication", None)
    tweak(ctx, "sqs", "CreateQueue", change, _steps().apply_create_queues)
    sqs = ctx.client("sqs")
    url = sqs.get_queue_url(QueueName=ctx.name("orders", max_len=75) + ".fifo")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})


def _redrive(count):
    def change(attributes):
        policy = json.loads(attributes["RedrivePolicy"])
        policy["maxReceiveCount"] = count
        attributes["RedrivePolicy"] = json.dumps(policy)
    return _create("work", change, "apply_dead_letter_queue")


def _one_by_one(ctx):
    sqs = ctx.client("sqs")
    url = sqs.create_queue(QueueName=ctx.name("batch", max_len=80))["QueueUrl"]
    for i in range(10):
        sqs.send_message(QueueUrl=url, MessageBody=f"event {i}")


def _one_message(ctx):
    """One SendMessage: a message, not a batch of ten."""
    sqs = ctx.client("sqs")
    url = sqs.create_queue(QueueName=ctx.name("batch", max_len=80))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="event 0")


def _batch_of_three(ctx):
    """A SendMessageBatch of 3 entries: a batch, but not the ten the task states."""
    sqs = ctx.client("sqs")
    url = sqs.create_queue(QueueName=ctx.name("batch", max_len=80))["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": f"event {i}"} for i in range(3)])


def _two_batches_of_five(ctx):
    sqs = ctx.client("sqs")
    url = sqs.create_queue(QueueName=ctx.name("batch", max_len=80))["QueueUrl"]
    for start in (0, 5):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": f"event {i}"}
                                                      for i in range(start, start + 5)])


def _visibility(attributes):
    def build(ctx):
        sqs = ctx.client("sqs")
        sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=ctx.name("standard", max_len=80))["QueueUrl"],
                                 Attributes=attributes)
    return build


def _visibility_on_a_message(ctx):
    """ChangeMessageVisibility on one received message: the queue's own timeout is unchanged."""
    sqs = ctx.client("sqs")
    url = sqs.get_queue_url(QueueName=ctx.name("standard", max_len=80))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="resize image 42")
    for message in sqs.receive_message(QueueUrl=url).get("Messages", []):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=1)


def _set_later(suffix, attributes):
    """The queue created plain, the attribute set afterwards with SetQueueAttributes."""
    def build(ctx):
        sqs = ctx.client("sqs")
        url = sqs.create_queue(QueueName=ctx.name(suffix, max_len=80), tags=ctx.tags)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return build


def _delay_per_message(ctx):
    """DelaySeconds given on a SendMessage: that one message waits, the queue delays nothing."""
    sqs = ctx.client("sqs")
    url = sqs.create_queue(QueueName=ctx.name("delayed", max_len=80), tags=ctx.tags)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)


VARIANTS = [
    accept("visibility_timeout", "VisibilityTimeout set with the default retention restated in one call",
           _visibility({"VisibilityTimeout": "1", "MessageRetentionPeriod": "345600"})),
    reject("visibility_timeout", "1000, as if the value were milliseconds", _visibility({"VisibilityTimeout": "1000"}),
           fix="1 second"),
    reject("visibility_timeout", "ChangeMessageVisibility on a received message instead of the queue attribute",
           _visibility_on_a_message, fix="1 second"),
    accept("long_polling", "the queue created plain, the wait time set with SetQueueAttributes",
           _set_later("poll", {"ReceiveMessageWaitTimeSeconds": "5"})),
    accept("delay_queue", "the queue created plain, DelaySeconds set with SetQueueAttributes",
           _set_later("delayed", {"DelaySeconds": "1"})),
    reject("delay_queue", "DelaySeconds on one SendMessage instead of on the queue", _delay_per_message, fix="1 s"),
    accept("create_queues", "content deduplication switched on after creating the FIFO queue", _dedup_later),
    reject("create_queues", "FIFO queue without content deduplication",
           _create("orders.fifo", lambda a: a.pop("ContentBasedDeduplication", None), "apply_create_queues"),
           fix="deduplicates by content"),
    accept("dead_letter_queue", "maxReceiveCount as a JSON number instead of a string", _redrive(2)),
    reject("dead_letter_queue", "maxReceiveCount 3 instead of 2", _redrive(3), fix="after 2 receives"),
    reject("dead_letter_queue", "the DLQ left at the default 4-day retention",
           _create("dlq", lambda a: a.pop("MessageRetentionPeriod", None), "apply_dead_letter_queue"), fix="14 days"),
    accept("long_polling", "the wait time given as a number-like string with the CLI's shorthand",
           _create("poll", lambda a: a.update(ReceiveMessageWaitTimeSeconds="5"), "apply_long_polling")),
    reject("long_polling", "20 s instead of 5 s", _create("poll", lambda a: a.update(ReceiveMessageWaitTimeSeconds="20"),
                                                        "apply_long_polling"), fix="5 s"),
    reject("delay_queue", "DelaySeconds left at the default 0", _create("delayed", lambda a: a.pop("DelaySeconds"),
                                                                      "apply_delay_queue"), fix="1 s"),
    accept("batch_limits", "ten single SendMessage calls (the task allows it: the same ten messages; "
           "nothing on a queue records which call sent a message)", _one_by_one),
    accept("batch_limits", "two SendMessageBatch calls of 5 entries", _two_batches_of_five),
    reject("batch_limits", "one SendMessage: one message, not a batch of ten", _one_message, fix="batch of 10"),
    reject("batch_limits", "a batch of 3 entries instead of 10", _batch_of_three, fix="batch of 10"),
]
