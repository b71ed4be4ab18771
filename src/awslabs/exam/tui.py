"""The exam in a terminal UI (Textual). Keyboard driven, like the test centre's screens:

    a–h        choose / toggle an option          ← →  or  p n   previous / next question
    m          flag (mark) for review             r              review screen (Enter jumps)
    s          submit (asks first)                Ctrl-C         stop: the attempt is saved
    Tab, then type  C,A,B,D  or  A=2,B=1 and Enter   ordering and matching answers

The app only drives an ``Attempt``; scoring and rendering of the result are shared with line
mode. It returns "submitted", "timeout" or "interrupted" from ``run()``.
"""
from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, ListItem, ListView, Static

from .line_ui import _valid
from .session import Attempt

OPTION_KEYS = "abcdefgh"


class ReviewScreen(ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "back"), Binding("s", "submit", "submit")]

    def __init__(self, attempt: Attempt):
        super().__init__()
        self.attempt = attempt

    def compose(self) -> ComposeResult:
        a = self.attempt
        unanswered = len(a.unanswered())
        yield Label(f"Review: {len(a.questions) - unanswered} answered, {unanswered} unanswered, "
                    f"{len(a.flagged)} flagged · {a.time_left_text()} left · Enter: go to · s: submit · Esc: back",
                    id="review-title")
        items = []
        for i, q in enumerate(a.questions):
            answer = ",".join(a.answers.get(q.id, ())) or "unanswered"
            flag = " · flagged" if q.id in a.flagged else ""
            items.append(ListItem(Label(f"{i + 1:3d}. {answer}{flag}")))
        yield ListView(*items, id="review-list", initial_index=a.current)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        self.dismiss(event.list_view.index)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        self.dismiss(-1)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "yes", "yes, submit"), Binding("n", "no", "no"), Binding("escape", "no", "no")]

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Label(self.text, id="confirm")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class ExamApp(App[str]):
    TITLE = "awslabs exam"
    CSS = """
    #status { background: $boost; padding: 0 1; }
    #stem { padding: 1 1 0 1; }
    #instruction { padding: 0 1; color: $text-muted; }
    #options { padding: 1 1; }
    #message { padding: 0 1; color: $warning; }
    """
    BINDINGS = [
        Binding("right,n", "next", "next"),
        Binding("left,p", "previous", "previous"),
        Binding("m", "flag", "flag"),
        Binding("r", "review", "review"),
        Binding("s", "submit", "submit"),
        Binding("ctrl+c", "interrupt", "stop", priority=True),
        *[Binding(k, f"choose('{k.upper()}')", show=False) for k in OPTION_KEYS],
    ]

    def __init__(self, attempt: Attempt):
        super().__init__()
        self.attempt = attempt

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with VerticalScroll():
            yield Static(id="stem")
            yield Static(id="instruction")
            yield Static(id="options")
            yield Input(placeholder="type the answer, then Enter (e.g. C,A,B,D or A=2,B=1)", id="typed")
            yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_question()
        self.set_interval(1.0, self.tick)

    # -- drawing ---------------------------------------------------------------------------------
    def refresh_status(self) -> None:
        a, q = self.attempt, self.attempt.question
        flag = " · FLAGGED" if q.id in a.flagged else ""
        self.query_one("#status", Static).update(
            f"{a.guide.code.upper()} · question {a.current + 1} of {len(a.questions)} · domain {q.domain} · "
            f"task {q.task} · {a.time_left_text()} left{flag}")

    def refresh_question(self, message: str = "") -> None:
        a, q = self.attempt, self.attempt.question
        self.refresh_status()
        self.query_one("#stem", Static).update(q.stem)
        self.query_one("#instruction", Static).update(q.instruction)
        chosen = set(a.answers.get(q.id, ()))
        marks = []
        for o in q.options:
            box = ("(•)" if o.key in chosen else "( )") if q.type == "single" else ("[x]" if o.key in chosen else "[ ]")
            marks.append(f"{box if q.type in ('single', 'multiple') else '   '} {o.key}) {o.text}")
        if q.targets:
            marks += ["", "Targets:"] + [f"    {t.key}) {t.text}" for t in q.targets]
        self.query_one("#options", Static).update("\n".join(marks))
        typed = self.query_one("#typed", Input)
        typed.display = q.type in ("ordering", "matching")
        typed.value = ",".join(a.answers.get(q.id, ())) if typed.display else ""
        self.query_one("#message", Static).update(message)

    def tick(self) -> None:
        if self.attempt.seconds_left() <= 0:
            self.exit("timeout")
            return
        self.refresh_status()

    # -- actions -----------------------------------------------------------------------------------
    def action_choose(self, key: str) -> None:
        a, q = self.attempt, self.attempt.question
        if q.type not in ("single", "multiple") or key not in {o.key for o in q.options}:
            return
        if q.type == "single":
            a.answer([key])
        else:
            chosen = set(a.answers.get(q.id, ()))
            chosen ^= {key}
            a.answer(sorted(chosen))
        self.refresh_question()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        tokens = [t.strip().upper() for t in event.value.replace(" ", ",").split(",") if t.strip()]
        problem = _valid(self.attempt, tokens)
        if problem:
            self.refresh_question(f"Not recorded: {problem}")
            return
        self.attempt.answer(tokens)
        self.set_focus(None)
        self.refresh_question("Recorded.")

    def action_next(self) -> None:
        self.attempt.go(self.attempt.current + 1)
        self.set_focus(None)
        self.refresh_question()

    def action_previous(self) -> None:
        self.attempt.go(self.attempt.current - 1)
        self.set_focus(None)
        self.refresh_question()

    def action_flag(self) -> None:
        self.attempt.toggle_flag()
        self.refresh_question()

    def action_review(self) -> None:
        def chosen(index: int | None) -> None:
            if index == -1:
                self.action_submit()
            elif index is not None:
                self.attempt.go(index)
                self.refresh_question()

        self.push_screen(ReviewScreen(self.attempt), chosen)

    def action_submit(self) -> None:
        unanswered = len(self.attempt.unanswered())
        text = (f"Submit the exam? {unanswered} question(s) unanswered, {len(self.attempt.flagged)} flagged. "
                "y: submit · n: back")
        self.push_screen(ConfirmScreen(text), lambda yes: self.exit("submitted") if yes else None)

    def action_interrupt(self) -> None:
        self.exit("interrupted")
