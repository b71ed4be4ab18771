"""Plain-text and JSON views of the exam map (`awslabs list --exam`, `awslabs coverage`).

Like `awslabs list`, these read TOML only and print without rich: they run often and fast."""
from __future__ import annotations

import json

import click

from ..exams import coverage, labs_for, load_guide


def list_by_exam(code: str, labs, as_json: bool = False, color: bool = False) -> str:
    guide = load_guide(code)
    by_task = labs_for(guide, labs)
    lab_by_id = {lab.id: lab for lab in labs}
    if as_json:
        return json.dumps({
            "exam": guide.code,
            "domains": [
                {"id": d.id, "title": d.title, "weight": d.weight,
                 "labs": sorted({lab for t in d.tasks for lab in by_task.get(t.id, [])},
                                key=list(lab_by_id).index)}
                for d in guide.domains
            ],
        }, indent=2)
    out = [f"{guide.name} ({guide.code}, {guide.status}) — labs by exam domain"]
    for domain in guide.domains:
        ids = sorted({lab for t in domain.tasks for lab in by_task.get(t.id, [])}, key=list(lab_by_id).index)
        title = f"Domain {domain.id}: {domain.title} ({domain.weight} %)"
        out.append("\n" + (click.style(title, bold=True) if color else title))
        if not ids:
            out.append("  (no lab yet)")
        for lab_id in ids:
            tasks = [t for t in lab_by_id[lab_id].exam_tasks(guide.code) if t.split(".")[0] == domain.id]
            out.append(f"  {lab_id:26s} {', '.join(tasks):10s} {lab_by_id[lab_id].title}")
    return "\n".join(out)


def coverage_report(code: str, labs, as_json: bool = False) -> str:
    report = coverage(load_guide(code), labs)
    if as_json:
        return json.dumps(report, indent=2)
    out = [f"{report['name']} ({report['exam']}, {report['status']}): "
           f"{report['covered']}/{len(report['tasks'])} task statements practised by a lab",
           f"source: {report['source']} (read {report['read']})"]
    domain = None
    for task in report["tasks"]:
        if task["domain"] != domain:
            domain = task["domain"]
            out.append(f"\nDomain {domain}: {task['domain_title']}")
        labs_text = ", ".join(task["labs"]) if task["labs"] else "NOT COVERED YET"
        out.append(f"  {task['id']:4s} {task['title']}\n       {labs_text}")
    if report["unknown"]:
        out.append(f"\nlabs naming task statements this guide does not have: {', '.join(report['unknown'])}")
    return "\n".join(out)
