"""Charts as real PNG files: render with matplotlib (Agg, no display), keep a copy for the
learner, upload to S3, and check what came back is a PNG of a sensible size.

The PNG checks read the file itself (signature and IHDR chunk, per the PNG specification,
https://www.w3.org/TR/png/#5PNG-file-signature and #11IHDR), so a check on an object in S3 proves
a picture is there, not just some bytes.
"""
from __future__ import annotations

import struct
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def new_figure(width: float = 6.4, height: float = 4.8, ncols: int = 1, nrows: int = 1):
    """``(fig, axes)`` on the Agg backend (safe on machines without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=(width, height))


def png_bytes(fig, dpi: int = 100) -> bytes:
    """Render the figure as PNG, close it, and return the bytes (cacheable: no file involved)."""
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def save_png(fig, path: Path, dpi: int = 100) -> bytes:
    """Write the figure to ``path`` as PNG, close it, and return the bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = png_bytes(fig, dpi)
    path.write_bytes(data)
    return data


def keep_and_upload(ctx, bucket: str, key: str, data: bytes) -> None:
    """The learner's copy in ``ctx.output_dir`` (same file name) and the S3 object."""
    (ctx.output_dir / Path(key).name).write_bytes(data)
    upload_png(ctx, bucket, key, data)


def is_png(data: bytes) -> bool:
    return data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from the IHDR chunk; ValueError if this is not a PNG."""
    if not is_png(data):
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def describe_png(data: bytes) -> str:
    try:
        w, h = png_size(data)
    except ValueError:
        return f"not a PNG ({len(data)} bytes)"
    return f"PNG {w}x{h}, {len(data):,} bytes"


def looks_like_chart(data: bytes, min_bytes: int = 5_000, min_side: int = 200) -> bool:
    """A PNG big enough to hold a chart (an empty or broken render is tiny)."""
    try:
        w, h = png_size(data)
    except ValueError:
        return False
    return len(data) >= min_bytes and w >= min_side and h >= min_side


def upload_png(ctx, bucket: str, key: str, data: bytes) -> None:
    ctx.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType="image/png")


def check_png_in_s3(ctx, bucket: str, key: str):
    """A Check (emulated: read back from S3) that ``key`` holds a chart-sized PNG; a missing object
    is a failed check that names the key to write, not an error."""
    from awslabs.lab import expect
    from awslabs.labkit import error_code

    name = f"s3://{bucket}/{key} is a PNG chart"
    try:
        body = ctx.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as err:  # noqa: BLE001 - only "not there" is a verdict; anything else is raised
        code = error_code(err)
        if code not in ("NoSuchKey", "NoSuchBucket", "404"):
            raise
        return expect(name, False, f"no object s3://{bucket}/{key} ({code}): write the chart there")
    return expect(name, looks_like_chart(body), describe_png(body))
