"""The ``awslabs`` command: parse, call the library, render. Nothing else lives here.

Results go to stdout, everything else (progress, notes, errors) to stderr; ``--json`` prints one
JSON document and nothing else on stdout. Library errors become one line and a documented exit
code (see ``awslabs.errors.ExitStatus``); no traceback reaches the user.

Importing this module must stay cheap: ``awslabs list`` and ``--help`` never import boto3, moto or
ML libraries (``tests/test_cli.py`` checks), so every heavy import is inside a command.
"""
from __future__ import annotations

import functools
import json
import os
import sys

import click

from .. import __version__
from ..errors import AwslabsError, ExitStatus, UsageError

EXIT_CODES_HELP = (
    "Exit codes: 0 all checks passed, 1 a check failed, 2 usage error, 3 cleanup incomplete, "
    "4 target unavailable or refused, 130 interrupted."
)


_json_printed = False  # --json: a document is on stdout already (never print a second one)


def _echo_json(data, sort_keys: bool = False) -> None:
    """Print the one JSON document of a ``--json`` command."""
    global _json_printed
    click.echo(json.dumps(data, indent=2, sort_keys=sort_keys))
    _json_printed = True


def _json_error(message: str, status: int) -> None:
    """``--json`` on an early error: one document saying what and the exit code, so a parser in CI
    never reads an empty stdout."""
    if not _json_printed:
        _echo_json({"error": message, "exit_code": int(status)})


def _fail(message: str, status: int) -> None:
    click.echo(f"awslabs: {message}", err=True)
    sys.exit(int(status))


def _environment_problem(err: OSError) -> AwslabsError | None:
    """A file-system or network error that escaped the up-front checks, as the usage (2) or target
    (4) problem it is: it says what to fix, never "internal error" with exit 1."""
    from ..errors import TargetUnavailable

    if isinstance(err, ConnectionError):
        return TargetUnavailable(f"lost the connection ({err}): is the endpoint still running?")
    if isinstance(err, (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError, FileExistsError)):
        where = f" {err.filename}" if err.filename else ""
        return UsageError(f"cannot use{where} ({err.strerror or type(err).__name__}): check AWSLABS_HOME and the paths given.")
    return None


def handle_errors(fn):
    """Turn library errors, Ctrl-C and unexpected crashes into one line and an exit code (and,
    with ``--json``, one JSON document ``{"error": ..., "exit_code": N}`` on stdout)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        as_json = bool(kwargs.get("as_json"))

        def fail(message, status):
            if as_json:
                _json_error(message, status)
            _fail(message, status)

        try:
            return fn(*args, **kwargs)
        except AwslabsError as err:
            fail(f"error: {err}", err.exit_status)
        except KeyboardInterrupt:
            fail("interrupted.", ExitStatus.INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except OSError as err:
            problem = _environment_problem(err)
            if problem is None:
                raise
            fail(f"error: {problem}", problem.exit_status)
        except Exception as err:  # noqa: BLE001 - last resort: one line, never a traceback
            if os.environ.get("AWSLABS_DEBUG"):
                raise
            text = str(err).splitlines()[0] if str(err) else ""
            fail(
                f"internal error: {type(err).__name__}: {text} (set AWSLABS_DEBUG=1 for the traceback "
                "and please report it)",
                ExitStatus.CHECK_FAILED,
            )

    return wrapper


class _Main(click.Group):
    """click reports a bad option itself (exit 2) before any command runs; with ``--json`` that
    report is also one JSON document on stdout."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        if "--json" not in argv or not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            status = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as err:
            _json_error(f"error: {err.format_message()}", err.exit_code)
            err.show()
            sys.exit(err.exit_code)
        except click.exceptions.Abort:
            _json_error("interrupted.", ExitStatus.INTERRUPTED)
            _fail("interrupted.", ExitStatus.INTERRUPTED)
        sys.exit(status if isinstance(status, int) else 0)


def target_options(fn):
    """--target / --endpoint-url / --region, defined once for every command that needs them."""
    fn = click.option("--region", help="AWS region (default: AWSLABS_REGION or us-east-1).")(fn)
    fn = click.option(
        "--endpoint-url",
        help="Endpoint for --target server (default: AWSLABS_ENDPOINT_URL or http://127.0.0.1:5000).",
    )(fn)
    fn = click.option(
        "--target",
        type=click.Choice(["moto", "server", "aws"]),
        help="moto (in-process, default), server (an AWS-compatible endpoint) or aws (real, allow-listed).",
    )(fn)
    return fn


def _settings(target=None, endpoint_url=None, region=None, check_home=True):
    """Settings from flags > environment > .env, and an unusable AWSLABS_HOME diagnosed up front
    (before anything connects or is created)."""
    from ..settings import Settings, check_home as home_is_usable

    settings = Settings.load(target=target, endpoint_url=endpoint_url, region=region)
    if check_home:
        home_is_usable(settings.home)
    return settings


def _catalog():
    from ..catalog import Catalog

    catalog = Catalog()
    catalog.labs  # noqa: B018 - load now so problems are known
    for problem in catalog.problems:
        click.echo(f"awslabs: note: skipped a broken lab: {problem}", err=True)
    return catalog


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="awslabs")
def main():
    """Scripted, self-checking, hands-on labs for the AWS machine-learning stack.

    Labs run on moto in-process by default (free, offline, no credentials), against any
    AWS-compatible endpoint (`awslabs serve`), or on a real, allow-listed sandbox account.
    """


@main.command("list")
@click.option("--exam", metavar="CODE", help="Only the labs that practise this exam's task statements "
              "(mla-c01, mls-c01), grouped by the exam's domains.")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as one JSON document.")
@handle_errors
def list_labs(exam, as_json):
    """List every lab: id, the extra it needs, minutes, exam domain, title."""
    labs = list(_catalog())
    if exam:
        from .exam_views import list_by_exam

        click.echo(list_by_exam(exam, labs, as_json=as_json, color=_stdout_color()))
        return
    if as_json:
        rows = [
            {
                "id": lab.id,
                "title": lab.title,
                "domain": lab.domain,
                "services": list(lab.services),
                "minutes": lab.minutes,
                "cost": lab.cost,
                "summary": lab.summary,
                "steps": [s.id for s in lab.steps],
                "extra": lab.extra,
                "exam": {code: list(tasks) for code, tasks in lab.exam},
            }
            for lab in labs
        ]
        _echo_json(rows)
        return
    from .table import lab_list

    click.echo(lab_list(labs, color=_stdout_color()))


def _stdout_color() -> bool:
    """Colour only on a terminal and without NO_COLOR (what rich decides for the other commands)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@main.command()
@click.option("--exam", "exam_code", default="mla-c01", show_default=True, metavar="CODE",
              help="The exam whose task statements to list (mla-c01, mls-c01).")
@click.option("--json", "as_json", is_flag=True, help="Print the coverage as one JSON document.")
@handle_errors
def coverage(exam_code, as_json):
    """Every task statement of an exam guide with the labs that practise it, and what nothing
    covers yet."""
    from .exam_views import coverage_report

    click.echo(coverage_report(exam_code, list(_catalog()), as_json=as_json))


@main.command()
@click.argument("lab_id", metavar="LAB")
@handle_errors
def show(lab_id):
    """Show a lab's guide: why, each step, exam notes, what differs on real AWS — and its practice
    objectives, the same list `awslabs start` prints (ids, titles, names to use)."""
    lab = _catalog().get(lab_id)
    from ..practice import outline
    from .render import show_lab, stdout

    show_lab(stdout(), lab, outline(lab, _settings(check_home=False)))


@main.command()
@click.argument("lab_ids", nargs=-1, metavar="LAB...")
@click.option("--all", "run_all", is_flag=True, help="Run every lab in the catalogue.")
@target_options
@click.option("--keep", is_flag=True, help="Keep the resources (no cleanup); `awslabs cleanup` removes them later.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on the aws target.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report(s) as one JSON document.")
@click.option("--prove", is_flag=True, help="Also run each step's checks before it, to show they fail then.")
@handle_errors
def run(lab_ids, run_all, target, endpoint_url, region, keep, yes, as_json, prove):
    """Run labs: each step, then its checks (✔/✘, why, and what verified it), then clean up.

    A check that needs the real service is reported as skipped with its reason and does not fail
    the run. Exit 0 only when every check that ran passed.
    """
    catalog = _catalog()
    if run_all and lab_ids:
        raise UsageError("give lab ids or --all, not both.")
    if not run_all and not lab_ids:
        raise UsageError("name a lab to run (see `awslabs list`) or pass --all.")
    labs = list(catalog) if run_all else [catalog.get(i) for i in lab_ids]
    from ..extras import MissingExtra, require_extra

    # A lab whose extra is not installed is refused before anything connects or is created: a
    # named lab exits 4 with the install command; in --all it is reported as skipped, never passed.
    not_installed: list[MissingExtra] = []
    for lab in list(labs):
        try:
            require_extra(lab.id, lab.extra)
        except MissingExtra as missing:
            if not run_all:
                raise
            not_installed.append(missing)
            labs.remove(lab)
    settings = _settings(target, endpoint_url, region)
    from . import render

    err = render.stderr()
    for missing in not_installed:
        err.print(f"skipped {missing.lab_id}: {render.escape(str(missing))}", soft_wrap=True)
    render.note_real_credentials(err, settings)
    with render.status(err, f"connecting to the {settings.target} target"):
        from ..targets import make_target

        tgt = make_target(settings)
    if tgt.name == "aws":
        render.confirm_plan(err, tgt, labs, yes, action="create")
    from ..runner import Interrupted, run_lab

    reports = []
    out = render.stdout()
    for lab in labs:
        if not as_json:
            render.run_header(out, lab, tgt)
        try:
            report = run_lab(
                lab,
                tgt,
                settings=settings,
                keep=keep,
                prove=prove,
                on_step=None if as_json else functools.partial(render.step_line, out, prove=prove),
            )
        except Interrupted as interrupted:
            report = interrupted.report
            reports.append(report)
            if as_json:
                _echo_json(_json_reports(reports))
            else:
                render.run_summary(out, report)
            _fail(
                f"interrupted: cleaned up {len(report.cleanup.deleted)} resource(s), "
                f"{len(report.cleanup.leftover)} left (see `awslabs cleanup`).",
                ExitStatus.INTERRUPTED,
            )
        reports.append(report)
        if not as_json:
            render.run_summary(out, report)
    skipped = [{"lab": m.lab_id, "status": "skipped", "passed": False, "extra": m.extra, "reason": str(m)}
               for m in not_installed]
    if as_json:
        data = _json_reports(reports) if not skipped else [r.to_dict() for r in reports] + skipped
        _echo_json(data)
    elif len(reports) + len(skipped) > 1:
        render.overall_summary(out, reports, skipped)
    if any(r.cleanup.leftover for r in reports):
        _fail("cleanup incomplete: run `awslabs cleanup --all` to retry.", ExitStatus.CLEANUP_INCOMPLETE)
    if not all(r.passed for r in reports):
        sys.exit(ExitStatus.CHECK_FAILED)
    if skipped:
        _fail(f"{len(skipped)} lab(s) skipped: their extra is not installed (see above).",
              ExitStatus.TARGET_UNAVAILABLE)
    sys.exit(ExitStatus.OK)


def _json_reports(reports):
    data = [r.to_dict() for r in reports]
    return data[0] if len(data) == 1 else data


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port; the one it got is printed).")
@click.option(
    "--state",
    "state_file",
    metavar="FILE",
    help="Keep the emulator's state in FILE across restarts (a JSON-lines log of the requests that "
    "changed it, replayed on start). Default: AWSLABS_STATE_FILE; without it, in memory only.",
)
@click.option("--reset", is_flag=True, help="Start empty: empty the --state file first (a copy is kept as FILE.bak).")
@handle_errors
def serve(host, port, state_file, reset):
    """Start a moto server for hands-on practice and for `--target server`.

    Step Functions executions really run; the request log is quiet. Stop it with Ctrl-C.
    With --state FILE what you create survives a restart; --reset starts empty.
    """
    from ..serve import start_server
    from ..settings import Settings

    if state_file is None:
        state_file = Settings.load().state_file
    import signal
    import time

    # A plain flag, not threading.Event: a SIGTERM handler that calls Event.set() while the main
    # thread is inside Event.wait() holding the same lock deadlocks (measured: `serve` then never
    # stopped when SIGTERM came right after start). Installed before the server starts and prints.
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    server = start_server(host, port, state_file=state_file or None, reset=reset)
    port = server.get_host_and_port()[1]  # the port it got (--port 0 asks for any free one)
    if state_file:
        for note in server.state.report.notes:
            click.echo(f"awslabs: {note}", err=True)
        click.echo(f"awslabs: {server.state.report.summary()}; recording to {server.state.path}", err=True)
    url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    click.echo(f"export AWS_ENDPOINT_URL={url}")
    click.echo(f"export AWSLABS_ENDPOINT_URL={url}")
    click.echo(f"# e.g.  aws --endpoint-url {url} s3 ls")
    click.echo("# e.g.  awslabs run s3-storage-classes --target server")
    sys.stdout.flush()
    click.echo(f"awslabs: moto server listening on {url} (Ctrl-C to stop)", err=True)
    try:
        while not stopping:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    click.echo("awslabs: server stopped.", err=True)


@main.command()
@click.option("--run", "run_id", help="Only the resources of this run id (exact).")
@click.option("--lab", "lab_id", help="Only the resources of this lab (an exact lab id).")
@click.option("--all", "clean_all", is_flag=True, help="Everything the ledger still lists (runs still in flight are skipped).")
@click.option("--sweep", is_flag=True, help="Also find leftovers on the target by awslabs tags and names; shows them and asks first.")
@click.option("--practice", is_flag=True, help="Include practice resources (awslabs-<lab>-practice-…, your own work).")
@target_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (sweep, and the aws target).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON document.")
@handle_errors
def cleanup(run_id, lab_id, clean_all, sweep, practice, target, endpoint_url, region, yes, as_json):
    """Delete what labs left behind: ledger entries (in dependency order), and with --sweep
    anything tagged or named by awslabs for exactly the run/lab asked for. Idempotent; safe to
    repeat. Practice resources and runs still in flight are left alone."""
    if not (run_id or lab_id or clean_all or sweep):
        raise UsageError("say what to clean up: --run ID, --lab LAB, --all, or --sweep.")
    if clean_all and (run_id or lab_id):
        raise UsageError("--all means every run and lab: give it alone, or narrow with --run/--lab instead.")
    settings = _settings(target, endpoint_url, region)
    from dataclasses import replace

    from ..cleanup import PRACTICE_RUN, CleanupResult, delete_entries, delete_found, live_runs
    from ..cleanup import sweep as find_leftovers
    from ..errors import NotAnAwsEndpoint, TargetUnavailable
    from ..ledger import Ledger
    from ..settings import check_region
    from ..targets import make_target
    from . import render

    err = render.stderr()
    ledger = Ledger.for_home(settings.home)
    recorded = ledger.pending()
    for problem in ledger.problems:
        err.print(f"[yellow]note:[/] {render.escape(problem)}", markup=True, highlight=False)
    if lab_id:
        _known_lab(lab_id, {e.lab for e in recorded})
    entries = [e for e in recorded if (not run_id or e.run == run_id) and (not lab_id or e.lab == lab_id)]
    if not (practice or run_id == PRACTICE_RUN):
        entries = [e for e in entries if e.run != PRACTICE_RUN]  # the learner's own work
    in_flight = live_runs(recorded)
    for run in sorted(in_flight & {e.run for e in entries}):
        pid = next(e.pid for e in entries if e.run == run and e.pid)
        err.print(f"note: skipped run {run}: still running (pid {pid}); it deletes its own resources when it "
                  "ends. Stop it first to clean it up here.", highlight=False)
    entries = [e for e in entries if e.run not in in_flight]
    total = CleanupResult()
    unreachable: dict[str, int] = {}
    groups: dict[tuple, list] = {}
    for entry in entries:
        groups.setdefault((entry.target, entry.endpoint, entry.region), []).append(entry)
    for (tgt_name, endpoint, entry_region), group in groups.items():
        if tgt_name == "moto":  # in-process state died with its process: nothing to delete
            for entry in group:
                ledger.record_deleted(entry)
            continue
        where = endpoint or f"{tgt_name} {entry_region}"
        try:
            check_region(entry_region, tgt_name)
            tgt = make_target(replace(settings, target=tgt_name, region=entry_region,
                                      endpoint_url=endpoint or settings.endpoint_url))
        except (UsageError, NotAnAwsEndpoint) as why:
            # No create call can have succeeded there (a region that does not exist, an endpoint
            # that is not AWS): the record is cleared as gone, and said so.
            for entry in group:
                ledger.record_deleted(entry)
                total.notes.append({"kind": entry.kind, "id": entry.id,
                                    "note": f"never created: {why}; the ledger entry is cleared"})
            continue
        except TargetUnavailable as why:
            unreachable[where] = unreachable.get(where, 0) + len(group)
            total.leftover += [{"kind": e.kind, "id": e.id, "error": f"could not reach {where}: {why}"} for e in group]
            continue
        if tgt.name == "aws":
            render.confirm_plan(err, tgt, None, yes, action="delete", entries=group)
        total.merge(delete_entries(tgt, group, ledger))
    if sweep:
        tgt = make_target(settings)
        found = find_leftovers(tgt, run=run_id, lab=lab_id, include_practice=practice, exclude_runs=in_flight)
        if found:
            if tgt.name == "aws":
                render.confirm_plan(err, tgt, None, yes, action="delete", found=found)
            else:
                _confirm_sweep(tgt, found, yes)
        total.merge(delete_found(tgt, found, ledger))
    if as_json:
        _echo_json(total.to_dict())
    else:
        render.cleanup_result(render.stdout(), total)
    for where, count in unreachable.items():
        click.echo(f"awslabs: note: could not reach {where}: {count} resource(s) recorded there were not "
                   "deleted; start it again and rerun `awslabs cleanup`.", err=True)
    if total.leftover:
        _fail(f"cleanup incomplete: {len(total.leftover)} resource(s) could not be deleted.", ExitStatus.CLEANUP_INCOMPLETE)


def _known_lab(lab_id: str, recorded_labs: set[str]) -> None:
    """``--lab`` must name a lab exactly: one in the catalogue, or one the ledger records."""
    import difflib

    from ..errors import UnknownLab

    known = {lab.id for lab in _catalog()} | (recorded_labs - {"?"})
    if lab_id not in known:
        raise UnknownLab(lab_id, difflib.get_close_matches(lab_id, sorted(known), n=3, cutoff=0.4)
                         or sorted(k for k in known if k.startswith(lab_id))[:3])


def _confirm_sweep(tgt, found, yes: bool) -> None:
    """The sweep deletes what it finds, not what was recorded: show it, and ask (as the aws
    target does) unless --yes; without a terminal, refuse rather than guess."""
    where = tgt.endpoint_url or tgt.name
    click.echo(f"the sweep found {len(found)} resource(s) on {where} (awslabs tags or names, exact run/lab ids):", err=True)
    for kind, rid in found:
        click.echo(f"  delete {kind} {rid}", err=True)
    if yes:
        return
    from ..errors import TargetUnavailable

    if not sys.stdin.isatty() or os.environ.get("CI"):
        raise TargetUnavailable("refusing to sweep without confirmation: stdin is not a terminal; "
                                "re-run with --yes if you mean it.")
    if not click.confirm(f"Delete these {len(found)} resource(s)?", default=False, err=True):
        raise TargetUnavailable("cancelled: nothing was swept.")


@main.command()
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print the diagnosis as one JSON document.")
@handle_errors
def doctor(target, endpoint_url, region, as_json):
    """Check the setup: target, credentials, account, region, allow-list, server, versions."""
    from ..doctor import diagnose

    settings = _settings(target, endpoint_url, region, check_home=False)  # diagnosed below, as a finding
    findings, ok = diagnose(settings)
    if as_json:
        _echo_json({"ok": ok, "findings": findings})
    else:
        from .render import doctor_table, stdout

        stdout().print(doctor_table(findings))
    home = next((f for f in findings if f["what"] == "AWSLABS_HOME" and f["status"] == "error"), None)
    if home:
        _fail(f"error: {home['fix']}", ExitStatus.USAGE)
    if not ok:
        fix = next((f["fix"] for f in findings if f.get("fix") and f["status"] == "error"), "")
        _fail(f"the {settings.target} target is not usable: {fix}", ExitStatus.TARGET_UNAVAILABLE)


# -- practice mode: the learner builds, awslabs checks -----------------------------------------------
def _practice_settings(target, endpoint_url, region):
    """Practice needs a target that outlives one command: the server unless told otherwise."""
    return _settings(target or os.environ.get("AWSLABS_TARGET") or "server", endpoint_url, region)


def _practice_target(target, endpoint_url, region):
    settings = _practice_settings(target, endpoint_url, region)
    from ..practice import require_practice_target
    from ..targets import make_target
    from . import render

    tgt = make_target(settings)
    require_practice_target(tgt)
    return settings, tgt, render


@main.command()
@click.argument("lab_id", metavar="LAB")
@target_options
@click.option("--dir", "workdir", type=click.Path(file_okay=False), default="awslabs-practice",
              show_default=True, help="Work folder for the starter files.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on the aws target.")
@click.option("--json", "as_json", is_flag=True, help="Print the task as one JSON document.")
@handle_errors
def start(lab_id, target, endpoint_url, region, workdir, yes, as_json):
    """Start practising a lab by hand: set up what the task presupposes, print the objectives and
    the names to use, and write starter files into a work folder. Default target: the server."""
    from pathlib import Path

    lab = _catalog().get(lab_id)
    settings, tgt, render = _practice_target(target, endpoint_url, region)
    if tgt.name == "aws":
        render.confirm_plan(render.stderr(), tgt, [lab], yes, action="create")
    from ..practice import start as start_lab

    with render.status(render.stderr(), f"preparing {lab.id}"):
        result = start_lab(lab, tgt, settings, Path(workdir))
    if as_json:
        _echo_json(result.to_dict())
    else:
        render.practice_task(render.stdout(), lab, result, tgt)


@main.command()
@click.argument("lab_ids", nargs=-1, metavar="LAB...")
@click.option("--all", "check_all", is_flag=True, help="Check every lab (for instructors and CI).")
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON document.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), help="Also write JUnit XML to FILE.")
@click.option("--watch", is_flag=True, help="Check again every --interval seconds and print only what changed; "
              "stops when everything passes (exit 0) or at Ctrl-C (exit 130). With --json: one JSON document "
              "per check, one per line (JSON Lines).")
@click.option("--interval", type=click.FloatRange(min=0.5), default=10.0, show_default=True, metavar="S",
              help="Seconds between two checks with --watch.")
@handle_errors
def check(lab_ids, check_all, target, endpoint_url, region, as_json, junit_file, watch, interval):
    """Check what you built: run the lab's checks against the target (no apply steps of yours),
    show ✔/✘ per objective with the reason and what to look at, a score N/M, and record progress.

    `--watch` keeps checking one lab while you work and prints only what changed since the last
    check (newly passing, newly failing objectives)."""
    catalog = _catalog()
    if check_all and lab_ids:
        raise UsageError("give lab ids or --all, not both.")
    if not check_all and not lab_ids:
        raise UsageError("name a lab to check (see `awslabs list`) or pass --all.")
    if watch and (check_all or len(lab_ids) != 1 or junit_file):
        raise UsageError("--watch checks one lab: give exactly one lab id (no --all, no --junit).")
    labs = list(catalog) if check_all else [catalog.get(i) for i in lab_ids]
    settings, tgt, render = _practice_target(target, endpoint_url, region)
    from ..practice import check as check_lab

    if watch:
        _watch(labs[0], tgt, settings, render, interval, as_json)

    reports = []
    out = render.stdout()
    for lab in labs:
        with render.status(render.stderr(), f"checking {lab.id}"):
            report = check_lab(lab, tgt, settings)
        reports.append(report)
        if not as_json:
            render.practice_report(out, report)
    if junit_file:
        from ..junit import write_junit

        write_junit(reports, junit_file)
    if as_json:
        data = [r.to_dict() for r in reports]
        summary = {"labs": len(reports), "passed": sum(r.passed for r in reports),
                   "score": {"passed": sum(r.score[0] for r in reports), "total": sum(r.score[1] for r in reports)}}
        _echo_json(data[0] if len(data) == 1 and not check_all else {"summary": summary, "labs": data})
    elif len(reports) > 1:
        render.practice_summary(out, reports)
    sys.exit(ExitStatus.OK if all(r.passed for r in reports) else ExitStatus.CHECK_FAILED)


def _watch(lab, tgt, settings, render, interval: float, as_json: bool) -> None:
    """`check --watch`: check, print what changed, wait, again; exit 0 once everything passes,
    130 at Ctrl-C. With --json each check is one compact JSON document on its own line."""
    import time

    from ..practice import changes, check as check_lab

    out = render.stdout()
    previous = None
    try:
        while True:
            report = check_lab(lab, tgt, settings)
            diff = changes(previous, report)
            if as_json:
                click.echo(json.dumps({**report.to_dict(), **diff, "first": previous is None}))
            elif previous is None:
                render.practice_report(out, report)
                if not report.passed:
                    render.watching(out, lab.id, interval)
            else:
                render.practice_changes(out, report, diff)
            sys.stdout.flush()
            if report.passed:
                sys.exit(ExitStatus.OK)
            previous = report
            time.sleep(interval)
    except KeyboardInterrupt:
        if as_json:
            click.echo(json.dumps({"stopped": "interrupted", "exit_code": int(ExitStatus.INTERRUPTED)}))
        _fail("stopped watching (Ctrl-C).", ExitStatus.INTERRUPTED)


@main.command()
@click.argument("lab_id", metavar="LAB")
@click.argument("step", required=False)
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print the hint as one JSON document.")
@handle_errors
def hint(lab_id, step, target, endpoint_url, region, as_json):
    """Give the next hint for a lab's task (or STEP): first a nudge, then the API calls, then the
    exact AWS CLI commands. Hints used are counted in your progress."""
    lab = _catalog().get(lab_id)
    settings = _practice_settings(target, endpoint_url, region)
    from ..practice import hint as next_hint
    from . import render

    tgt = _offline_target(settings)
    with render.status(render.stderr(), "preparing the hint"):
        result = next_hint(lab, settings, tgt, step)
    if as_json:
        _echo_json(result.to_dict())
    else:
        render.practice_hint(render.stdout(), result)


@main.command()
@click.argument("lab_id", metavar="LAB")
@click.option("--reveal", is_flag=True, help="Show it even though you have not passed the lab yet.")
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print the solution as one JSON document.")
@click.option("--format", "fmt", type=click.Choice(["text", "sh"]), default="text", show_default=True,
              help="sh: the whole solution as one runnable bash script (AWS CLI, Python parts as heredocs).")
@handle_errors
def solution(lab_id, reveal, target, endpoint_url, region, as_json, fmt):
    """Show the reference solution: each step as runnable Python (the lab's own code) and as AWS
    CLI commands. Shown once you have passed the lab, or with --reveal. `--format sh` prints one
    bash script to run from the work folder: `awslabs solution LAB --reveal --format sh > solution.sh`."""
    lab = _catalog().get(lab_id)
    settings = _practice_settings(target, endpoint_url, region)
    from ..practice import solution as lab_solution
    from . import render

    if fmt == "sh":
        if as_json:
            raise UsageError("--format sh prints a script; leave out --json.")
        from ..practice import solution_script

        click.echo(solution_script(lab, settings, _offline_target(settings), reveal), nl=False)
        return
    result = lab_solution(lab, settings, _offline_target(settings), reveal)
    if as_json:
        _echo_json(result.to_dict())
    else:
        render.practice_solution(render.stdout(), result)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print progress as one JSON document.")
@click.option("--html", "html_file", metavar="FILE", help="Write a self-contained readiness page to FILE: labs "
              "passed per exam domain, exam scores over time, weakest task statements (--json then prints its data).")
@click.option("--exam", "exam_code", default="mla-c01", show_default=True, metavar="CODE",
              help="The exam the readiness page is for.")
@handle_errors
def progress(as_json, html_file, exam_code):
    """Show your practice progress per target and account: started, score, passed, hints used."""
    from ..practice import Progress

    home = _settings().home
    data = Progress(home)
    if data.problem:
        click.echo(f"awslabs: note: {data.problem}", err=True)
    if html_file:
        from pathlib import Path

        from ..exam.report import readiness, render_html

        report = readiness(home, list(_catalog()), exam_code, data.data)
        for note in report["notes"]:
            click.echo(f"awslabs: note: {note}", err=True)
        try:
            Path(html_file).write_text(render_html(report), encoding="utf-8")
        except OSError as err:
            raise UsageError(f"cannot write {html_file}: {err.strerror or err}.") from None
        click.echo(json.dumps(report, indent=2) if as_json else f"wrote {html_file}")
        return
    if as_json:
        _echo_json(data.data, sort_keys=True)
    else:
        from . import render

        render.practice_progress(render.stdout(), data.data)


@main.command()
@click.argument("lab_ids", nargs=-1, metavar="LAB... | LAB STEP")
@click.option("--all", "reset_all", is_flag=True, help="Reset every lab you have started on this target.")
@click.option("--keep-resources", is_flag=True, help="Only forget progress; leave your resources alone.")
@target_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print what was reset as one JSON document.")
@handle_errors
def reset(lab_ids, reset_all, keep_resources, target, endpoint_url, region, yes, as_json):
    """Start a lab over: forget its progress and practice state and (unless --keep-resources)
    delete the resources with the lab's practice names and tags on the target.

    `awslabs reset LAB STEP` undoes one objective: it deletes what that task and every later one
    own (their practice names awslabs-<lab>-practice-…, nothing else) and clears their progress,
    so you can redo them; what `start` set up stays. A STEP that is not a task of LAB: one line
    naming the valid ones, exit 2."""
    if reset_all == bool(lab_ids):
        raise UsageError("give lab ids or --all.")
    catalog = _catalog()
    step = None
    if len(lab_ids) == 2 and lab_ids[1] not in catalog.labs:  # LAB STEP
        step = lab_ids[1]
        lab_ids = lab_ids[:1]
    if reset_all:
        labs = None
    else:
        labs = [catalog.get(i) for i in lab_ids]
    if step is not None:
        from ..practice import resettable_steps

        tasks = resettable_steps(labs[0], _practice_settings(target, endpoint_url, region))
        if step not in tasks:  # said before anything connects or asks
            raise UsageError(f"'{step}' is not a task of {labs[0].id}; reset one of: {', '.join(tasks) or '(none)'}.")
    settings, tgt, render = _practice_target(target, endpoint_url, region)
    from ..practice import Progress, reset as reset_lab, target_key

    if labs is None:
        started = Progress(settings.home).data.get(target_key(tgt), {})
        labs = [catalog.get(i) for i in started if i in catalog.labs]
    if not labs:
        if as_json:
            _echo_json({"labs": []})
        else:
            click.echo("nothing to reset.")
        return
    names = ", ".join(lab.id for lab in labs)
    if step is not None:
        names = f"{names} from step {step} on"
    what = "progress" if keep_resources else "progress and the practice resources (awslabs-<lab>-practice-…)"
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"reset {names}: refusing to ask without a terminal; pass --yes.")
        if not click.confirm(f"Reset {what} of {names} on {tgt.name} (account {tgt.account})?", default=False, err=True):
            raise UsageError("cancelled: nothing was reset.")
    out = render.stdout()
    leftover = 0
    results = []
    for lab in labs:
        result = reset_lab(lab, tgt, settings, delete_resources=not keep_resources, step=step)
        results.append(result)
        leftover += len(result.leftover)
        if as_json:
            continue
        if step is None:
            out.print(f"reset {lab.id}: {len(result.deleted)} resource(s) deleted, {len(result.leftover)} left")
        else:
            render.practice_step_reset(out, result)
    if as_json:
        _echo_json({"labs": [r.to_dict() for r in results]})
    if leftover:
        _fail("some resources could not be deleted: see above, or `awslabs cleanup --sweep`.", ExitStatus.CLEANUP_INCOMPLETE)


def _offline_target(settings):
    """hint/solution only read progress: name the target without connecting to it when possible."""
    from types import SimpleNamespace

    try:
        from ..targets import make_target

        return make_target(settings)
    except AwslabsError:
        return SimpleNamespace(name=settings.target, account="unknown", endpoint_url=(
            settings.endpoint_url if settings.target == "server" else None))


from .exam_command import exam as _exam_command  # noqa: E402 - defined apart, registered here

main.add_command(_exam_command)

from .selftest import selftest  # noqa: E402 - its own module; registered last (it imports the helpers above)

main.add_command(selftest)
