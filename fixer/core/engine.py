"""The pure core: source text in, findings and fixed text out. No I/O, no printing."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import closing
from dataclasses import replace

import libcst as cst
from libcst._nodes.internal import CodegenState

from fixer.analysis.evidence import Evidence, RegionEvidence
from fixer.analysis.imported import ProjectFiles, Reader
from fixer.analysis.modules import class_table
from fixer.analysis.project import FileModel
from fixer.analysis.regions import WHOLE_MODULE, FileFacts, ImportMap, Region, collect_imports, find_regions, region_source, scan
from fixer.analysis.scope import FactsCollector
from fixer.analysis.tables import torch_tables
from fixer.analysis.tensors import TensorKinds
from fixer.core.batched import visit_batched
from fixer.core.codemod import Codemod, Report, RuleContext
from fixer.core.newsyntax import newer_syntax
from fixer.core.positions import Range, positions
from fixer.core.trigger import AstShape
from fixer.files.sourcefile import newline_of, split_lines
from fixer.core.suppress import skips_file, suppressed, unused
from fixer.core.types import ErrorKind, FileError, FileResult, FileStatus, Finding, Safety, Severity, Span

Rules = Sequence[type[Codemod]]
MAX_PASSES = 4


def plan(text: str, path: str, rules: Rules, *, fast: bool = True, evidence: Mapping[int, Evidence] | None = None,
         project: ProjectFiles | None = None) -> FileResult:
    """Every finding in `text`, nothing applied.

    `fast=False` skips the cheap passes (text prefilters, `ast` candidates, function regions) and
    gives LibCST the whole module: the reference the fast path must agree with, finding for finding.
    `evidence`: the writes `outplace trace` saw break autograd in this file, by line; each is an
    `error` whatever the static analysis proves (see fixer/analysis/evidence.py).
    `project`: the run's other files, read through the front end, for what this one imports from
    them; the result's `depends` names those its findings were computed from.
    """
    evidence = evidence or {}
    if skips_file(text):
        return FileResult(path, FileStatus.SKIPPED)
    ran = {rule.ID for rule in rules}  # before the prefilter: a rule it rules out has no finding to silence
    if fast and not evidence:  # an evidenced file may hold a write no prefilter expects (no `torch` in it)
        rules = [r for r in rules if r.prefilter(text)]
    try:  # even when no rule can match: a file that is not Python is reported (about 10% of a LibCST parse)
        tree = ast.parse(text)
    except SyntaxError as error:
        return _failed(path, ErrorKind.PARSE, newer_syntax(text) or error.msg, error.lineno)
    except ValueError as error:  # null bytes
        return _failed(path, ErrorKind.PARSE, str(error))
    if not rules:
        return FileResult(path, FileStatus.SKIPPED, unused_noqa=unused(text, (), ran))
    lines = split_lines(text)
    unbuilt: list[FileError] = []
    if project is not None:
        project.begin()
    try:
        findings = _findings(tree, lines, path, rules, fast, unbuilt, evidence, project)
    except cst.ParserSyntaxError as error:  # LibCST cannot parse a region `ast` could
        return _failed(path, ErrorKind.PARSE, error.message, error.raw_line)
    finally:
        if project is not None:
            project.finish()
    idle = unused(text, findings, ran)
    findings = [f for f in findings if not suppressed(f, lines)]
    error = _first_with_count(unbuilt)
    status = FileStatus.FINDINGS if findings else FileStatus.CLEAN
    depends = project.dependencies(path) if project is not None else ()
    return FileResult(path, status, tuple(findings), error=error, unused_noqa=idle, depends=depends)


def fix(text: str, path: str, rules: Rules, accept: Callable[[Finding], bool], *,
        project: ProjectFiles | None = None, replan: Callable[[str], FileResult] | None = None) -> FileResult:
    """Apply every accepted fix, re-planning until no accepted fix is left.

    `accept` is asked about each finding of a pass in order, display-only ones too (a review shows
    them), and never on the last pass, which only re-plans; only fixable findings are applied.
    `replan`, when given, plans each text instead of `plan` (a review reuses the plan it has).
    A fix whose output does not parse is reverted alone: the others are applied, it stays a
    display-only finding, and the file's error says so in one line.
    """
    current, applied, reverted = text, [], []
    for passes in range(MAX_PASSES + 1):
        result = plan(current, path, rules, project=project) if replan is None else replan(current)
        if result.status is FileStatus.FAILED:
            if current is text:
                return result
            return _failed(path, ErrorKind.FIX_BROKE_SYNTAX, f"fixed code failed to parse again: {result.error.message}")  # type: ignore[union-attr]
        broken = {_fix_of(f) for f in reverted}
        asked = [f for f in result.findings if _fix_of(f) not in broken] if passes < MAX_PASSES else []
        keys = {f.key for f in asked if accept(f) and f.fixable}
        if not keys:
            break  # the last pass only re-plans, so `result` describes `current`
        current, done, failed = _apply(current, result.findings, keys)
        applied += done
        reverted += failed
    broken = {_fix_of(f) for f in reverted}
    findings = tuple(_not_built(f) if _fix_of(f) in broken else f for f in result.findings)
    error = _first_with_count([e for e in (result.error, _reverted_error(reverted)) if e is not None])
    if current == text:
        return FileResult(path, result.status, findings, error=error, depends=result.depends)
    return FileResult(path, FileStatus.CHANGED, tuple(applied) + findings, tuple(f.key for f in applied), current, error,
                      result.depends)


def apply_fixes(text: str, findings: Sequence[Finding], keys: Collection[str]) -> tuple[str, tuple[str, ...]]:
    """Apply the fixes of `keys` that do not overlap an earlier one and whose output parses."""
    new, applied, _ = _apply(text, findings, keys)
    return new, tuple(f.key for f in applied)


# planning ---------------------------------------------------------------------------------------
def _findings(
    tree: ast.Module, lines: list[str], path: str, rules: Rules, fast: bool, unbuilt: list[FileError],
    evidence: Mapping[int, Evidence], project: ProjectFiles | None,
) -> list[Finding]:
    if not fast:
        file = scan(tree, (), lambda node, facts: False)[0]
        with closing(_model(tree, lines, file, path, project)) as model:
            findings = _region_findings(lines, WHOLE_MODULE, file.imports, model, path, rules, unbuilt, evidence)
        return sorted(findings, key=lambda f: (f.span.start_line, f.span.start_col, f.rule_id))
    by_type: dict[type[ast.AST], list[type[Codemod]]] = {}
    for rule in rules:
        for node_type in rule.AST_NODES:
            by_type.setdefault(node_type, []).append(rule)

    found: dict[type[Codemod], list[int]] = {}  # rule -> lines of its candidates

    def is_candidate(node: ast.AST, file: FileFacts) -> bool:
        hit = False
        seen = bool(evidence) and _spans_any(node, evidence)  # a run saw a write there: every rule looks
        shape = AstShape(node, file.imports)  # read once for every rule's triggers
        for rule in by_type[type(node)]:
            if seen or rule.is_candidate(node, file, shape):
                found.setdefault(rule, []).append(node.lineno)  # type: ignore[attr-defined]
                hit = True
        return hit

    file, candidate_lines = scan(tree, by_type.keys(), is_candidate)
    imports = file.imports
    findings: list[Finding] = []
    with closing(_model(tree, lines, file, path, project)) as model:
        for region in find_regions(tree, lines, candidate_lines, imports, file.class_parameters):
            # A rule with no candidate in the region cannot report there: it does not visit it.
            here = [r for r in rules if r in found and region.holds(found[r])]
            findings += _region_findings(lines, region, imports, model, path, here, unbuilt, evidence)
    return sorted(findings, key=lambda f: (f.span.start_line, f.span.start_col, f.rule_id))


def _model(tree: ast.Module, lines: list[str], file: FileFacts, path: str = "",
           project: ProjectFiles | None = None) -> FileModel:
    """The file's functions and classes, for what one region's calls into them do."""
    tables = torch_tables()
    defined = (lambda qualified: model.defines_class(qualified)) if project is not None else (lambda _: False)
    classes = class_table(file.classes, file.imports, tables.inplace_params, tree, defined)
    model = FileModel(tree, lines, file.imports, classes, file.classes, tables, os.path.abspath(path) if path else "", project)
    return model


def other_file_model(path: str, text: str, project: ProjectFiles) -> FileModel | None:
    """The model of another file of the run, for what the planned file imports from it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return _model(tree, split_lines(text), scan(tree, (), lambda node, facts: False)[0], path, project)


def project_files(read: Reader, keep_regions: int = 0) -> ProjectFiles:
    """The run's other files, read by the front end's `read` (an absolute path -> its text or None);
    `keep_regions`: how many parsed regions to keep for plans of the same files again (a server's)."""
    return ProjectFiles(read, other_file_model, keep_regions)


def _spans_any(node: ast.AST, lines: Collection[int]) -> bool:
    """Whether one of `lines` falls within the lines of `node`."""
    first = node.lineno  # type: ignore[attr-defined]
    return any(line in lines for line in range(first, (node.end_lineno or first) + 1))  # type: ignore[attr-defined]


def _region_findings(
    lines: list[str], region: Region, imports: ImportMap, model: FileModel, path: str, rules: Rules,
    unbuilt: list[FileError], evidence: Mapping[int, Evidence] | None = None,
) -> list[Finding]:
    """The region's findings; a rule that raises building code is left out, noted in `unbuilt`."""
    source = region_source(lines, region)
    module = model.project.parse_region(source) if model.project is not None else cst.parse_module(source)
    seen = RegionEvidence(evidence or {}, 0 if region.whole_module else region.first - 1)
    try:
        visitors = _visited(module, region, imports, model, rules, seen)
    except cst.ParserSyntaxError:  # a rule parsed code it built, outside a report: find which, keep the others
        visitors = []
        for rule in rules:
            try:
                visitors += _visited(module, region, imports, model, [rule], seen)
            except cst.ParserSyntaxError as error:
                where = "" if region.whole_module else f" in lines {region.first}-{region.last}"
                message = f"internal error: {rule.ID} built code LibCST cannot parse ({error.message}); its findings{where} are missing"
                unbuilt.append(FileError(ErrorKind.CRASH, message.replace("\n", " "), region.first or None))
    if not any(rule.reports for rule in visitors):
        return []
    where = positions(module)
    return [
        _to_finding(report, rule, module, where, lines, region, path)
        for rule in visitors
        for report in rule.reports
    ]


def _visited(module: cst.Module, region: Region, imports: ImportMap, model: FileModel, rules: Rules,
             evidence: RegionEvidence | None = None) -> list[Codemod]:
    """The rules' visitors after one traversal of `module`: facts first, then every rule."""
    facts = FactsCollector(imports, region.class_bases, region.class_parameters, model.classes, region.class_name, model)
    if evidence is not None:
        facts.facts.evidence = evidence
    torch_name = next((k for k, v in imports.items() if v == "torch"), None)
    context = RuleContext(facts.facts, TensorKinds(facts.facts), torch_tables(), torch_name)
    visitors = [rule(context) for rule in rules]
    visit_batched(module, [facts, *visitors])
    return visitors


def _to_finding(
    report: Report, rule: Codemod, module: cst.Module, where: Mapping[cst.CSTNode, Range],
    lines: list[str], region: Region, path: str,
) -> Finding:
    first = 0 if region.whole_module else region.first - 1
    width = len(region.prefix)
    start, end = where[report.node]
    if report.until is not None:  # a run of statements: `node` through `until`
        end = where[report.until][1]
    message = "".join(
        part if isinstance(part, str) else str(where[part.node][0][0] + first) for part in report.message
    )
    span = Span(start[0] + first, start[1] + width, end[0] + first, end[1] + width)
    if isinstance(report.node, cst.BaseCompoundStatement):  # the comment ending its last line is its own
        span = Span(span.start_line, span.start_col, span.end_line, len(lines[span.end_line - 1].rstrip("\r\n")))
    original = _slice(lines, span)
    replacement = None
    if report.replacement is not None:
        replacement = _render(report.replacement, module, lines, span, region.prefix)
        if report.severity is Severity.ERROR:
            message += f". Fix: `{_first_line(replacement)}`."
    return Finding(
        rule_id=rule.ID, rule_name=rule.NAME, path=path, span=span, severity=report.severity,
        message=message, why=rule.why(), fix_title=rule.FIX_TITLE if replacement else None,
        safety=report.safety, replacement=replacement, original=original, imports=report.imports,
    )


def _first_line(code: str, width: int = 80) -> str:
    """The replacement's first line, cut with … when longer than `width` or followed by more."""
    lines = code.strip().splitlines() or [""]
    first = lines[0].strip()
    if len(first) > width:
        return first[: width - 1] + "…"
    return first + (" …" if len(lines) > 1 else "")


def _render(replacement: object, module: cst.Module, lines: list[str], span: Span, prefix: str) -> str:
    """Code for the replacement, re-indented into the file at `span`."""
    line = lines[span.start_line - 1]
    newline = newline_of(line) if line.endswith(("\n", "\r")) else newline_of("".join(lines))
    block = line[len(prefix) : len(line) - len(line.lstrip(" \t"))]  # the statement's indentation in the region
    pieces = [replacement] if isinstance(replacement, cst.CSTNode) else list(replacement)  # type: ignore[arg-type]
    codes = [_indent(_statement_code(p, module, block), newline + prefix, newline) for p in pieces]
    before = line[: span.start_col]
    after = lines[span.end_line - 1][span.end_col :].strip()
    standalone = not before.strip() and (not after or after.startswith("#"))
    return (newline + before if standalone else "; ").join(codes)


def _statement_code(node: cst.CSTNode, module: cst.Module, block: str) -> str:
    """A piece's code; a whole statement (`for ...:`) without the indentation and newline around it."""
    code = _code_in_block(node, module, block)
    if isinstance(node, cst.BaseStatement):
        code = code.lstrip(" \t").removesuffix("\n")
    return code


def _code_in_block(node: cst.CSTNode, module: cst.Module, block: str) -> str:
    """Like `module.code_for_node`, but inside a block indented by `block`, as the node sits.

    Continuation lines in parentheses are stored relative to the enclosing block's indentation,
    so rendering a statement out of its block would shift them left.
    """
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.increase_indent(block)
    node._codegen(state)  # LibCST's own code_for_node does this, minus the indentation
    return "".join(state.tokens)


def _indent(code: str, newline_and_prefix: str, newline: str) -> str:
    out = code.split("\n")
    return out[0] + "".join((newline_and_prefix if rest else newline) + rest for rest in out[1:])


def _slice(lines: list[str], span: Span) -> str:
    if span.start_line == span.end_line:
        return lines[span.start_line - 1][span.start_col : span.end_col]
    middle = lines[span.start_line : span.end_line - 1]
    return "".join([lines[span.start_line - 1][span.start_col :], *middle, lines[span.end_line - 1][: span.end_col]])


# applying ---------------------------------------------------------------------------------------
def _apply(text: str, findings: Sequence[Finding], keys: Collection[str]) -> tuple[str, list[Finding], list[Finding]]:
    """The text with the fixes of `keys` that do not overlap an earlier one applied, those
    applied, and those reverted because the output would not parse with them."""
    chosen: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.span.start_line, f.span.start_col)):
        if finding.key in keys and finding.fixable and not (chosen and overlaps(chosen[-1], finding)):
            chosen.append(finding)
    if not chosen:
        return text, [], []
    new, kept = _parsing(text, chosen)
    return new, kept, [f for f in chosen if f not in kept]


def _parsing(text: str, chosen: list[Finding]) -> tuple[str, list[Finding]]:
    """The text with as many of `chosen` as parse together, and those: all of them when they do,
    else the halves searched apart (bisection), so one broken fix costs a few parses."""
    new = _applied(text, chosen)
    if new is not None:
        return new, chosen
    if len(chosen) == 1:
        return text, []
    half = len(chosen) // 2
    kept = _parsing(text, chosen[:half])[1] + _parsing(text, chosen[half:])[1]
    new = _applied(text, kept)
    if new is not None:
        return new, kept
    together: list[Finding] = []  # each half parses, not both: keep what parses, one at a time
    for finding in kept:
        if _applied(text, [*together, finding]) is not None:
            together.append(finding)
    return _applied(text, together) or text, together


def _applied(text: str, chosen: Sequence[Finding]) -> str | None:
    """The text with `chosen` (sorted, not overlapping) and their imports applied; None when it does not parse."""
    offsets = _line_offsets(text)
    new = text
    for finding in reversed(chosen):
        start = offsets[finding.span.start_line - 1] + finding.span.start_col
        end = offsets[finding.span.end_line - 1] + finding.span.end_col
        new = new[:start] + (finding.replacement or "") + new[end:]
    try:
        tree = ast.parse(new)
        modules = {m for f in chosen for m in f.imports}
        if modules and (imported := _add_imports(new, tree, modules)) != new:
            new = imported
            ast.parse(new)
    except (SyntaxError, ValueError):
        return None
    return new


def _fix_of(finding: Finding) -> tuple[str, str, str | None]:
    """What a fix is wherever it moves between passes: its rule, the code it replaces, and by what."""
    return finding.rule_id, finding.original, finding.replacement


def _not_built(finding: Finding) -> Finding:
    """`finding` without its fix, which does not parse in the file: display-only, saying why."""
    message = finding.message.split(". Fix: `")[0]
    message += " (outplace could not build this rewrite: the fixed code does not parse)"
    return replace(finding, message=message, safety=Safety.DISPLAY_ONLY, replacement=None, fix_title=None)


def _reverted_error(reverted: Sequence[Finding]) -> FileError | None:
    """The file's one error line when fixes were reverted: which, and that the others are applied."""
    if not reverted:
        return None
    rules = ", ".join(sorted({f.rule_id for f in reverted}))
    which = f"the fix of {rules}" if len(reverted) == 1 else f"{len(reverted)} fixes of {rules}"
    message = f"the fixed code does not parse with {which}: reverted, the other fixes are applied"
    return FileError(ErrorKind.FIX_BROKE_SYNTAX, message, reverted[0].span.start_line)


def _first_with_count(errors: Sequence[FileError]) -> FileError | None:
    """One error line for a file: the first error, saying how many others there were."""
    if not errors:
        return None
    if len(errors) == 1:
        return errors[0]
    return replace(errors[0], message=f"{errors[0].message} (and {len(errors) - 1} more errors)")


def overlaps(a: Finding, b: Finding) -> bool:
    """Whether the two findings' spans share text, in either order."""
    first, second = sorted((a, b), key=lambda f: (f.span.start_line, f.span.start_col))
    return (second.span.start_line, second.span.start_col) < (first.span.end_line, first.span.end_col)


def _line_offsets(text: str) -> list[int]:
    offsets, total = [], 0
    for line in split_lines(text) or [""]:
        offsets.append(total)
        total += len(line)
    offsets.append(total)
    return offsets


def _add_imports(text: str, tree: ast.Module, modules: set[str]) -> str:
    """Add `import m` after the module's leading imports for each module not imported as itself."""
    bound = collect_imports(tree)
    missing = sorted(m for m in modules if bound.get(m) != m)
    if not missing:
        return text
    lines = split_lines(text)
    after = _import_anchor(tree)
    newline = newline_of(text)
    if after and not lines[after - 1].endswith(("\n", "\r")):
        lines[after - 1] += newline
    lines[after:after] = [f"import {m}{newline}" for m in missing]
    return "".join(lines)


def _import_anchor(tree: ast.Module) -> int:
    """The line after which new imports go: the last leading import, docstring or __future__."""
    anchor = 0
    for i, stmt in enumerate(tree.body):
        docstring = i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or docstring:
            anchor = stmt.end_lineno or anchor
        else:
            break
    return anchor


def _failed(path: str, kind: ErrorKind, message: str, line: int | None = None) -> FileResult:
    return FileResult(path, FileStatus.FAILED, error=FileError(kind, message, line))
