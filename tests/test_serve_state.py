"""``awslabs serve --state FILE``: the emulator's state survives restarts (request log replay)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import boto3
import pytest
from conftest import free_port, wait_for_port

from awslabs.errors import ExitStatus
from awslabs.serve import StateFileError, start_server

KEYS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def clients(url):
    return {name: boto3.client(name, endpoint_url=url, **KEYS) for name in ("s3", "sqs", "kinesis", "glue", "ec2", "stepfunctions")}


def populate(url):
    c = clients(url)
    c["s3"].create_bucket(Bucket="practice-bucket")
    c["s3"].put_object(Bucket="practice-bucket", Key="data/a b%2Fc.bin", Body=b"hello \xff state")
    c["s3"].get_object(Bucket="practice-bucket", Key="data/a b%2Fc.bin")  # a read: not logged
    queue = c["sqs"].create_queue(QueueName="practice-queue")["QueueUrl"]
    for body in ("first", "second", "gone"):
        c["sqs"].send_message(QueueUrl=queue, MessageBody=body)
    # receive all three (making them in flight), delete "gone": after a restart the other two
    # must be visible again and "gone" must stay deleted although receipt handles change.
    got = []
    while len(got) < 3:
        got += c["sqs"].receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=600).get("Messages", [])
    gone = next(m for m in got if m["Body"] == "gone")
    c["sqs"].delete_message(QueueUrl=queue, ReceiptHandle=gone["ReceiptHandle"])
    c["kinesis"].create_stream(StreamName="practice-stream", ShardCount=1)
    for i in range(3):
        c["kinesis"].put_record(StreamName="practice-stream", Data=f"record-{i}".encode(), PartitionKey="k")
    c["glue"].create_database(DatabaseInput={"Name": "practice_db"})
    c["glue"].create_table(
        DatabaseName="practice_db",
        TableInput={"Name": "events", "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "ts", "Type": "timestamp"}]}},
    )
    with pytest.raises(c["glue"].exceptions.AlreadyExistsException):  # a failed request: not logged
        c["glue"].create_database(DatabaseInput={"Name": "practice_db"})
    # generated ids: terminating one of two instances must hit the right one after replay
    instances = c["ec2"].run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2)["Instances"]
    c["ec2"].terminate_instances(InstanceIds=[instances[0]["InstanceId"]])


def verify(url):
    c = clients(url)
    assert c["s3"].get_object(Bucket="practice-bucket", Key="data/a b%2Fc.bin")["Body"].read() == b"hello \xff state"
    queue = c["sqs"].get_queue_url(QueueName="practice-queue")["QueueUrl"]
    bodies = [m["Body"] for m in c["sqs"].receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])]
    assert sorted(bodies) == ["first", "second"]
    shard = c["kinesis"].describe_stream(StreamName="practice-stream")["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = c["kinesis"].get_shard_iterator(StreamName="practice-stream", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["Data"] for r in c["kinesis"].get_records(ShardIterator=iterator)["Records"]] == [b"record-0", b"record-1", b"record-2"]
    columns = c["glue"].get_table(DatabaseName="practice_db", Name="events")["Table"]["StorageDescriptor"]["Columns"]
    assert [(col["Name"], col["Type"]) for col in columns] == [("id", "bigint"), ("ts", "timestamp")]
    states = [i["State"]["Name"] for r in c["ec2"].describe_instances()["Reservations"] for i in r["Instances"]]
    assert sorted(states) == ["running", "terminated"]


def logged_ops(path):
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["awslabs_state"] == 1
    return [json.loads(line)["op"] or json.loads(line)["method"] for line in lines[1:]]


def test_state_survives_in_process_restarts(tmp_path):
    state = tmp_path / "state" / "moto.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server("127.0.0.1", port, state_file=state)
    populate(url)
    server.stop()
    ops = logged_ops(state)
    assert "GetObject" not in ops and "GET" not in ops and "ReceiveMessage" not in ops
    assert ops.count("CreateDatabase") == 1  # the failed second one is not logged
    size = state.stat().st_size

    for _ in range(2):  # a second and a third start: the log keeps growing, nothing is lost
        server = start_server("127.0.0.1", port, state_file=state)
        try:
            report = server.state.report
            assert report.failed == 0, report.summary()
            assert report.replayed == len(ops)
            verify(url)
        finally:
            server.stop()
    assert state.stat().st_size == size  # only reads since: nothing appended


def test_state_survives_real_process_restarts_even_when_killed(tmp_path):
    state = tmp_path / "moto.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    script = textwrap.dedent(
        f"""
        import signal, sys, threading
        from awslabs.serve import start_server
        server = start_server("127.0.0.1", {port}, state_file={str(state)!r})
        print(server.state.report.summary(), flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        stop.wait()
        server.stop()
        """
    )

    def launch():
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for_port(port)
        return proc

    proc = launch()
    try:
        populate(url)
    finally:
        proc.kill()  # SIGKILL: no clean stop, the log must already be on disk
        proc.wait(timeout=10)
    for _ in range(2):
        proc = launch()
        try:
            verify(url)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "restored" in out and "failed" not in out, out


def test_reset_starts_empty_and_keeps_a_backup(tmp_path):
    state = tmp_path / "moto.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server("127.0.0.1", port, state_file=state)
    boto3.client("s3", endpoint_url=url, **KEYS).create_bucket(Bucket="old-bucket")
    server.stop()
    server = start_server("127.0.0.1", port, state_file=state, reset=True)
    try:
        assert boto3.client("s3", endpoint_url=url, **KEYS).list_buckets()["Buckets"] == []
        assert any(str(state) in note for note in server.state.report.notes)
    finally:
        server.stop()
    assert logged_ops(state) == []
    assert "old-bucket" in (tmp_path / "moto.jsonl.bak").read_text()


def test_moto_api_reset_truncates_the_log(tmp_path):
    import urllib.request

    state = tmp_path / "moto.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server("127.0.0.1", port, state_file=state)
    try:
        boto3.client("s3", endpoint_url=url, **KEYS).create_bucket(Bucket="before-reset")
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).read()
        boto3.client("s3", endpoint_url=url, **KEYS).create_bucket(Bucket="after-reset")
    finally:
        server.stop()
    server = start_server("127.0.0.1", port, state_file=state)
    try:
        names = [b["Name"] for b in boto3.client("s3", endpoint_url=url, **KEYS).list_buckets()["Buckets"]]
        assert names == ["after-reset"]
    finally:
        server.stop()


def test_replayed_step_functions_execution_does_not_double_its_effects(tmp_path):
    state = tmp_path / "moto.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server("127.0.0.1", port, state_file=state)
    try:
        c = clients(url)
        queue = c["sqs"].create_queue(QueueName="sfn-out")["QueueUrl"]
        definition = {
            "StartAt": "Send",
            "States": {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                                "Parameters": {"QueueUrl": queue, "MessageBody": "from-sfn"}, "End": True}},
        }
        machine = c["stepfunctions"].create_state_machine(
            name="sm", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/sfn"
        )["stateMachineArn"]
        execution = c["stepfunctions"].start_execution(stateMachineArn=machine, name="run-1")["executionArn"]
        for _ in range(100):
            if c["stepfunctions"].describe_execution(executionArn=execution)["status"] != "RUNNING":
                break
            time.sleep(0.1)
        assert c["stepfunctions"].describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
    finally:
        server.stop()
    assert "SendMessage" not in logged_ops(state)  # the execution's own call is not logged
    server = start_server("127.0.0.1", port, state_file=state)
    try:
        c = clients(url)
        queue = c["sqs"].get_queue_url(QueueName="sfn-out")["QueueUrl"]
        for _ in range(100):  # the replayed execution runs again and sends its message once
            if c["stepfunctions"].describe_execution(executionArn=execution)["status"] != "RUNNING":
                break
            time.sleep(0.1)
        time.sleep(0.3)
        attrs = c["sqs"].get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
        assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "1"
    finally:
        server.stop()


@pytest.mark.parametrize(
    "content, words",
    [
        (b"this is not json\n", "not an awslabs state file"),
        (b'{"awslabs_state": 1}\n{"method": "PUT", "path": "/x"}\n{broken\n{"method": "PUT", "path": "/y"}\n', "corrupt at line 3"),
        (b'{"awslabs_state": 99}\n', "state format 99"),
    ],
)
def test_corrupt_state_file_is_one_clear_usage_error_and_left_untouched(tmp_path, content, words):
    state = tmp_path / "moto.jsonl"
    state.write_bytes(content)
    with pytest.raises(StateFileError) as err:
        start_server("127.0.0.1", free_port(), state_file=state)
    assert err.value.exit_status == ExitStatus.USAGE == 2
    message = str(err.value)
    assert words in message and str(state) in message and "--reset" in message and "\n" not in message
    assert state.read_bytes() == content
    assert not (tmp_path / "moto.jsonl.bak").exists()


def test_unreadable_or_busy_state_file(tmp_path):
    with pytest.raises(StateFileError, match="is a directory"):
        start_server("127.0.0.1", free_port(), state_file=tmp_path)
    state = tmp_path / "moto.jsonl"
    server = start_server("127.0.0.1", free_port(), state_file=state)
    try:
        with pytest.raises(StateFileError, match="in use"):
            start_server("127.0.0.1", free_port(), state_file=state)
    finally:
        server.stop()
    if os.geteuid() != 0:
        state.chmod(0)
        with pytest.raises(StateFileError, match="cannot open"):
            start_server("127.0.0.1", free_port(), state_file=state)


def test_a_cut_off_last_line_from_a_kill_is_dropped_with_a_backup(tmp_path):
    state = tmp_path / "moto.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server("127.0.0.1", port, state_file=state)
    boto3.client("s3", endpoint_url=url, **KEYS).create_bucket(Bucket="kept")
    server.stop()
    with state.open("ab") as f:
        f.write(b'{"t":1,"method":"PUT","pa')
    server = start_server("127.0.0.1", port, state_file=state)
    try:
        assert [b["Name"] for b in boto3.client("s3", endpoint_url=url, **KEYS).list_buckets()["Buckets"]] == ["kept"]
        assert any("cut-off" in note for note in server.state.report.notes)
    finally:
        server.stop()
    assert (tmp_path / "moto.jsonl.bak").read_bytes().endswith(b'"pa')
    assert state.read_bytes().endswith(b"\n")


def test_without_state_nothing_is_written(tmp_path):
    port = free_port()
    server = start_server("127.0.0.1", port)
    try:
        assert not hasattr(server, "state")
    finally:
        server.stop()
    assert list(tmp_path.iterdir()) == [] or all(p.name == "awslabs-home" for p in tmp_path.iterdir())


def test_multipart_upload_survives_with_its_upload_id_translated(tmp_path):
    """`aws s3 cp` of a file over 8 MB is a multipart upload; moto's UploadId is random."""
    from boto3.s3.transfer import TransferConfig

    state = tmp_path / "moto.jsonl"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    payload = os.urandom(6 * 1024 * 1024)
    server = start_server("127.0.0.1", port, state_file=state)
    try:
        s3 = boto3.client("s3", endpoint_url=url, **KEYS)
        s3.create_bucket(Bucket="big")
        s3.upload_file(str(_write(tmp_path / "big.bin", payload)), "big", "big.bin",
                       Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
    finally:
        server.stop()
    server = start_server("127.0.0.1", port, state_file=state)
    try:
        assert server.state.report.failed == 0, server.state.report.summary()
        assert boto3.client("s3", endpoint_url=url, **KEYS).get_object(Bucket="big", Key="big.bin")["Body"].read() == payload
    finally:
        server.stop()


def _write(path, data):
    path.write_bytes(data)
    return path
