"""The request log behind ``awslabs serve --state FILE``: what is recorded, how it is replayed.

The server itself (``awslabs.serve``) wraps moto's WSGI app with :meth:`StateLog.middleware` and
calls :meth:`StateLog.replay` before it opens for requests; everything about the log lives here.

moto 5.2.5 cannot snapshot its backends (they hold locks, threads, generators; pickling them is
not supported and would break on every moto upgrade). What *is* stable is the AWS wire API, so
the state file is a **request log**: a JSON-lines file whose first line is a header
(``{"awslabs_state": 1, ...}``) and every further line one request that changed the emulator.
On start the log is replayed, in order, into a freshly reset moto; then recording continues
into the same file, so the log keeps growing across sessions and every restart has everything.

Why our own WSGI recorder and not moto's (``MOTO_ENABLE_RECORDING``)? Measured pitfalls of
moto's recorder, each fixed here:

* it records *before* the response, so requests that failed (4xx) are replayed too — we record
  after the response and keep only 2xx;
* it records every read (Describe/List/Get, S3 GET) — we keep mutating requests only (the
  operation from ``X-Amz-Target`` / ``Action=``, else the HTTP method), so the log stays small
  and replay is fast;
* it is one process-wide switch that also records in-process ``mock_aws`` calls and the calls a
  Step Functions execution makes back into the server — we record only HTTP requests to this
  server, and skip those signed with the access key ``ak`` that moto's Step Functions
  interpreter uses (the replayed ``StartExecution`` runs the execution again, which recreates
  those effects; recording them too would double them);
* its replay goes over HTTP and ``POST /moto-api/reset`` is replayed like anything else — we
  replay in-process straight into moto's WSGI app (never re-recorded), skip ``/moto-api/*``
  except canned results and config, and a reset **truncates** the log (old log kept as
  ``FILE.bak``);
* generated ids differ after replay (instance ids, SQS MessageIds, S3 multipart UploadIds,
  EMR cluster ids...), so a later ``TerminateInstances i-old`` would fail — we store the ids
  found in each recorded response and, on replay, map old→new ids position by position and
  rewrite them in the later requests' URL and (API, not object) bodies;
* the log is written before the response is sent, so a client never sees a success that is not
  on disk, and a request that depends on another is always logged after it; signatures and
  session tokens are not logged (moto needs only the credential scope);
* SQS receipt handles are never in a send response, so ``DeleteMessage`` would fail after replay
  and a deleted message would come back — when a delete is recorded we also store which
  MessageId the handle belonged to; on replay that id is mapped to the new message, the old
  handle is attached to it, and the recorded delete then works unchanged.
  ``ReceiveMessage`` and ``ChangeMessageVisibility`` are not replayed: after a restart every
  undeleted message is visible again (as after any visibility timeout) and receive counts
  restart at 0.

Limitations (a replay re-runs requests, it does not restore a memory image):

* times are the replay's: creation dates, S3 LastModified, Kinesis arrival timestamps, and
  anything time-based re-runs from the start (SQS delays and the FIFO dedup window, Step Functions
  Wait states; replayed executions run again, with new task tokens, so a recorded
  ``SendTaskSuccess`` fails on replay);
* a generated id is translated only if it appeared in a logged response (same count and order);
  an id the learner only *read* (e.g. the default VPC/subnet ids moto makes at start, seen via
  ``DescribeVpcs``) and then used is not, and that request fails on replay;
* state that moto advances on reads is not kept (a Glue crawler's state moves on ``ListCrawls``);
* calls signed with the access key ``ak`` are taken for Step Functions' own and not logged;
* nothing is compacted: deleted buckets and objects still replay, and replay time grows with the
  log (measured: ~2-3 ms a request, plus ~0.3-1.5 s once per service touched).

Replay failures are counted and reported (``server.state.report``), never fatal, and the log is
kept as it is. Every request is appended and flushed as it completes, so a killed server keeps its state
(a torn last line from a kill mid-write is dropped on the next start, after a ``.bak`` copy).
A corrupt or unreadable state file raises :class:`StateFileError` (exit 2) and is never
modified. The file is locked while a server uses it. Bodies are stored verbatim (base64 when
binary), so S3 uploads grow the file by ~4/3 of their size.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from .errors import UsageError

STATE_FORMAT = 1
# Access key moto's Step Functions interpreter signs its calls back into the server with.
_SFN_INTERNAL_CREDENTIAL = "Credential=ak/"
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Search", "BatchGet", "Query", "Scan", "Lookup", "Poll")
# Mutating in name only, or time-based state that must not re-run on replay.
_NOT_REPLAYED = {"ReceiveMessage", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "GetActivityTask"}
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Ids moto generates: UUIDs (SQS MessageIds, Athena executions...), EC2/EFS/FSx-style ids, EMR
# cluster ids, S3 multipart UploadIds. Request ids are dropped before matching.
_ID_RE = re.compile(
    r"<UploadId>([^<]+)</UploadId>"
    r"|\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?:i|vol|snap|sg|subnet|vpc|eni|igw|rtb|acl|sir|sfr|fleet|eipalloc|eipassoc|nat|vpce|lt|ami|"
    r"fs|fsmt|fsap|dopt|tgw|r)-[0-9a-f]{8,17}"
    r"|j-[0-9A-Z]{13})\b"
)
_REQUEST_ID_RE = re.compile(r"<(RequestId|requestId|RequestID)>[^<]*</\1>|\"RequestId\"\s*:\s*\"[^\"]*\"")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")
_SIGNATURE_RE = re.compile(r"Signature=[0-9a-fA-F]+")
_UNLOGGED_HEADERS = {"HTTP_CONTENT_LENGTH", "HTTP_X_AMZ_SECURITY_TOKEN"}
_MAX_SCANNED_RESPONSE = 1 << 20


class StateFileError(UsageError):
    """The state file is corrupt, unreadable, or in use (exit 2; the file is left untouched)."""


def _operation(environ: dict, body: bytes) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    for source in (environ.get("QUERY_STRING", ""), body if "form-urlencoded" in environ.get("CONTENT_TYPE", "") else b""):
        if isinstance(source, bytes):
            source = source.decode("utf-8", "replace")
        action = parse_qs(source).get("Action")
        if action:
            return action[0]
    return None


def _is_read(operation: str) -> bool:
    for prefix in _READ_PREFIXES:
        rest = operation[len(prefix):]
        if operation.startswith(prefix) and (not rest or rest[0].isupper()):
            return True
    return False


def should_record(method: str, path: str, operation: str | None, environ: dict) -> bool:
    """True for a request that changes the emulator and should be replayed on restart."""
    if path.startswith("/moto-api/"):
        return method == "POST" and (path.startswith("/moto-api/static/") or path == "/moto-api/config")
    if _SFN_INTERNAL_CREDENTIAL in environ.get("HTTP_AUTHORIZATION", ""):
        return False
    if operation:
        return operation not in _NOT_REPLAYED and not _is_read(operation)
    return method not in _READ_METHODS


def _ids_in(content: bytes) -> list[str]:
    if not content or len(content) > _MAX_SCANNED_RESPONSE:
        return []
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return []
    text = _REQUEST_ID_RE.sub("", text)
    return [m.group(1) or m.group(2) for m in _ID_RE.finditer(text)]


def _receipt_handles(environ: dict, body: bytes) -> list[str]:
    handles: list[str] = []
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("AmazonSQS."):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return []
        if isinstance(data, dict):
            if isinstance(data.get("ReceiptHandle"), str):
                handles.append(data["ReceiptHandle"])
            for entry in data.get("Entries") or []:
                if isinstance(entry, dict) and isinstance(entry.get("ReceiptHandle"), str):
                    handles.append(entry["ReceiptHandle"])
    else:
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        form.update(parse_qs(environ.get("QUERY_STRING", "")))
        for key, values in form.items():
            if key.endswith("ReceiptHandle"):
                handles.extend(values)
    return handles


def _sqs_messages():
    from moto.sqs.models import sqs_backends

    for account in list(sqs_backends.keys()):
        for region in list(sqs_backends[account].keys()):
            for queue in list(sqs_backends[account][region].queues.values()):
                yield from list(queue._messages)


def _message_ids_for(handles: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    if not handles:
        return found
    for message in _sqs_messages():
        for handle in handles:
            if handle not in found and message.had_receipt_handle(handle):
                found[handle] = message.id
    return found


def _encode(body: bytes) -> tuple[str, bool]:
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


@dataclass
class RestoreReport:
    path: Path
    replayed: int = 0
    failed: int = 0
    seconds: float = 0.0
    first_failure: str = ""
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"restored {self.replayed} request(s) from {self.path} in {self.seconds:.1f} s"
        if self.failed:
            text += f"; {self.failed} failed on replay (first: {self.first_failure})"
        return text


class StateLog:
    """The JSON-lines request log: validated and replayed on start, appended to while serving."""

    def __init__(self, path: str | os.PathLike, reset: bool = False):
        self.path = Path(path).expanduser()
        self.report = RestoreReport(self.path)
        self._lock = threading.Lock()
        self._file = None
        self.entries: list[dict] = []
        if reset and self.path.exists():
            self._backup()
            self.path.unlink()
            self.report.notes.append(f"--reset: emptied {self.path} (previous log kept as {self._bak})")
        self._load()

    @property
    def _bak(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    def _backup(self) -> None:
        try:
            shutil.copy2(self.path, self._bak)
        except OSError as err:
            raise StateFileError(f"cannot back up state file {self.path}: {err.strerror or err}.") from None

    def _header(self) -> str:
        from moto import __version__ as moto_version

        return json.dumps({"awslabs_state": STATE_FORMAT, "moto": moto_version, "created": time.time()})

    def _load(self) -> None:
        path = self.path
        if path.is_dir():
            raise StateFileError(f"state file {path} is a directory; give a file path.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not path.exists() or path.stat().st_size == 0
            self._file = open(path, "a+b")  # noqa: SIM115 - kept open (and locked) while serving
        except OSError as err:
            raise StateFileError(f"cannot open state file {path}: {err.strerror or err}.") from None
        self._lock_file()
        if fresh:
            self._write_raw((self._header() + "\n").encode())
            return
        self._file.seek(0)
        raw = self._file.read()
        lines = raw.split(b"\n")
        torn = lines[-1] != b""  # a last line without newline: a write cut short by a kill
        lines = lines if torn else lines[:-1]
        hint = f"fix or move it, or start empty with --reset (which keeps a copy as {self._bak.name})"
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = None
        if not isinstance(header, dict) or "awslabs_state" not in header:
            self._close()
            raise StateFileError(f"{path} is not an awslabs state file (bad first line); {hint}.")
        if header["awslabs_state"] != STATE_FORMAT:
            self._close()
            raise StateFileError(f"{path} has state format {header['awslabs_state']!r}, this awslabs reads {STATE_FORMAT}; {hint}.")
        for number, line in enumerate(lines[1:], start=2):
            try:
                entry = json.loads(line)
                if not isinstance(entry, dict) or "method" not in entry or "path" not in entry:
                    raise ValueError("not a request")
            except ValueError:
                if torn and number == len(lines):
                    self._backup()
                    self._file.truncate(len(raw) - len(lines[-1]))
                    self.report.notes.append(
                        f"dropped a cut-off last request in {path} (the server was killed mid-write; copy in {self._bak})"
                    )
                    break
                self._close()
                raise StateFileError(f"state file {path} is corrupt at line {number}; {hint}.") from None
            self.entries.append(entry)

    def _lock_file(self) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._close()
            raise StateFileError(f"state file {self.path} is in use by another `awslabs serve`; stop it first.") from None

    def _write_raw(self, data: bytes) -> None:
        with self._lock:
            self._file.seek(0, os.SEEK_END)
            self._file.write(data)
            self._file.flush()

    def append(self, entry: dict) -> None:
        if self._file is not None:
            self._write_raw((json.dumps(entry, separators=(",", ":")) + "\n").encode())

    def truncate(self) -> None:
        """After ``POST /moto-api/reset``: the log starts again (old one kept as ``.bak``)."""
        with self._lock:
            if self._file is None:
                return
            self._file.flush()
            shutil.copy2(self.path, self._bak)
            self._file.truncate(0)
            self._file.write((self._header() + "\n").encode())
            self._file.flush()

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()  # also releases the flock
            self._file = None

    close = _close

    # -- replay -------------------------------------------------------------------------------
    def replay(self, app) -> RestoreReport:
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        started = time.perf_counter()
        idmap: dict[str, str] = {}

        def translate(text: str) -> str:
            return _TOKEN_RE.sub(lambda m: idmap.get(m.group(0), m.group(0)), text) if idmap else text

        for entry in self.entries:
            body = base64.b64decode(entry["body"]) if entry.get("b64") else entry.get("body", "").encode("utf-8")
            headers = dict(entry.get("headers") or {})
            rewrite_body = not entry.get("b64") and (entry["method"] != "PUT" or "X-Amz-Target" in headers)
            if idmap and rewrite_body and body:
                body = translate(body.decode("utf-8")).encode("utf-8")
            host = headers.get("Host", "localhost")
            builder = EnvironBuilder(method=entry["method"], base_url=f"http://{host}", headers=headers, data=body)
            environ = builder.get_environ()
            builder.close()
            environ["PATH_INFO"] = translate(entry["path"])
            environ["QUERY_STRING"] = translate(entry.get("query", ""))
            raw_uri = translate(entry.get("raw_uri") or entry["path"])
            environ["RAW_URI"] = environ["REQUEST_URI"] = raw_uri
            for handle, old_id in (entry.get("sqs_handles") or {}).items():
                new_id = idmap.get(old_id, old_id)
                for message in _sqs_messages():
                    if message.id == new_id:
                        message._old_receipt_handles.append(handle)
                        break
            try:
                app_iter, status, _ = run_wsgi_app(app, environ, buffered=True)
                content = b"".join(app_iter)
                code = int(status.split()[0])
            except Exception as err:  # noqa: BLE001 - one bad request must not stop the restore
                code, content = 500, f"{type(err).__name__}: {err}".encode()
            if code >= 400:
                self.report.failed += 1
                if not self.report.first_failure:
                    self.report.first_failure = f"{entry['method']} {entry['path']} {entry.get('op') or ''} -> {code}".strip()
                continue
            self.report.replayed += 1
            old_ids = entry.get("ids") or []
            new_ids = _ids_in(content)
            if len(old_ids) == len(new_ids):
                idmap.update((old, new) for old, new in zip(old_ids, new_ids) if old != new)
        self.report.seconds = time.perf_counter() - started
        self.entries = []  # replayed: free the memory
        return self.report

    # -- recording ----------------------------------------------------------------------------
    def middleware(self, app):
        """Wrap moto's WSGI app: pass every request through, log the mutating 2xx ones."""

        def recording_app(environ, start_response):
            method = environ.get("REQUEST_METHOD", "GET")
            path = environ.get("PATH_INFO", "/")
            if method in _READ_METHODS and not path.startswith("/moto-api/"):
                return app(environ, start_response)  # fast path: reads stream through untouched
            stream = environ["wsgi.input"]
            if environ.get("wsgi.input_terminated") or environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
                body = stream.read()
            else:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = stream.read(length) if length > 0 else b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = False
            operation = _operation(environ, body)
            record = should_record(method, path, operation, environ)
            is_reset = method == "POST" and path == "/moto-api/reset"
            if not (record or is_reset):
                return app(environ, start_response)
            handles = _message_ids_for(_receipt_handles(environ, body)) if operation in ("DeleteMessage", "DeleteMessageBatch") else {}
            captured: dict = {}

            def capture(status, headers, exc_info=None):
                captured["code"] = int(status.split()[0])
                return start_response(status, headers, exc_info)

            result = app(environ, capture)
            try:
                content = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            if captured.get("code", 500) < 300:
                if is_reset:
                    self.truncate()
                else:
                    headers = {
                        key[5:].replace("_", "-").title(): value
                        for key, value in environ.items()
                        if key.startswith("HTTP_") and key not in _UNLOGGED_HEADERS
                    }
                    if "Authorization" in headers:  # moto needs the credential scope, not the signature
                        headers["Authorization"] = _SIGNATURE_RE.sub("Signature=redacted", headers["Authorization"])
                    if environ.get("CONTENT_TYPE"):
                        headers["Content-Type"] = environ["CONTENT_TYPE"]
                    if environ.get("HTTP_X_AMZ_TARGET"):
                        headers["X-Amz-Target"] = environ["HTTP_X_AMZ_TARGET"]
                    text, b64 = _encode(body)
                    entry = {
                        "t": round(time.time(), 3),
                        "method": method,
                        "path": path,
                        "raw_uri": environ.get("RAW_URI") or environ.get("REQUEST_URI") or path,
                        "query": environ.get("QUERY_STRING", ""),
                        "op": operation,
                        "headers": headers,
                        "body": text,
                    }
                    if b64:
                        entry["b64"] = True
                    ids = _ids_in(content)
                    if ids:
                        entry["ids"] = ids
                    if handles:
                        entry["sqs_handles"] = handles
                    self.append(entry)
            return [content]

        return recording_app
