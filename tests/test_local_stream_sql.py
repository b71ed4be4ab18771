"""awslabs.local.stream_sql: tumbling windows emitted on close, sliding averages and the anomaly
flag, hand-worked (window semantics as in the Kinesis Data Analytics SQL guide)."""
from __future__ import annotations

import datetime as dt

from awslabs.local.stream_sql import MicroBatchQuery

T0 = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def ev(key, seconds, value):
    return {"key": key, "ts": T0 + dt.timedelta(seconds=seconds), "value": value}


def naive(seconds):
    return (T0 + dt.timedelta(seconds=seconds)).replace(tzinfo=None)


def test_tumbling_windows_are_emitted_once_when_the_watermark_passes_their_end():
    q = MicroBatchQuery(window_seconds=60)
    assert q.add_batch([ev("a", 0, 1), ev("a", 10, 2), ev("a", 59, 3)]) == []  # [0,60) still open
    closed = q.add_batch([ev("a", 60, 10), ev("a", 61, 20)])  # watermark 61 → [0,60) closes
    assert [(w["window_start"], w["events"], w["avg_value"], w["max_value"]) for w in closed] == [(naive(0), 3, 2.0, 3.0)]
    assert q.add_batch([ev("a", 100, 30)]) == []  # nothing new closed, nothing emitted twice
    closed = q.add_batch([ev("a", 125, 0)])
    assert [(w["window_start"], w["events"], w["avg_value"]) for w in closed] == [(naive(60), 3, 20.0)]
    assert q.batches == 4 and q.count() == 7


def test_windows_are_per_key():
    q = MicroBatchQuery(window_seconds=60)
    q.add_batch([ev("a", 1, 1), ev("b", 2, 5), ev("b", 3, 7)])
    rows = q.tumbling()
    assert [(w["key"], w["events"]) for w in rows] == [("a", 1), ("b", 2)]


def test_a_lagging_watermark_holds_windows_back():
    q = MicroBatchQuery(window_seconds=60)
    # shard 1 is at 90 s, shard 2 only at 30 s: the input is complete up to 30 s only
    assert q.add_batch([ev("a", 10, 1), ev("a", 90, 1), ev("b", 30, 1)], watermark=T0 + dt.timedelta(seconds=30)) == []
    closed = q.add_batch([ev("b", 65, 1)], watermark=T0 + dt.timedelta(seconds=65))
    assert sorted((w["key"], w["events"]) for w in closed) == [("a", 1), ("b", 1)]


def test_sliding_average_uses_the_range_of_seconds_before_each_record():
    q = MicroBatchQuery(window_seconds=60)
    q.add_batch([ev("a", 0, 1), ev("a", 30, 2), ev("a", 90, 3)])
    rows = q.sliding()
    # at 90 s the frame is [30 s, 90 s]: (2 + 3) / 2
    assert [(r["sliding_avg"], r["sliding_count"]) for r in rows] == [(1.0, 1), (1.5, 2), (2.5, 2)]


def test_anomaly_is_a_value_far_from_the_preceding_window():
    q = MicroBatchQuery(window_seconds=60, z=3.0, min_points=5)
    normal = [ev("a", 5 * i, 10 + (i % 2)) for i in range(12)]  # 10, 11, 10, 11 ...
    q.add_batch(normal + [ev("a", 60, 100), ev("a", 65, 11)])
    flagged = q.anomalies()
    assert [(r["key"], r["ts"], r["value"]) for r in flagged] == [("a", naive(60), 100.0)]


def test_too_few_points_flag_nothing():
    q = MicroBatchQuery(window_seconds=60, z=1.0, min_points=5)
    q.add_batch([ev("a", 0, 1), ev("a", 1, 2), ev("a", 2, 1000)])
    assert q.anomalies() == []
