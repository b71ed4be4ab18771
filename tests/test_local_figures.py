"""awslabs.local.figures: PNG files drawn with matplotlib and recognised by their header."""
from __future__ import annotations

import pytest

from awslabs.local import figures


def test_saved_figure_is_a_png_of_the_requested_size(tmp_path):
    fig, ax = figures.new_figure(4, 3)
    ax.plot([0, 1, 2], [1, 0, 1])
    data = figures.save_png(fig, tmp_path / "sub" / "chart.png", dpi=100)
    assert (tmp_path / "sub" / "chart.png").read_bytes() == data
    assert figures.is_png(data)
    assert figures.png_size(data) == (400, 300)
    assert figures.looks_like_chart(data, min_bytes=1000)
    assert figures.describe_png(data).startswith("PNG 400x300")


def test_non_png_bytes_are_recognised():
    assert not figures.is_png(b"GIF89a" + b"\0" * 30)
    assert not figures.looks_like_chart(b"")
    assert figures.describe_png(b"hello") == "not a PNG (5 bytes)"


@pytest.mark.filterwarnings("ignore:Tight layout not applied")
def test_a_tiny_png_is_not_a_chart(tmp_path):
    fig, _ = figures.new_figure(0.5, 0.5)
    data = figures.save_png(fig, tmp_path / "tiny.png", dpi=100)
    assert figures.is_png(data) and not figures.looks_like_chart(data)


def test_a_missing_chart_is_a_failed_check_naming_the_key():
    import boto3
    from moto import mock_aws
    from types import SimpleNamespace

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="charts")
        ctx = SimpleNamespace(client=lambda name: s3)
        check = figures.check_png_in_s3(ctx, "charts", "figures/curve.png")
    assert not check.ok and "s3://charts/figures/curve.png" in check.message
