"""Near-real-time SQL over a stream, the Kinesis Data Analytics way, in an embedded DuckDB.

Kinesis Data Analytics for SQL ran continuous queries over an in-application stream: tumbling
windows with ``GROUP BY STEP(ROWTIME BY INTERVAL '60' SECOND)``, sliding windows with
``WINDOW ... RANGE INTERVAL '1' MINUTE PRECEDING`` and anomaly scores with ``RANDOM_CUT_FOREST``
(https://docs.aws.amazon.com/kinesisanalytics/latest/dev/tumbling-window-concepts.html,
https://docs.aws.amazon.com/kinesisanalytics/latest/dev/sliding-window-concepts.html,
https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sqlrf-random-cut-forest.html).
Its successor, Managed Service for Apache Flink, runs the same windows in Flink SQL.

Here the records are polled from a Kinesis stream in **micro-batches**; each batch is appended to a
DuckDB table and the queries below run over it:

- a tumbling window ``[start, start + size)`` is emitted once the *watermark* (the largest event
  time seen) has passed its end, so a late batch cannot change a window already emitted — the
  same "emit on window close" contract as a streaming engine;
- the sliding average is per record over the ``size`` seconds before it (``RANGE`` frame);
- the anomaly flag is a z-score against that sliding window (value more than ``z`` standard
  deviations from the preceding mean) — a transparent stand-in for ``RANDOM_CUT_FOREST``, which
  scores with a random forest of trees instead.

DuckDB is imported inside functions: ``awslabs list`` must not pay for it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TUMBLING_SQL = """
SELECT key,
       time_bucket(to_seconds({size}), ts, TIMESTAMP '1970-01-01') AS window_start,
       time_bucket(to_seconds({size}), ts, TIMESTAMP '1970-01-01') + to_seconds({size}) AS window_end,
       count(*) AS events,
       round(avg(value), 4) AS avg_value,
       max(value) AS max_value
FROM events
GROUP BY ALL
HAVING window_end <= ?
ORDER BY window_start, key
"""

SLIDING_SQL = """
SELECT key, ts, value,
       round(avg(value) OVER w, 4) AS sliding_avg,
       count(*) OVER w AS sliding_count
FROM events
WINDOW w AS (PARTITION BY key ORDER BY ts RANGE BETWEEN to_seconds({size}) PRECEDING AND CURRENT ROW)
ORDER BY ts, key
"""

ANOMALY_SQL = """
WITH scored AS (
  SELECT key, ts, value,
         avg(value) OVER w AS mean_before,
         stddev_samp(value) OVER w AS sd_before,
         count(*) OVER w AS n_before
  FROM events
  WINDOW w AS (PARTITION BY key ORDER BY ts
               RANGE BETWEEN to_seconds({size}) PRECEDING AND INTERVAL '1 microsecond' PRECEDING)
)
SELECT key, ts, value, round(mean_before, 4) AS mean_before, round(sd_before, 4) AS sd_before,
       n_before >= {min_points} AND sd_before > 0
         AND abs(value - mean_before) > {z} * sd_before AS anomaly
FROM scored
ORDER BY ts, key
"""


def _connect():
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE events (key VARCHAR, ts TIMESTAMP, value DOUBLE)")
    return con


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _naive_utc(ts: dt.datetime) -> dt.datetime:
    return ts.astimezone(dt.timezone.utc).replace(tzinfo=None) if ts.tzinfo else ts


@dataclass
class MicroBatchQuery:
    """Feed micro-batches of ``{"key", "ts", "value"}`` events; get closed tumbling windows back.

    ``window_seconds`` sizes both the tumbling window and the sliding/anomaly windows."""

    window_seconds: int = 60
    z: float = 3.0
    min_points: int = 5
    watermark: dt.datetime | None = None
    emitted: set = field(default_factory=set)
    batches: int = 0

    def __post_init__(self):
        self._con = _connect()

    def add_batch(self, events: list[dict], watermark: dt.datetime | None = None) -> list[dict]:
        """Append a batch; return the tumbling windows that closed with it (each once).

        ``watermark``: the event time up to which the input is complete. By default the newest
        event time seen; a reader of several shards passes the *oldest* of the shards' newest
        times, since a lagging shard may still hold earlier events (Flink does the same)."""
        self.batches += 1
        if events:
            self._con.executemany(
                "INSERT INTO events VALUES (?, ?, ?)",
                [(e["key"], _naive_utc(e["ts"]), float(e["value"])) for e in events],
            )
        newest = _naive_utc(watermark) if watermark else (max(_naive_utc(e["ts"]) for e in events) if events else None)
        if newest is not None:
            self.watermark = newest if self.watermark is None else max(self.watermark, newest)
        if self.watermark is None:
            return []
        closed = self.tumbling(until=self.watermark)
        fresh = [w for w in closed if (w["key"], w["window_start"]) not in self.emitted]
        self.emitted |= {(w["key"], w["window_start"]) for w in fresh}
        return fresh

    def tumbling(self, until: dt.datetime | None = None) -> list[dict]:
        """Every tumbling window that ends at or before ``until`` (default: all windows)."""
        limit = until or dt.datetime(9999, 1, 1)
        return _rows(self._con.execute(TUMBLING_SQL.format(size=int(self.window_seconds)), [limit]))

    def sliding(self) -> list[dict]:
        return _rows(self._con.execute(SLIDING_SQL.format(size=int(self.window_seconds))))

    def anomalies(self) -> list[dict]:
        sql = ANOMALY_SQL.format(size=int(self.window_seconds), z=float(self.z), min_points=int(self.min_points))
        return [r for r in _rows(self._con.execute(sql)) if r["anomaly"]]

    def count(self) -> int:
        return self._con.execute("SELECT count(*) FROM events").fetchone()[0]
