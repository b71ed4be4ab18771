"""kinesis-video-streams: the control plane (stream, data endpoints, HLS session URL) on every
target; media ingestion and playback on AWS only (moto has no media APIs)."""
from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
import urllib.request

from awslabs.lab import StepFailed, equal, expect

RETENTION_HOURS = 24
APIS = ("PUT_MEDIA", "GET_HLS_STREAMING_SESSION_URL")


def _stream(ctx):
    return ctx.name("camera", max_len=256)


def _describe(ctx):
    kv = ctx.client("kinesisvideo")
    names = [s["StreamName"] for s in kv.list_streams().get("StreamInfoList", [])]
    if _stream(ctx) not in names:  # describing an unknown stream is an error: list first
        return None
    return kv.describe_stream(StreamName=_stream(ctx))["StreamInfo"]


def _media_client(ctx, service, endpoint):
    """A client for a media API on the stream's data endpoint (GetDataEndpoint's answer): on AWS
    and in-process moto the media APIs answer only there, not on the control-plane endpoint."""
    if ctx.target_name == "server":
        raise ctx.skip("a moto server does not route kinesis-video-archived-media (it answers 404); "
                       "in-process moto and AWS do")
    # ctx.client() takes no endpoint_url yet (engine change requested): build the client from the
    # target's own session, so the credentials (fake on moto, the learner's on AWS) are the target's.
    return ctx.client(service, endpoint_url=endpoint)


# -- 1 -------------------------------------------------------------------------------------------
def apply_create_stream(ctx):
    ctx.track("kinesisvideo:stream", _stream(ctx))
    ctx.client("kinesisvideo").create_stream(
        StreamName=_stream(ctx), MediaType="video/h264", DataRetentionInHours=RETENTION_HOURS, Tags=ctx.tags)
    for _ in range(60):  # CREATING for a few seconds on AWS, ACTIVE at once on moto
        if (_describe(ctx) or {}).get("Status") == "ACTIVE":
            return
        time.sleep(2)


def check_create_stream(ctx):
    info = _describe(ctx)
    if info is None:
        yield expect("the video stream exists", False, _stream(ctx))
        return
    yield equal("the stream is ACTIVE", info["Status"], "ACTIVE")
    yield equal("it holds H.264 video", info.get("MediaType"), "video/h264")
    # left out, DataRetentionInHours is 0: "the stream does not persist data" (API_CreateStream.html)
    yield equal("fragments are kept 24 hours", info.get("DataRetentionInHours") or 0, RETENTION_HOURS)


# -- 2 -------------------------------------------------------------------------------------------
def _endpoints_file(ctx):
    return ctx.output_dir / "kvs-endpoints.json"


def apply_data_endpoints(ctx):
    kv = ctx.client("kinesisvideo")
    endpoints = {api: kv.get_data_endpoint(StreamName=_stream(ctx), APIName=api)["DataEndpoint"] for api in APIS}
    _endpoints_file(ctx).write_text(json.dumps(endpoints, indent=2))


def check_data_endpoints(ctx):
    path = _endpoints_file(ctx)
    saved = json.loads(path.read_text()) if path.exists() else {}
    yield equal("an endpoint was saved for PUT_MEDIA and for GET_HLS_STREAMING_SESSION_URL", sorted(saved), sorted(APIS))
    if saved:
        hosts = {api: urllib.parse.urlparse(url).hostname or "" for api, url in saved.items()}
        yield expect("both are HTTPS endpoints of Kinesis Video in the lab's region",
                     all(u.startswith("https://") for u in saved.values())
                     and all(h.endswith(f".kinesisvideo.{ctx.region}.amazonaws.com") for h in hosts.values()),
                     json.dumps(hosts))


# -- 3 (AWS only) --------------------------------------------------------------------------------
def _ingest_command(ctx) -> str:
    return (
        "gst-launch-1.0 -v videotestsrc is-live=true num-buffers=900 "
        "! video/x-raw,format=I420,width=640,height=480,framerate=30/1 "
        "! x264enc bframes=0 key-int-max=45 bitrate=500 tune=zerolatency "
        "! video/x-h264,stream-format=avc,alignment=au,profile=baseline "
        f"! h264parse ! kvssink stream-name={_stream(ctx)} aws-region={ctx.region}"
    )


def _fragments(ctx):
    endpoint = ctx.client("kinesisvideo").get_data_endpoint(StreamName=_stream(ctx), APIName="LIST_FRAGMENTS")["DataEndpoint"]
    archived = _media_client(ctx, "kinesis-video-archived-media", endpoint)
    now = dt.datetime.now(dt.timezone.utc)
    return archived.list_fragments(StreamName=_stream(ctx), FragmentSelector={
        "FragmentSelectorType": "SERVER_TIMESTAMP",
        "TimestampRange": {"StartTimestamp": now - dt.timedelta(hours=1), "EndTimestamp": now}}).get("Fragments", [])


def apply_ingest_media(ctx):
    script = ctx.output_dir / "ingest.sh"
    script.write_text("#!/bin/sh\n# needs the KVS Producer SDK's kvssink GStreamer plugin and AWS credentials\n"
                      + _ingest_command(ctx) + "\n")
    for _ in range(20):  # the learner runs ingest.sh now; wait up to 5 minutes for fragments
        if _fragments(ctx):
            return
        time.sleep(15)
    raise StepFailed(f"no fragments arrived: run {script} (30 s of test pattern), then run the lab again")


def check_ingest_media(ctx):
    yield expect("fragments of the test pattern are stored in the stream", len(_fragments(ctx)) > 0,
                 f"{len(_fragments(ctx))} fragments")


# -- 4 -------------------------------------------------------------------------------------------
def _session_file(ctx):
    return ctx.output_dir / "hls-session.json"


def apply_hls_session(ctx):
    endpoint = json.loads(_endpoints_file(ctx).read_text())["GET_HLS_STREAMING_SESSION_URL"]
    archived = _media_client(ctx, "kinesis-video-archived-media", endpoint)
    now = dt.datetime.now(dt.timezone.utc)
    url = archived.get_hls_streaming_session_url(
        StreamName=_stream(ctx), PlaybackMode="ON_DEMAND",
        HLSFragmentSelector={"FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": {
            "StartTimestamp": now - dt.timedelta(hours=1), "EndTimestamp": now}},
        Expires=300,
    )["HLSStreamingSessionURL"]
    _session_file(ctx).write_text(json.dumps({"endpoint": endpoint, "url": url}, indent=2))


def check_hls_session(ctx):
    session = json.loads(_session_file(ctx).read_text()) if _session_file(ctx).exists() else {}
    url = session.get("url", "")
    yield expect("the session URL is on the stream's HLS data endpoint",
                 bool(url) and url.startswith(session["endpoint"]), url[:80])
    yield expect("it points at a master playlist with a session token",
                 "getHLSMasterPlaylist.m3u8" in url and "SessionToken=" in url, urllib.parse.urlparse(url).path)


# -- 5 (AWS only) --------------------------------------------------------------------------------
def apply_playback(ctx):
    url = json.loads(_session_file(ctx).read_text())["url"]
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - an AWS https URL
        (ctx.output_dir / "master.m3u8").write_bytes(response.read())


def check_playback(ctx):
    path = ctx.output_dir / "master.m3u8"
    text = path.read_text() if path.exists() else ""
    yield expect("the master playlist is an HLS playlist (#EXTM3U) naming a media playlist",
                 text.startswith("#EXTM3U") and "getHLSMediaPlaylist.m3u8" in text, text[:60])
