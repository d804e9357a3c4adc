"""The interactive review without a terminal: `FileReview` is engine.fix's loop asking its `accept`, pass by pass."""

from __future__ import annotations

from fixer.cli.interactive import Review
from fixer.core import engine
from fixer.core.types import Mode, Options, Severity
from fixer.files.selection import rules_for

# Six in-place writes nested in one statement: each fix overlaps the next, so each needs its own pass,
# more than engine.fix's own passes (MAX_PASSES): the review goes on past them.
NESTED = """\
import torch
def f(x: torch.Tensor, y: torch.Tensor):
    h = torch.sigmoid(x)
    a = torch.exp(x)
    b = torch.tanh(x)
    c = torch.exp(y)
    d = torch.sigmoid(y)
    e = torch.tanh(y)
    h += a.mul_(b.add_(c.sub_(d.div_(e.mul_(2)))))
    return h
"""
UNNESTED = """\
    e = e.mul(2)
    d = d.div(e)
    c = c.sub(d)
    b = b.add(c).to(b.dtype)
    a = a.mul(b)
    h = h + a
"""


class Answers:
    """A terminal that answers each prompt with the next key, and keeps what was shown."""

    def __init__(self, keys: str) -> None:
        self.keys = list(keys)
        self.shown: list[str] = []

    def show(self, text: object = "", style: str | None = None) -> None:
        self.shown.append(str(text))

    def key(self, prompt: str) -> str:
        self.shown.append(prompt)
        return self.keys.pop(0)


def review(text: str, keys: str) -> tuple[str, Review, Answers]:
    options = Options(Mode.PLAN)
    term = Answers(keys)
    session = Review(options, term)  # type: ignore[arg-type]
    first = engine.plan(text, "n.py", rules_for("n.py", options))
    session.severity = Severity.ERROR
    return session.file("n.py", text, first), session, term


def test_each_overlapping_change_is_asked_in_its_own_pass_past_the_engines_passes() -> None:
    new, session, term = review(NESTED, "yyyyyy")
    assert new == NESTED.replace("    h += a.mul_(b.add_(c.sub_(d.div_(e.mul_(2)))))\n", UNNESTED)
    assert sum(line.startswith("Apply this") for line in term.shown) == 6
    assert term.keys == [] and session.tally.applied == {"IP101": 1, "IP102": 5}


def test_q_in_the_middle_keeps_the_accepted_and_counts_the_rest_not_reviewed() -> None:
    new, session, term = review(NESTED, "yyyq")
    assert new.count(" = ") == NESTED.count(" = ") + 3  # the outer three writes are rewritten, no more
    assert session.stopped and session.tally.not_reviewed == 3


LAYERS = """\
import torch
from torch import nn


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)

    def forward(self, x):
        return torch.sigmoid(self.proj(x))
"""
# The outer write is IP101's (local); the inner one, in the same statement, IP102's, an error only
# through layers.py: it is asked in the review's second pass, on a text planned again.
MODEL = """\
import torch
from torch import nn

from layers import Gate


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = Gate()

    def forward(self, x):
        g = self.gate(x)
        h = torch.sigmoid(x)
        h *= g.mul_(2)
        return h
"""


def test_a_later_pass_plans_with_the_projects_other_files(tmp_path) -> None:
    (tmp_path / "layers.py").write_text(LAYERS)
    model = tmp_path / "model.py"
    model.write_text(MODEL)
    files = tuple(str(p) for p in (tmp_path / "layers.py", model))
    options = Options(Mode.PLAN, project_root=str(tmp_path), run_files=files)
    session = Review(options, Answers("yy"))  # type: ignore[arg-type]
    session.severity = Severity.ERROR
    first = session.replan(str(model), MODEL)
    assert first is not None and sorted(f.rule_id for f in first.findings if f.severity is Severity.ERROR) == ["IP101", "IP102"]
    new = session.file(str(model), MODEL, first)
    assert "        g = g.mul(2)\n        h = (h * g).to(h.dtype)\n" in new
    assert session.tally.applied == {"IP101": 1, "IP102": 1}
