"""The LSP wiring: pygls handlers over `state.Checker` (the engine) and `convert` (LSP data).

Handlers run on pygls's event loop one at a time, so the warm state needs no lock. A document is
checked when opened, saved, and changed: at once after a pause in typing, else at most once per
`DEBOUNCE` seconds while changes keep coming (the check then reads the latest text).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from fixer.core.engine import apply_fixes
from fixer.server import convert, notebooks
from fixer.server.state import Checker
from fixer.files.sourcefile import split_lines
from fixer.core.types import FileResult, Finding, Safety

DEBOUNCE = 0.3  # seconds between two checks of a document while it is being typed
WATCH_ID = "outplace-pyproject"


@dataclass(frozen=True, slots=True)
class Checked:
    """A document's last check: the text it read, and what it found."""

    text: str
    result: FileResult


class Protocol(LanguageServerProtocol):
    """pygls's protocol, answering a request it cannot read (its params do not fit its method) with an
    error response: pygls alone logs it and leaves the client waiting for an answer."""

    def structure_message(self, data: dict) -> object:  # type: ignore[override]
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "id" in data and "method" in data:
                self._send_response(data["id"], error=lsp.ResponseError(error.code, f"{error.message} for {data['method']}"))
                raise Answered() from error
            raise


class Answered(Exception):
    """A request that could not be read, already answered with an error."""


class OutplaceServer(LanguageServer):
    """pygls's server plus the warm state: the checker, each document's last check and pending check."""

    def __init__(self) -> None:
        try:
            release = version("outplace")
        except PackageNotFoundError:
            release = "0"
        cells = lsp.NotebookDocumentFilterWithCells(cells=[lsp.NotebookCellLanguage("python")])
        super().__init__("outplace", release, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
                         notebook_document_sync=lsp.NotebookDocumentSyncOptions([cells], save=True), protocol_cls=Protocol)
        self.checker = Checker(self._open_text)
        self.checked: dict[str, Checked] = {}
        self.fixed: dict[str, tuple[object, str | None]] = {}  # uri -> ((text, settings), what `outplace fix` makes of it)
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.last_check: dict[str, float] = {}
        self.debounce = DEBOUNCE
        self.config_errors: set[str] = set()

    def report_server_error(self, error: Exception, source: object) -> None:  # type: ignore[override]
        if not isinstance(error, Answered):  # the client has its error response: no pop-up besides
            super().report_server_error(error, source)  # type: ignore[arg-type]

    def _open_text(self, path: str) -> str | None:
        """The editor's text of the file at `path`, when it is open."""
        for document in self.workspace.text_documents.values():
            if document.path and os.path.abspath(document.path) == path:
                return document.source
        return None

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)

    def check(self, uri: str) -> Checked | None:
        """Check the document's current text, remember it, publish its diagnostics."""
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()  # this check reads the latest text: the one due later would repeat it
        notebook = self.workspace.get_notebook_document(notebook_uri=uri) or self.workspace.get_notebook_document(cell_uri=uri)
        if notebook is not None:
            self.check_notebook(notebook)
            return self.checked.get(uri)
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        self.last_check[uri] = asyncio.get_running_loop().time()
        path = _path(document)
        text = document.source
        checked = Checked(text, self.checker.check(path, text))
        self.checked[uri] = checked
        self._report_config_error(path)
        lines = split_lines(text)
        found = convert.diagnostics(checked.result, lines, uri, self.encoding, self.checker.rule_docs())
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, found, document.version))
        for other, last in list(self.checked.items()):  # what another open file imports from this one may have changed
            if other != uri and any(depends == path for depends, _ in last.result.depends):
                self.changed(other)
        return checked

    def check_notebook(self, notebook: lsp.NotebookDocument) -> None:
        """Check a notebook's code cells joined, as `outplace check nb.ipynb`; publish each cell's diagnostics."""
        self.last_check[notebook.uri] = asyncio.get_running_loop().time()
        path = os.path.abspath(to_fs_path(notebook.uri) or notebook.uri)
        documents = [self.workspace.get_text_document(cell.document) for cell in notebook.cells]
        sources = [d.source if cell.kind == lsp.NotebookCellKind.Code else None for cell, d in zip(notebook.cells, documents)]
        results = notebooks.cell_results(sources, path, lambda text: self.checker.check(path, text))
        self._report_config_error(path)
        docs = self.checker.rule_docs()
        for document, source, result in zip(documents, sources, results):
            if source is None or result is None:
                continue
            self.checked[document.uri] = Checked(source, result)
            found = convert.diagnostics(result, split_lines(source), document.uri, self.encoding, docs)
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(document.uri, found, document.version))

    def current(self, uri: str) -> Checked | None:
        """The check of the document's current text: the last one when the text has not changed since."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        last = self.checked.get(uri)
        if last is not None and last.text == document.source:
            return last
        return self.check(uri)

    def fixed_text(self, uri: str, path: str, text: str) -> str | None:
        """What `outplace fix` writes for `text`, None when nothing; kept for the next request on the
        same text (a client asks for code actions at every move of the cursor)."""
        key = (text, self.checker.settings(path))
        cached = self.fixed.get(uri)
        if cached is None or cached[0] != key:
            cached = self.fixed[uri] = (key, self.checker.fix_all(path, text).new_text)
        return cached[1]

    def changed(self, uri: str) -> None:
        """A change: check now after a pause, else once `debounce` has passed since the last check."""
        if uri in self.pending:
            return  # the check already due reads the latest text
        loop = asyncio.get_running_loop()
        wait = self.last_check.get(uri, -self.debounce) + self.debounce - loop.time()
        if wait <= 0:
            self.check(uri)
        else:
            self.pending[uri] = loop.call_later(wait, self.check, uri)

    def recheck_all(self) -> None:
        self.checker.forget_settings()
        self.config_errors.clear()
        for uri in [*self.workspace.notebook_documents, *self.workspace.text_documents]:
            if self.workspace.get_notebook_document(cell_uri=uri) is None:  # cells: with their notebook
                self.check(uri)

    def _report_config_error(self, path: str) -> None:
        error = self.checker.settings(path).error
        if error is not None and error not in self.config_errors:
            self.config_errors.add(error)
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"outplace: {error}; using the defaults"))


server = OutplaceServer()


@server.feature(lsp.INITIALIZED)
def initialized(ls: OutplaceServer, params: lsp.InitializedParams) -> None:
    """Ask the client to tell us when a pyproject.toml changes, when it can."""
    watch = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
    if watch and watch.dynamic_registration:
        watchers = [lsp.FileSystemWatcher(glob_pattern="**/pyproject.toml")]
        registration = lsp.Registration(WATCH_ID, lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                        lsp.DidChangeWatchedFilesRegistrationOptions(watchers))
        ls.client_register_capability(lsp.RegistrationParams([registration]))


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: OutplaceServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.checker.open_files = _open_files(ls)
    ls.check(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: OutplaceServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.changed(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: OutplaceServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: OutplaceServer, params: lsp.DidCloseTextDocumentParams) -> None:
    _forget(ls, params.text_document.uri)
    ls.checker.open_files = _open_files(ls)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(params.text_document.uri, []))


def _forget(ls: OutplaceServer, uri: str) -> None:
    """A closed document: its pending check cancelled, its results dropped."""
    handle = ls.pending.pop(uri, None)
    if handle is not None:
        handle.cancel()
    ls.checked.pop(uri, None)
    ls.fixed.pop(uri, None)
    ls.last_check.pop(uri, None)


@server.feature(lsp.NOTEBOOK_DOCUMENT_DID_OPEN)
def notebook_did_open(ls: OutplaceServer, params: lsp.DidOpenNotebookDocumentParams) -> None:
    ls.check(params.notebook_document.uri)


@server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CHANGE)
def notebook_did_change(ls: OutplaceServer, params: lsp.DidChangeNotebookDocumentParams) -> None:
    ls.changed(params.notebook_document.uri)


@server.feature(lsp.NOTEBOOK_DOCUMENT_DID_SAVE)
def notebook_did_save(ls: OutplaceServer, params: lsp.DidSaveNotebookDocumentParams) -> None:
    ls.check(params.notebook_document.uri)


@server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CLOSE)
def notebook_did_close(ls: OutplaceServer, params: lsp.DidCloseNotebookDocumentParams) -> None:
    _forget(ls, params.notebook_document.uri)
    for cell in params.cell_text_documents:
        ls.checked.pop(cell.uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(cell.uri, []))


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: OutplaceServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if any(change.uri.endswith("pyproject.toml") for change in params.changes):
        ls.recheck_all()


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: OutplaceServer, params: lsp.HoverParams) -> lsp.Hover | None:
    checked = ls.current(params.text_document.uri)
    if checked is None:
        return None
    lines = split_lines(checked.text)
    line, column = convert.character(lines, params.position, ls.encoding)
    found = [f for f in checked.result.findings if convert.contains(f.span, line, column)]
    if not found:
        return None
    docs = ls.checker.rule_docs()
    text = "\n\n---\n\n".join(convert.hover_text(f, docs.get(f.rule_id)) for f in found)
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), convert.span_range(lines, found[0].span, ls.encoding))


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, convert.FIX_ALL]),
)
def code_action(ls: OutplaceServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    uri = params.text_document.uri
    checked = ls.current(uri)
    if checked is None:
        return None
    document = ls.workspace.get_text_document(uri)
    only = params.context.only
    actions: list[lsp.CodeAction] = []
    if _wanted(only, lsp.CodeActionKind.QuickFix):
        lines = split_lines(checked.text)
        start = convert.character(lines, params.range.start, ls.encoding)
        end = convert.character(lines, params.range.end, ls.encoding)
        for finding in checked.result.findings:
            if convert.overlaps(finding.span, start, end):
                actions += _finding_actions(ls, document, checked, finding, lines)
    in_notebook = ls.workspace.get_notebook_document(cell_uri=uri) is not None  # a cell's edit cannot fix the others
    if not in_notebook and _wanted(only, convert.FIX_ALL) and any(f.fixable for f in checked.result.findings):
        fixed = ls.fixed_text(uri, _path(document), checked.text)
        if fixed is not None:
            edit = convert.text_edit(checked.text, fixed, ls.encoding)
            actions.append(lsp.CodeAction("Fix all outplace auto-fixable problems", kind=convert.FIX_ALL,
                                          edit=convert.workspace_edit(uri, document.version, [edit])))
    return actions


def _finding_actions(ls: OutplaceServer, document: TextDocument, checked: Checked, finding: Finding,
                     lines: list[str]) -> list[lsp.CodeAction]:
    """The fix of one finding (when it has one that parses), and its `# noqa` suppression."""
    docs = ls.checker.rule_docs()
    diagnostic = convert.diagnostic(finding, lines, document.uri, ls.encoding, docs.get(finding.rule_id))
    actions = []
    if finding.fixable:
        fixed, applied = apply_fixes(checked.text, checked.result.findings, {finding.key})
        if applied:
            edit = convert.text_edit(checked.text, fixed, ls.encoding)
            actions.append(lsp.CodeAction(
                convert.fix_title(finding), kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                is_preferred=finding.safety is Safety.SAFE, edit=convert.workspace_edit(document.uri, document.version, [edit]),
            ))
    noqa = convert.noqa_edit(finding, lines, ls.encoding)
    actions.append(lsp.CodeAction(
        f"Suppress with `# noqa: {finding.rule_id}`", kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
        edit=convert.workspace_edit(document.uri, document.version, [noqa]),
    ))
    return actions


def _wanted(only: list[str] | None, kind: str) -> bool:
    """Whether a request limited to the kinds `only` asks for actions of `kind` (kinds are dotted prefixes)."""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


def _path(document: TextDocument) -> str:
    return os.path.abspath(document.path or document.uri)


def _open_files(ls: OutplaceServer) -> tuple[str, ...]:
    """The open documents' paths, sorted: `outplace check` on them all follows imports among them."""
    return tuple(sorted(_path(d) for d in ls.workspace.text_documents.values() if (d.path or "").endswith(".py")))


def main() -> None:
    """Serve over standard input and output until the client exits."""
    server.start_io()
