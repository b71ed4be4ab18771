"""`awslabs progress --html FILE`: one self-contained readiness page — labs done per exam domain,
exam scores over time, the weakest task statements — with its charts drawn as inline SVG (no
script, no network, opens anywhere). The numbers on the page come from ``readiness()``, which
``--json`` prints as they are, so a test can compare the page with the data.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from ..exams import labs_for, load_guide
from .history import History


def readiness(home: Path, labs, exam: str = "mla-c01", progress: dict | None = None) -> dict:
    """The report's data: practice progress (labs passed by hand, on any target) per domain of the
    exam, every scored attempt, and the task statements with the lowest share right."""
    guide = load_guide(exam)
    by_task = labs_for(guide, labs)
    passed = {lab_id for per_target in (progress or {}).values() if isinstance(per_target, dict)
              for lab_id, entry in per_target.items() if isinstance(entry, dict) and entry.get("passed")}
    domains = []
    for domain in guide.domains:
        ids = sorted({lab for t in domain.tasks for lab in by_task.get(t.id, [])})
        domains.append({"id": domain.id, "title": domain.title, "weight": domain.weight,
                        "labs": ids, "labs_passed": sorted(set(ids) & passed),
                        "done": len(set(ids) & passed), "total": len(ids)})
    history = History.load(home)
    attempts = [{"when": dt.datetime.fromtimestamp(float(a.get("ts", 0)), dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                 "scaled_score": int(a.get("scaled_score", 0)), "passed": bool(a.get("passed")),
                 "correct": int(a.get("correct", 0)), "total": int(a.get("total", 0))}
                for a in sorted(history.scored(guide.code), key=lambda a: float(a.get("ts", 0)))]
    titles = {t.id: t.title for t in guide.tasks}
    tasks = [{"task": task, "title": titles[task], **result}
             for task, result in sorted(history.task_results(guide.code).items()) if task in titles]
    weakest = sorted(tasks, key=lambda t: (t["percent"], t["task"]))[:5]
    return {"exam": guide.code, "name": guide.name, "passing_score": guide.passing_score,
            "domains": domains, "attempts": attempts, "weakest": weakest,
            "notes": history.problems}


def _bar(label: str, value: float, total: float, key: str, unit: str = "", shown: str | None = None) -> str:
    width = 0 if not total else round(300 * value / total)
    shown = f"{value:g}{unit}" if shown is None else shown
    return (f'<div class="row"><span class="label">{html.escape(label)}</span>'
            f'<svg width="310" height="18" role="img" aria-label="{html.escape(label)}: {value:g}{unit}">'
            f'<rect x="0" y="2" width="300" height="14" fill="#eee"/>'
            f'<rect x="0" y="2" width="{width}" height="14" fill="#2b7a78"/></svg>'
            f'<span class="value" data-key="{html.escape(key)}" data-value="{value:g}">{html.escape(shown)}</span></div>')


def _score_chart(attempts: list[dict], passing: int) -> str:
    if not attempts:
        return "<p>No scored exam yet: <code>awslabs exam</code>.</p>"
    w, h, pad = 520, 200, 30
    n = len(attempts)

    def x(i):
        return pad + (w - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)

    def y(score):
        return h - pad - (h - 2 * pad) * (score - 100) / 900

    points = " ".join(f"{x(i):.1f},{y(a['scaled_score']):.1f}" for i, a in enumerate(attempts))
    dots = "".join(f'<circle cx="{x(i):.1f}" cy="{y(a["scaled_score"]):.1f}" r="4" fill="{"#2b7a78" if a["passed"] else "#c0392b"}">'
                   f'<title>{a["when"]}: {a["scaled_score"]}</title></circle>' for i, a in enumerate(attempts))
    return (f'<svg width="{w}" height="{h}" role="img" aria-label="exam scores over time">'
            f'<line x1="{pad}" x2="{w - pad}" y1="{y(passing):.1f}" y2="{y(passing):.1f}" stroke="#999" stroke-dasharray="4"/>'
            f'<text x="{w - pad}" y="{y(passing) - 4:.1f}" text-anchor="end" font-size="11">pass mark {passing}</text>'
            f'<text x="2" y="{y(1000) + 4:.1f}" font-size="11">1000</text><text x="2" y="{y(100) + 4:.1f}" font-size="11">100</text>'
            f'<line x1="{pad}" x2="{w - pad}" y1="{y(100):.1f}" y2="{y(100):.1f}" stroke="#ccc"/>'
            f'<polyline points="{points}" fill="none" stroke="#2b7a78" stroke-width="2"/>{dots}</svg>'
            "<table><tr><th>when (UTC)</th><th>scaled score</th><th>right</th><th>result</th></tr>"
            + "".join(f'<tr><td>{a["when"]}</td><td data-key="attempt.{i}.scaled_score" data-value="{a["scaled_score"]}">'
                      f'{a["scaled_score"]}</td>'
                      f'<td>{a["correct"]}/{a["total"]}</td><td>{"pass" if a["passed"] else "fail"}</td></tr>'
                      for i, a in enumerate(attempts)) + "</table>")


def render_html(data: dict) -> str:
    domains = "".join(_bar(f"Domain {d['id']} {d['title']} ({d['weight']} %)", d["done"], d["total"] or 1,
                           f"domain.{d['id']}.done", shown=f"{d['done']}/{d['total']}") + f'<p class="small">{d["done"]} of {d["total"]} labs passed: '
                      f'{html.escape(", ".join(d["labs_passed"]) or "none yet")}</p>' for d in data["domains"])
    weakest = "".join(_bar(f"{t['task']} {t['title']}", t["percent"], 100, f"task.{t['task']}.percent", " %")
                      for t in data["weakest"]) or "<p>No exam answers yet.</p>"
    payload = html.escape(json.dumps(data, sort_keys=True), quote=False)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>awslabs readiness — {html.escape(data['exam'].upper())}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; max-width: 760px; margin: 2em auto; color: #222; }}
h1 {{ font-size: 1.4em; }} h2 {{ font-size: 1.1em; margin-top: 1.6em; }}
.row {{ display: flex; align-items: center; gap: .6em; margin: .2em 0; }}
.label {{ width: 330px; font-size: .9em; }} .value {{ font-variant-numeric: tabular-nums; }}
.small {{ font-size: .85em; color: #555; margin: 0 0 .6em 0; }}
table {{ border-collapse: collapse; margin-top: .6em; }} td, th {{ padding: .2em .8em; border-bottom: 1px solid #ddd; }}
</style></head><body>
<h1>Readiness for {html.escape(data['name'])} ({html.escape(data['exam'].upper())})</h1>
<h2>Labs passed in practice mode, per exam domain</h2>{domains}
<h2>Practice exam scores</h2>{_score_chart(data['attempts'], data['passing_score'])}
<h2>Weakest task statements</h2>{weakest}
<p class="small">Scaled scores map 100 + 900 × right / total; AWS's own scaling is not public.
Generated by awslabs.</p>
<script type="application/json" id="data">{payload}</script>
</body></html>
"""
