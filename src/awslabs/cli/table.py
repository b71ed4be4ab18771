"""The `awslabs list` table, in plain text.

`awslabs list` is the command people type most, so it does not import rich (about 80 ms of a
cold start on a 2-core machine): one aligned line per lab, cut to the terminal's width, the lab id
in bold on a terminal. `awslabs show LAB` and `awslabs list --json` give every field.
"""
from __future__ import annotations

import shutil

import click

COLUMNS = ("id", "extra", "min", "exam domain", "title")


def _cells(lab) -> tuple[str, ...]:
    return (lab.id, lab.extra, str(lab.minutes), lab.domain, lab.title)


def lab_list(labs, color: bool = False, width: int | None = None) -> str:
    width = width or shutil.get_terminal_size((120, 24)).columns
    rows = [_cells(lab) for lab in labs]
    widths = [max(len(COLUMNS[i]), *(len(r[i]) for r in rows)) if rows else len(COLUMNS[i]) for i in range(4)]

    def line(cells, bold_first=False):
        head = "  ".join(cell.ljust(w) for cell, w in zip(cells[:4], widths))
        text = f"{head}  {cells[4]}"
        if len(text) > width:
            text = text[: max(width - 1, len(head))] + "…"
        if bold_first and color:
            text = click.style(cells[0], bold=True) + text[len(cells[0]):]
        return text

    out = [f"awslabs — {len(labs)} labs (extra: what to install beyond the core; `awslabs show LAB` for more)"]
    out.append(line(COLUMNS))
    out.extend(line(r, bold_first=True) for r in rows)
    return "\n".join(out)
