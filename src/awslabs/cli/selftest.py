"""``awslabs selftest --mutations``: the mutation pass (``awslabs.mutations``) as a command.

One line per mutant as it finishes (stderr), then the kill rate per lab (stdout, or one JSON
document with ``--json``). Exit 0 only when every mutant that counts was killed by a check of its
own step and nothing was left behind.
"""
from __future__ import annotations

import json
import sys
import time

import click

from ..errors import ExitStatus, UsageError
from . import _catalog, _fail, _settings, handle_errors

VERDICT_MARK = {"killed": "✔", "state-only": "✘", "survived": "✘", "crashed": "✘", "broken": "!", "not-applicable": "-"}


@click.command()
@click.argument("lab_ids", nargs=-1, metavar="LAB...")
@click.option("--all", "run_all", is_flag=True, help="Every lab in the catalogue (those whose extra is installed).")
@click.option("--mutations", is_flag=True, help="Run the mutation pass (the only self-test so far).")
@click.option("--step", "step_id", help="Only the mutants of this step (with one LAB).")
@click.option("--target", type=click.Choice(["moto", "server"]), help="moto (in-process, default) or server.")
@click.option("--endpoint-url", help="Endpoint for --target server.")
@click.option("--json", "as_json", is_flag=True, help="Print every mutant and the kill rates as one JSON document.")
@handle_errors
def selftest(lab_ids, run_all, mutations, step_id, target, endpoint_url, as_json):
    """Prove the labs' checks: break each step (a no-op apply, then each mutation the lab declares
    in MUTATIONS) and require a check of that step to go red on what it observes.

    Never runs on real AWS: a mutant is a deliberately broken run.
    """
    if not mutations:
        raise UsageError("say which self-test: --mutations.")
    catalog = _catalog()
    if run_all == bool(lab_ids):
        raise UsageError("give lab ids or --all (one of them).")
    if step_id and len(lab_ids) != 1:
        raise UsageError("--step needs exactly one LAB.")
    labs = list(catalog) if run_all else [catalog.get(i) for i in lab_ids]
    from ..extras import MissingExtra, require_extra

    for lab in list(labs):
        try:
            require_extra(lab.id, lab.extra)
        except MissingExtra as missing:
            if not run_all:
                raise
            click.echo(f"skipped {lab.id}: {missing}", err=True)
            labs.remove(lab)
    settings = _settings(target or "moto", endpoint_url)
    from ..mutations import COUNTED, kill_rates, mutants_of, run_mutant
    from ..targets import make_target

    tgt = make_target(settings)
    started = time.perf_counter()
    results = []
    for lab in labs:
        for step, mutation, apply in mutants_of(lab, step_id):
            if tgt.name == "moto":
                from moto.moto_api._internal.models import moto_api_backend

                moto_api_backend.reset()
            result = run_mutant(lab, step, mutation, apply, tgt, settings)
            results.append(result)
            why = ", ".join(result.killed_by) if result.killed else result.note
            click.echo(f"{VERDICT_MARK.get(result.verdict, '?')} {lab.id}/{step} [{mutation}] {result.verdict}: {why}"
                       f" ({result.seconds:.1f}s)", err=True)
    rates = kill_rates(results)
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({"seconds": round(seconds, 1), "kill_rates": rates,
                               "mutants": [r.to_dict() for r in results]}, indent=2))
    else:
        width = max([len(k) for k in rates] + [3])
        click.echo(f"{'lab':<{width}}  killed  no-op killed  rate")
        for lab_id, row in rates.items():
            rate = f"{100 * row['killed'] / row['mutants']:.0f} %" if row["mutants"] else "-"
            click.echo(f"{lab_id:<{width}}  {row['killed']:>2}/{row['mutants']:<3}  {row['no_op_killed']:>5}/{row['no_op']:<6}  {rate}")
        total = sum(r["mutants"] for r in rates.values())
        killed = sum(r["killed"] for r in rates.values())
        click.echo(f"{'all':<{width}}  {killed:>2}/{total:<3}  "
                   f"{'':>12}  {100 * killed / total if total else 0:.0f} %  ({seconds:.0f}s)")
    if any(r.leftover or r.swept for r in results):
        _fail("a mutant's cleanup left resources behind (see --json).", ExitStatus.CLEANUP_INCOMPLETE)
    if any(r.verdict in COUNTED and not r.killed or r.verdict == "broken" for r in results):
        sys.exit(ExitStatus.CHECK_FAILED)
    sys.exit(ExitStatus.OK)
