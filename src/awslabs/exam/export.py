"""`awslabs exam --export DIR`: a paper version for an instructor, with the key kept apart."""
from __future__ import annotations

from pathlib import Path


def export(questions, guide, folder: Path, seed) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{guide.code}-exam" + (f"-seed{seed}" if seed is not None else "")
    paper, key = folder / f"{stem}.md", folder / f"{stem}-key.md"
    head = (f"# {guide.name} ({guide.code.upper()}) — practice exam\n\n"
            f"{len(questions)} questions · {guide.minutes * len(questions) // guide.questions or 1} minutes · "
            f"awslabs question bank (original questions; source pages cited in the key)\n")
    lines = [head]
    for i, q in enumerate(questions, 1):
        lines.append(f"\n**{i}.** {q.stem}\n\n*{q.instruction}*\n")
        lines += [f"- {o.key}) {o.text}" for o in q.options]
        if q.targets:
            lines.append("\nTargets:\n")
            lines += [f"- {t.key}) {t.text}" for t in q.targets]
    paper.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = [f"# Key — {guide.code.upper()} practice exam{f' (seed {seed})' if seed is not None else ''}\n"]
    for i, q in enumerate(questions, 1):
        lines.append(f"\n**{i}.** {','.join(q.answer)} — domain {q.domain}, task {q.task} (`{q.id}`)\n")
        lines += [f"- {o.key}) {o.why}" for o in q.options]
        lines.append(f"- practise: {', '.join(q.labs)} · source: {q.source} (read {q.read})")
    key.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paper, key
