"""Property test: whatever else is in the ledger file — random bytes, lines torn mid-write, JSON of
the wrong shape or types — reading never crashes and every well-formed record is still cleaned."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awslabs import resources
from awslabs.cleanup import delete_entries
from awslabs.ledger import Entry, Ledger

DELETED: set[str] = set()


@resources.deleter("test:thing", order=50)
def _delete_thing(clients, rid, extra):
    DELETED.add(rid)


def _good(rid: str) -> Entry:
    return Entry("abc123", "fixture-bucket", "server", "us-east-1", "test:thing", rid, endpoint="http://x")


WRONG_VALUES = {
    "ts": st.one_of(st.text(max_size=5), st.none(), st.booleans(), st.lists(st.integers(), max_size=2),
                    st.just(float("inf")).map(str), st.just("NaN")),
    "run": st.one_of(st.integers(), st.none(), st.just("")),
    "kind": st.one_of(st.integers(), st.lists(st.text(max_size=3), max_size=2)),
    "id": st.one_of(st.integers(), st.none(), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1)),
    "target": st.one_of(st.just("azure"), st.integers(), st.none()),
    "extra": st.one_of(st.lists(st.integers(), max_size=2), st.text(max_size=3), st.integers()),
    "op": st.one_of(st.just("destroy"), st.integers(), st.none()),
    "pid": st.one_of(st.text(max_size=3), st.floats(allow_nan=False, allow_infinity=False), st.booleans()),
}

operation = st.one_of(
    st.tuples(st.just("good"), st.integers(0, 40)),
    st.tuples(st.just("delete"), st.integers(0, 40)),
    st.tuples(st.just("bytes"), st.binary(max_size=80)),
    st.tuples(st.just("json"), st.one_of(st.integers(), st.none(), st.lists(st.integers(), max_size=3),
                                         st.text(max_size=10), st.booleans(), st.floats(allow_nan=False))),
    st.tuples(st.just("wrong"), st.sampled_from(sorted(WRONG_VALUES)).flatmap(
        lambda key: st.tuples(st.just(key), WRONG_VALUES[key]))),
    st.tuples(st.just("torn"), st.tuples(st.integers(0, 40), st.floats(0, 0.99))),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=30))
def test_ledger_never_crashes_and_every_well_formed_record_is_cleaned(ops):
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(Path(folder) / "ledger.jsonl")
        expected: dict[str, Entry] = {}

        def raw(data: bytes) -> None:
            with open(ledger.path, "ab") as fh:
                fh.write(data)

        for kind, value in ops:
            if kind == "good":
                entry = _good(f"good-{value}")
                ledger.record_create(entry)
                expected[entry.id] = entry
            elif kind == "delete" and f"good-{value}" in expected:
                ledger.record_deleted(expected.pop(f"good-{value}"))
            elif kind == "bytes":
                raw(value)
            elif kind == "json":
                raw((json.dumps(value) + "\n").encode())
            elif kind == "wrong":
                key, bad = value
                record = {"op": "create", **_good("bad").__dict__}
                record[key] = bad
                raw((json.dumps(record) + "\n").encode())
            elif kind == "torn":
                number, cut = value
                line = json.dumps({"op": "create", **_good(f"torn-{number}").__dict__})
                raw(line[: int(len(line) * cut)].encode())  # a crash mid-write: no newline
        pending = Ledger(ledger.path).pending()
        assert {e.id for e in pending} == set(expected)
        DELETED.clear()
        result = delete_entries(object(), pending, ledger)
        assert DELETED == set(expected) and not result.leftover
        assert Ledger(ledger.path).pending() == []
