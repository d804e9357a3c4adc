"""Score outplace on the risk corpus (`tests/risk_corpus/`): found, fixed (safe only, then with
unsafe fixes) and kept, each proven by running the snippet under torch.

    python scripts/score_corpus.py [CORPUS_DIR]

A failing snippet (`# expect: error`) is *found* when every line marked `# <- error` gets an
`error` finding and no other line does; *fixed* when, after `outplace fix` (safe fixes only, or
with `--unsafe-fixes`), its backward runs and its value and input gradients equal its `reference`.
An intentional snippet (`# expect: clean`) is *kept* when it gets no finding at all.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixer import engine, registry  # noqa: E402
from fixer.types import Safety, Severity  # noqa: E402
from tests.golden_support import input_grads, load_module  # noqa: E402

EXPECT = re.compile(r"^# expect: (error|clean|same)$", re.MULTILINE)


def runs_like_reference(path: Path, original: Path) -> bool:
    """The fixed snippet's backward runs and its value and gradients equal the reference's."""
    try:
        inputs = load_module(original).make_inputs()
        value = load_module(path).run(*inputs)
        value.backward()
        reference_inputs = load_module(original).make_inputs()
        want = load_module(original).reference(*reference_inputs)
        want.backward()
    except RuntimeError:
        return False
    same = lambda a, b: torch.equal(a, b) or torch.allclose(a, b, rtol=0, atol=0, equal_nan=True)  # noqa: E731
    grads, want_grads = input_grads(inputs), input_grads(reference_inputs)
    return same(value.detach(), want.detach()) and len(grads) == len(want_grads) and all(
        (g is None) == (w is None) and (g is None or same(g, w)) for g, w in zip(grads, want_grads))


def fixed(text: str, original: Path, unsafe: bool, folder: Path) -> bool:
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    result = engine.fix(text, "snippet.py", registry.all_rules(), lambda f: f.safety in allowed)
    if result.error is not None or result.new_text is None:
        return False
    path = folder / f"{original.stem}_{'unsafe' if unsafe else 'safe'}.py"
    path.write_text(result.new_text)
    return runs_like_reference(path, original)


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "risk_corpus"
    counts = {"error": 0, "found": 0, "safe": 0, "unsafe": 0, "clean": 0, "kept": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(corpus.glob("*.py")):
            text = path.read_text()
            match = EXPECT.search(text)
            kind = match.group(1) if match else "same"
            findings = engine.plan(text, "snippet.py", registry.all_rules()).findings
            if kind == "clean":
                counts["clean"] += 1
                counts["kept"] += not findings
                continue
            if kind != "error":
                continue
            counts["error"] += 1
            marked = [i for i, line in enumerate(text.splitlines(), 1) if "# <- error" in line]
            counts["found"] += sorted(f.span.start_line for f in findings if f.severity is Severity.ERROR) == marked
            counts["safe"] += fixed(text, path, False, Path(tmp))
            counts["unsafe"] += fixed(text, path, True, Path(tmp))
    n = counts["error"]
    print(f"found {counts['found']}/{n}, fixed {counts['safe']}/{n} with safe fixes, "
          f"{counts['unsafe']}/{n} with --unsafe-fixes, kept {counts['kept']}/{counts['clean']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
