"""SQS: standard and FIFO queues, visibility timeout, dead-letter queues, long polling, delay
queues, FIFO deduplication and ordering, batch limits.

moto's SQS keeps real time, so every effect here really happens: messages disappear and come
back, a long poll returns when a message lands. Each topic is two steps: one configures a queue
(its checks read the queue's attributes back live; in practice mode the learner does it), the next
is an experiment on that queue (receiving consumes messages, so it records what it observed in
a file, ``labkit.record``, and its checks judge those observations; in practice mode awslabs runs it at every
check, on the learner's queues). Timeouts are 1-2 seconds so the lab runs in a few seconds; the
same code runs unchanged on real AWS.
"""
from __future__ import annotations

import json
import threading
import time

from botocore.exceptions import ClientError

from awslabs import labkit
from awslabs.lab import Check, equal, expect


def _name(ctx, suffix: str, fifo: bool = False) -> str:
    return f"{ctx.name(suffix, max_len=75)}.fifo" if fifo else ctx.name(suffix, max_len=80)


def _create_queue(ctx, suffix: str, fifo: bool = False, **attributes) -> str:
    name = _name(ctx, suffix, fifo)
    ctx.track("sqs:queue", name)
    if fifo:
        attributes["FifoQueue"] = "true"
    attrs = {k: str(v) for k, v in attributes.items()}
    return ctx.client("sqs").create_queue(QueueName=name, Attributes=attrs, tags=ctx.tags)["QueueUrl"]


def _url(ctx, suffix: str, fifo: bool = False) -> str:
    return ctx.client("sqs").get_queue_url(QueueName=_name(ctx, suffix, fifo))["QueueUrl"]


def _attrs(ctx, suffix: str, fifo: bool = False) -> dict:
    return ctx.client("sqs").get_queue_attributes(QueueUrl=_url(ctx, suffix, fifo), AttributeNames=["All"])[
        "Attributes"
    ]


def _receive(ctx, url: str, wait: int = 0, count: int = 1, visibility: int | None = None) -> list[dict]:
    kwargs = {"QueueUrl": url, "MaxNumberOfMessages": count, "WaitTimeSeconds": wait,
              "AttributeNames": ["ApproximateReceiveCount", "MessageGroupId"]}
    if visibility is not None:
        kwargs["VisibilityTimeout"] = visibility
    return ctx.client("sqs").receive_message(**kwargs).get("Messages", [])


def _drain(ctx, url: str) -> int:
    """Delete whatever is visible in the queue first: an experiment starts from an empty queue
    (practice runs it again at every check, and the learner may have sent messages of their own)."""
    sqs, drained = ctx.client("sqs"), 0
    for _ in range(10):
        got = _receive(ctx, url, wait=0, count=10)
        if not got:
            break
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        drained += len(got)
    return drained


# -- 1. standard vs FIFO ------------------------------------------------------------------------
def apply_create_queues(ctx):
    _create_queue(ctx, "standard")
    _create_queue(ctx, "orders", fifo=True, ContentBasedDeduplication="true")


def check_create_queues(ctx):
    standard = _attrs(ctx, "standard")
    fifo = _attrs(ctx, "orders", fifo=True)
    yield expect(
        "the standard queue is not FIFO", "FifoQueue" not in standard, standard.get("FifoQueue", "no FifoQueue")
    )
    yield equal("the .fifo queue is FIFO", fifo.get("FifoQueue"), "true")
    yield equal(
        "the FIFO queue deduplicates by content (SHA-256 of the body)", fifo.get("ContentBasedDeduplication"), "true"
    )


# -- 2. visibility timeout ----------------------------------------------------------------------
def apply_visibility_timeout(ctx):
    ctx.client("sqs").set_queue_attributes(QueueUrl=_url(ctx, "standard"), Attributes={"VisibilityTimeout": "1"})


def check_visibility_timeout(ctx):
    yield equal("the queue's visibility timeout is 1 second", _attrs(ctx, "standard").get("VisibilityTimeout"), "1")


def apply_watch_visibility(ctx):
    sqs = ctx.client("sqs")
    url = _url(ctx, "standard")
    _drain(ctx, url)
    sqs.send_message(QueueUrl=url, MessageBody="resize image 42")
    first = _receive(ctx, url, wait=2)
    started = time.monotonic()
    hidden = _receive(ctx, url, wait=0)  # in flight: nobody else sees it
    time.sleep(max(0.0, 1.15 - (time.monotonic() - started)))
    again = _receive(ctx, url, wait=2)  # the timeout expired without a delete: it is back
    for message in again:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    labkit.record(ctx, "visibility", {
        "first": first[0]["MessageId"] if first else None,
        "while_in_flight": len(hidden),
        "again": again[0]["MessageId"] if again else None,
        "receive_count": int(again[0]["Attributes"]["ApproximateReceiveCount"]) if again else None,
    })


def check_watch_visibility(ctx):
    seen = labkit.observed(ctx, "visibility")
    if seen is None:
        yield labkit.not_run("a received message is invisible to the next receive")
        return
    yield expect("the first receive got the message", seen["first"] is not None, str(seen["first"]))
    yield equal("a received message is invisible to the next receive", seen["while_in_flight"], 0)
    yield expect(
        "not deleted, it is visible again after the timeout (same message, received twice)",
        seen["again"] is not None and seen["again"] == seen["first"] and seen["receive_count"] == 2,
        f"message {seen['again']}, ApproximateReceiveCount {seen['receive_count']}",
    )


# -- 3. dead-letter queue -----------------------------------------------------------------------
def apply_dead_letter_queue(ctx):
    sqs = ctx.client("sqs")
    dlq_url = _create_queue(ctx, "dlq", MessageRetentionPeriod=1209600)  # keep failures 14 days
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # VisibilityTimeout 0: a failed (undeleted) message is offered again at once
    _create_queue(
        ctx, "work", VisibilityTimeout=0,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
    )


def check_dead_letter_queue(ctx):
    work = _attrs(ctx, "work")
    dlq = _attrs(ctx, "dlq")
    policy = json.loads(work.get("RedrivePolicy", "{}"))
    yield expect(
        "the work queue redrives to the DLQ after 2 receives",
        policy.get("deadLetterTargetArn") == dlq.get("QueueArn") and str(policy.get("maxReceiveCount")) == "2",
        json.dumps(policy),
    )
    sources = ctx.client("sqs").list_dead_letter_source_queues(QueueUrl=_url(ctx, "dlq")).get("queueUrls", [])
    yield equal("list_dead_letter_source_queues names the work queue", sources, [_url(ctx, "work")])
    yield equal("the work queue offers a failed message again at once (VisibilityTimeout 0)",
                work.get("VisibilityTimeout"), "0")
    yield equal("the DLQ keeps messages for 14 days (the maximum)", dlq.get("MessageRetentionPeriod"), "1209600")


def apply_poison_message(ctx):
    sqs = ctx.client("sqs")
    work_url, dlq_url = _url(ctx, "work"), _url(ctx, "dlq")
    _drain(ctx, work_url)
    _drain(ctx, dlq_url)
    sqs.send_message(QueueUrl=work_url, MessageBody="poison message")
    counts = []
    for _ in range(3):  # a consumer that keeps failing: receives, never deletes
        got = _receive(ctx, work_url, wait=1)
        counts.append(int(got[0]["Attributes"]["ApproximateReceiveCount"]) if got else 0)
    # Look without taking: VisibilityTimeout 0 leaves the poison message in the DLQ for the check
    # to find there (a later run drains it first).
    dead = _receive(ctx, dlq_url, wait=2, visibility=0)
    labkit.record(ctx, "dlq", {"receive_counts": counts, "dlq_body": dead[0]["Body"] if dead else None})


def check_poison_message(ctx):
    seen = labkit.observed(ctx, "dlq")
    if seen is None:
        yield labkit.not_run("received twice, then gone from the work queue")
        return
    yield equal("received twice (counts 1, 2), then gone from the work queue", seen["receive_counts"], [1, 2, 0])
    yield equal("the experiment saw the poison message arrive in the dead-letter queue", seen["dlq_body"], "poison message")
    in_dlq = _receive(ctx, _url(ctx, "dlq"), wait=1, count=10, visibility=0)
    yield equal("the dead-letter queue holds it now", [m["Body"] for m in in_dlq], ["poison message"])


# -- 4. long polling ----------------------------------------------------------------------------
def apply_long_polling(ctx):
    _create_queue(ctx, "poll", ReceiveMessageWaitTimeSeconds=5)


def check_long_polling(ctx):
    waits = _attrs(ctx, "poll").get("ReceiveMessageWaitTimeSeconds")
    yield equal("the queue long-polls by default for up to 5 s", waits, "5")


def apply_watch_long_poll(ctx):
    sqs = ctx.client("sqs")
    url = _url(ctx, "poll")
    _drain(ctx, url)
    started = time.monotonic()
    empty = _receive(ctx, url, wait=0)  # short poll: answers at once, even when empty
    short_seconds = time.monotonic() - started

    def producer():
        time.sleep(0.5)
        sqs.send_message(QueueUrl=url, MessageBody="arrived while you waited")

    thread = threading.Thread(target=producer, daemon=True)
    started = time.monotonic()
    thread.start()
    got = _receive(ctx, url, wait=5)  # long poll: returns as soon as the message lands
    long_seconds = time.monotonic() - started
    thread.join(timeout=5)
    for message in got:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    labkit.record(ctx, "long_poll", {
        "short_empty": not empty,
        "short_seconds": round(short_seconds, 3),
        "body": got[0]["Body"] if got else None,
        "long_seconds": round(long_seconds, 3),
    })


def check_watch_long_poll(ctx):
    seen = labkit.observed(ctx, "long_poll")
    if seen is None:
        yield labkit.not_run("the long poll returned the message sent 0.5 s after it started")
        return
    yield expect(
        "a short poll (WaitTimeSeconds=0) on an empty queue answers at once",
        seen["short_empty"] and seen["short_seconds"] < 1.0,
        f"empty in {seen['short_seconds']} s",
    )
    yield equal(
        "the long poll returned the message sent 0.5 s after it started", seen["body"], "arrived while you waited"
    )
    yield expect(
        "... as soon as it arrived, well before WaitTimeSeconds=5",
        0.4 <= seen["long_seconds"] < 3.0,
        f"returned after {seen['long_seconds']} s",
    )


# -- 5. delay queue -----------------------------------------------------------------------------
def apply_delay_queue(ctx):
    _create_queue(ctx, "delayed", DelaySeconds=1)


def check_delay_queue(ctx):
    yield equal("the queue delays every new message by 1 s", _attrs(ctx, "delayed").get("DelaySeconds"), "1")


def apply_watch_delay(ctx):
    sqs = ctx.client("sqs")
    url = _url(ctx, "delayed")
    _drain(ctx, url)
    sent = time.monotonic()
    sqs.send_message(QueueUrl=url, MessageBody="not before one second")
    at_once = _receive(ctx, url, wait=0)
    got = _receive(ctx, url, wait=3)
    seconds = time.monotonic() - sent
    for message in got:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    labkit.record(ctx, "delay", {
        "at_once": len(at_once), "body": got[0]["Body"] if got else None, "seconds": round(seconds, 3)
    })


def check_watch_delay(ctx):
    seen = labkit.observed(ctx, "delay")
    if seen is None:
        yield labkit.not_run("a message sent to a delay queue is not receivable at once")
        return
    yield equal("a message sent to a delay queue is not receivable at once", seen["at_once"], 0)
    yield expect(
        "it is delivered once the delay is over (after ~1 s)",
        seen["body"] == "not before one second" and 0.9 <= seen["seconds"] < 3.0,
        f"{seen['body']!r} after {seen['seconds']} s",
    )


# -- 6. FIFO: deduplication, per-group ordering -------------------------------------------------
FIFO_SENDS = (("A", "a1"), ("B", "b1"), ("A", "a2"), ("B", "b2"), ("A", "a3"), ("C", "same body"), ("C", "same body"))


def apply_fifo_ordering(ctx):
    sqs = ctx.client("sqs")
    url = _url(ctx, "orders", fifo=True)
    _drain(ctx, url)
    # A fresh tag per run: content-based deduplication remembers a body for 5 minutes, and this
    # experiment may run again within that window (practice runs it at every check).
    tag = f" #{time.time_ns() % 10**9}"
    for group, body in FIFO_SENDS:
        # no MessageDeduplicationId: ContentBasedDeduplication derives it from the body
        sqs.send_message(QueueUrl=url, MessageBody=body + tag, MessageGroupId=group)

    def ours(messages):
        return [(m["Attributes"]["MessageGroupId"], m["Body"][: -len(tag)])
                for m in messages if m["Body"].endswith(tag)]

    first = _receive(ctx, url, wait=1, count=1, visibility=30)  # a1, group A is now locked
    others = _receive(ctx, url, wait=1, count=10, visibility=30)
    delivered = ours(first + others)
    locked_out = [body for group, body in delivered[1:] if group == "A"]
    for message in first + others:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    expected = len(set(FIFO_SENDS))
    for _ in range(6):  # drain the rest, in order, deleting as we go
        if len(delivered) >= expected:
            break
        got = _receive(ctx, url, wait=1, count=10)
        if not got:
            break
        delivered += ours(got)
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    labkit.record(ctx, "fifo", {
        "first": delivered[0][1] if delivered else None,
        "a_while_a1_in_flight": locked_out,
        "delivered": delivered,
    })


def check_fifo_ordering(ctx):
    seen = labkit.observed(ctx, "fifo")
    if seen is None:
        yield labkit.not_run("the duplicate body was delivered once")
        return
    bodies = [body for _, body in seen["delivered"]]
    yield equal("the duplicate body was delivered once (content-based deduplication)", bodies.count("same body"), 1)
    by_group: dict[str, list[str]] = {}
    for group, body in seen["delivered"]:
        by_group.setdefault(group, []).append(body)
    yield equal("group A arrived in order", by_group.get("A"), ["a1", "a2", "a3"])
    yield equal("group B arrived in order", by_group.get("B"), ["b1", "b2"])
    yield expect(
        "while a1 was in flight, no other group-A message was handed out",
        seen["first"] == "a1" and not seen["a_while_a1_in_flight"],
        f"first {seen['first']!r}; group A during lock: {seen['a_while_a1_in_flight']}",
    )


# -- 7. batch limits ----------------------------------------------------------------------------
def _ten():
    return [{"Id": f"m{i}", "MessageBody": f"event {i}"} for i in range(10)]


def apply_batch_limits(ctx):
    url = _create_queue(ctx, "batch")
    ctx.client("sqs").send_message_batch(QueueUrl=url, Entries=_ten())


def _messages_on(ctx, suffix: str) -> tuple[int, dict]:
    """Every message the queue holds: visible, in flight and delayed (the approximate counters)."""
    attrs = _attrs(ctx, suffix)
    keys = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed")
    return sum(int(attrs.get(k, 0)) for k in keys), attrs


def check_batch_limits(ctx):
    """Judged by its effect: ten messages on the new standard queue. One SendMessageBatch is the
    way the task teaches; ten single sends put the same ten messages there and are not told apart
    (nothing on the queue records which call sent a message)."""
    count, attrs = _messages_on(ctx, "batch")
    yield expect("the batch queue is a standard queue", "FifoQueue" not in attrs,
                 "create it without FifoQueue (a standard queue)" if "FifoQueue" in attrs else "standard")
    if ctx.on_aws:  # the approximate counters are eventually consistent on AWS: give them time to settle
        for _ in range(10):
            if count == 10:
                break
            time.sleep(2)
            count, attrs = _messages_on(ctx, "batch")
    yield expect("the queue holds exactly the 10 messages of one batch", count == 10,
                 "10 messages" if count == 10 else
                 f"the queue holds {count} message(s): send a batch of 10 messages into it "
                 "(one SendMessageBatch call with 10 entries, each with its own Id)"
                 + (" — purge it first (PurgeQueue) if it holds more" if count > 10 else ""))


def apply_batch_refusals(ctx):
    sqs = ctx.client("sqs")
    url = _url(ctx, "batch")
    answers = {}
    for label, entries in (
        ("eleven", _ten() + [{"Id": "m10", "MessageBody": "one too many"}]),
        ("duplicate_ids", [{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}]),
    ):
        try:
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
            answers[label] = "accepted"
        except ClientError as err:
            answers[label] = labkit.error_code(err)
    labkit.record(ctx, "batch", answers)


def check_batch_refusals(ctx):
    seen = labkit.observed(ctx, "batch")
    if seen is None:
        yield labkit.not_run("a batch of 11 entries is refused")
        return
    yield expect(
        "a batch of 11 entries is refused",
        "TooManyEntriesInBatchRequest" in seen["eleven"],
        seen["eleven"],
    )
    yield expect(
        "entry Ids in a batch must be distinct",
        "BatchEntryIdsNotDistinct" in seen["duplicate_ids"],
        seen["duplicate_ids"],
    )


# -- the mutation pass (awslabs.mutations): mistakes a check of the step must catch -----------------
def _visibility_left_at_default(ctx):
    ctx.client("sqs").set_queue_attributes(QueueUrl=_url(ctx, "standard"), Attributes={"VisibilityTimeout": "30"})


def _consumer_deletes_the_poison_message(ctx):
    sqs, url = ctx.client("sqs"), _url(ctx, "work")
    _drain(ctx, url)
    sqs.send_message(QueueUrl=url, MessageBody="poison message")
    for message in _receive(ctx, url, wait=1):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    labkit.record(ctx, "dlq", {"receive_counts": [1, 0, 0], "dlq_body": None})


MUTATIONS = {
    "visibility_timeout": [("VisibilityTimeout left at 30 s", _visibility_left_at_default)],
    "poison_message": [("the consumer deletes the message instead of failing", _consumer_deletes_the_poison_message)],
}
