"""`outplace server` end to end: a real LSP client (pytest-lsp) over the server's standard input and output."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from fixer.core import engine
from fixer.core.registry import select_rules
from tests.conftest import Cli

ROOT = Path(__file__).resolve().parent.parent
MODEL = """import torch


def f(x):
    h = torch.sigmoid(x)
    h += 1
    h.mul_(2)
    return h


def g(x):
    y = torch.sigmoid(x)
    keep(y)
    y.mul_(2)
    return y
"""
DIAGNOSTICS = lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


pytestmark = pytest.mark.asyncio(loop_scope="module")  # one server for the module's tests: its start is most of their time


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "fixer", "server"],
    server_env={**os.environ, "PYTHONPATH": str(ROOT)},
))
async def client(lsp_client: LanguageClient, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("workspace")

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams) -> None:  # the server asks to watch pyproject.toml files
        registered.extend(r.method for r in params.registrations)

    registered: list[str] = []
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri(),
    ))
    yield
    await lsp_client.shutdown_session()


async def open_document(client: LanguageClient, path: Path, text: str) -> list[lsp.Diagnostic]:
    """Open `path` (in a project of its own: a pyproject.toml beside it) with `text` and wait for its diagnostics."""
    if not (path.parent / "pyproject.toml").exists():
        (path.parent / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    path.write_text(text)
    waiting = client.wait_for_notification(DIAGNOSTICS)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(path.as_uri(), "python", 1, text)))
    await asyncio.wait_for(waiting, 30)
    return list(client.diagnostics[path.as_uri()])


async def change_document(client: LanguageClient, path: Path, version: int, text: str) -> list[lsp.Diagnostic]:
    """Replace the document's text and wait for its new diagnostics."""
    waiting = client.wait_for_notification(DIAGNOSTICS)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(version=version, uri=path.as_uri()),
        [lsp.TextDocumentContentChangeWholeDocument(text=text)],
    ))
    await asyncio.wait_for(waiting, 30)
    return list(client.diagnostics[path.as_uri()])


async def code_actions(client: LanguageClient, path: Path, where: lsp.Range, only: list[str] | None = None) -> list[lsp.CodeAction]:
    found = await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(path.as_uri()), where, lsp.CodeActionContext(diagnostics=[], only=only),
    ))
    return [action for action in found or [] if isinstance(action, lsp.CodeAction)]


def applied(text: str, edit: lsp.WorkspaceEdit) -> str:
    """`text` with the one document edit of `edit` applied, as a client does (UTF-16 positions)."""
    (change,) = edit.document_changes or []
    assert isinstance(change, lsp.TextDocumentEdit)
    lines = text.splitlines(keepends=True) + [""]
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: lsp.Position) -> int:
        line = lines[position.line]
        chars, units = 0, 0
        while units < position.character:
            units += len(line[chars].encode("utf-16-le")) // 2
            chars += 1
        return offsets[position.line] + chars

    for text_edit in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        assert isinstance(text_edit, lsp.TextEdit)
        text = text[: offset(text_edit.range.start)] + text_edit.new_text + text[offset(text_edit.range.end) :]
    return text


def whole(text: str) -> lsp.Range:
    return lsp.Range(lsp.Position(0, 0), lsp.Position(len(text.splitlines()), 0))


async def test_open_publishes_each_finding_with_its_rule_severity_and_saving_line(client: LanguageClient, tmp_path: Path) -> None:
    found = await open_document(client, tmp_path / "model.py", MODEL)
    assert [(d.code, d.range.start.line, d.range.start.character, d.severity) for d in found] == [
        ("IP101", 5, 4, lsp.DiagnosticSeverity.Error),
        ("IP102", 6, 4, lsp.DiagnosticSeverity.Error),
        ("IP102", 13, 4, lsp.DiagnosticSeverity.Error),
    ]
    first = found[0]
    assert first.source == "outplace" and first.message.startswith("`h` is the output of `torch.sigmoid` (line 5)")
    assert first.range.end == lsp.Position(5, 10)
    (related,) = first.related_information or []
    assert related.location.range.start == lsp.Position(4, 4) and "torch.sigmoid" in related.message
    assert first.code_description is not None and first.code_description.href.endswith("IP101.md")
    assert Path(first.code_description.href.removeprefix("file://")).read_text().startswith("IP101 augmented-assignment")
    assert first.data["explain"] == "outplace explain IP101"


async def test_fix_all_source_action_writes_what_outplace_fix_writes(client: LanguageClient, tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "model.py"
    await open_document(client, path, MODEL)
    (action,) = await code_actions(client, path, whole(MODEL), only=["source.fixAll"])
    assert action.kind == "source.fixAll.outplace" and action.edit is not None
    fixed = cli("fix", "--stdin-filename", "model.py", "-", stdin=MODEL.encode()).stdout
    assert fixed != MODEL
    assert applied(MODEL, action.edit) == fixed


async def test_each_finding_offers_its_fix_titled_with_its_safety_and_a_noqa(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    found = await open_document(client, path, MODEL)
    unsafe = found[2]
    actions = await code_actions(client, path, unsafe.range)
    assert [a.title for a in actions] == [
        "Rebind the receiver to the out-of-place result (IP102, unsafe: `y`'s tensor reaches `keep(y)` (line 13), "
        "which may keep a reference that sees the in-place write)",
        "Suppress with `# noqa: IP102`",
        "Fix all outplace auto-fixable problems",  # the file's safe fixes: the other function's
    ]
    assert actions[0].kind == lsp.CodeActionKind.QuickFix and not actions[0].is_preferred
    rules = select_rules()
    planned = engine.plan(MODEL, str(path), rules)
    key = planned.findings[2].key
    assert applied(MODEL, actions[0].edit) == engine.fix(MODEL, str(path), rules, lambda f: f.key == key).new_text  # type: ignore[arg-type]
    suppressed = applied(MODEL, actions[1].edit)  # type: ignore[arg-type]
    assert "    y.mul_(2)  # noqa: IP102\n" in suppressed
    assert [d.code for d in await change_document(client, path, 2, suppressed)] == ["IP101", "IP102"]

    safe = (await code_actions(client, path, found[0].range))[0]
    assert safe.title == "Rewrite as an out-of-place assignment (IP101, safe)" and safe.is_preferred


async def test_editing_changes_the_diagnostics_and_hover_shows_the_chain(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    await open_document(client, path, MODEL)
    edited = MODEL.replace("    h += 1\n", "")
    assert [(d.code, d.range.start.line) for d in await change_document(client, path, 2, edited)] == [("IP102", 5), ("IP102", 12)]
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(path.as_uri()), lsp.Position(5, 6)))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    assert "`h.mul_(2)` at line 6 makes backward fail" in hover.contents.value
    assert "- line 5: `h` is the output of `torch.sigmoid`" in hover.contents.value
    nothing = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(path.as_uri()), lsp.Position(0, 0)))
    assert nothing is None
    assert await change_document(client, path, 3, "import torch\n") == []


async def test_a_syntax_error_is_one_diagnostic_and_the_server_keeps_serving(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    (error,) = await open_document(client, path, "import torch\nx = (\nx += 1\n")
    assert error.severity == lsp.DiagnosticSeverity.Error and error.message.startswith("parse error:")
    assert [d.code for d in await change_document(client, path, 2, MODEL)] == ["IP101", "IP102", "IP102"]


async def test_a_malformed_request_gets_an_error_and_the_server_keeps_running(client: LanguageClient, tmp_path: Path) -> None:
    answer = asyncio.get_running_loop().create_future()
    client.protocol._request_futures["malformed"] = answer  # the client's own serializer refuses such params
    client.protocol._send_data({"jsonrpc": "2.0", "id": "malformed", "method": lsp.TEXT_DOCUMENT_HOVER, "params": {"textDocument": 3}})
    with pytest.raises(JsonRpcException) as raised:
        await asyncio.wait_for(answer, 30)
    assert raised.value.code == JsonRpcInvalidParams.CODE
    assert len(await open_document(client, tmp_path / "model.py", MODEL)) == 3


async def test_pyproject_configuration_applies_and_is_read_again_when_it_changes(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    (tmp_path / "pyproject.toml").write_text("[tool.outplace]\nignore = ['IP101']\n")
    assert [d.code for d in await open_document(client, path, MODEL)] == ["IP102", "IP102"]
    (tmp_path / "pyproject.toml").write_text("[tool.outplace]\nselect = ['IP101']\n")
    os.utime(tmp_path / "pyproject.toml", ns=(0, 10**18))  # a different modification time whatever the clock's resolution
    waiting = client.wait_for_notification(DIAGNOSTICS)
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(path.as_uri())))
    await asyncio.wait_for(waiting, 30)
    assert [d.code for d in client.diagnostics[path.as_uri()]] == ["IP101"]


async def test_a_notebook_is_checked_as_its_joined_cells_with_diagnostics_in_each_cell(client: LanguageClient, tmp_path: Path) -> None:
    notebook = (tmp_path / "nb.ipynb").as_uri()
    cells = ["import torch\n%time 1", "# notes", "x = torch.ones(2, requires_grad=True)\ny = x.sigmoid()\ny.exp_()"]
    kinds = [lsp.NotebookCellKind.Code, lsp.NotebookCellKind.Markup, lsp.NotebookCellKind.Code]
    uris = [f"vscode-notebook-cell:{tmp_path}/nb.ipynb#cell{i}" for i in range(3)]
    waiting = client.wait_for_notification(DIAGNOSTICS)
    client.notebook_document_did_open(lsp.DidOpenNotebookDocumentParams(
        lsp.NotebookDocument(notebook, "jupyter-notebook", 1, [lsp.NotebookCell(kind, uri) for kind, uri in zip(kinds, uris)]),
        [lsp.TextDocumentItem(uri, "python" if kind == lsp.NotebookCellKind.Code else "markdown", 1, text)
         for uri, kind, text in zip(uris, kinds, cells)],
    ))
    await asyncio.wait_for(waiting, 30)
    for _ in range(50):  # one notification per code cell
        if uris[2] in client.diagnostics and uris[0] in client.diagnostics:
            break
        await asyncio.sleep(0.1)
    assert list(client.diagnostics[uris[0]]) == [] and uris[1] not in client.diagnostics
    (found,) = client.diagnostics[uris[2]]
    assert found.code == "IP102" and found.range.start == lsp.Position(2, 0)
    assert found.message.startswith("`y` is the output of `.sigmoid()` (line 2)")  # lines of the cell, as `check` says
    (related,) = found.related_information or []
    assert related.location.uri == uris[2] and related.location.range.start.line == 1


LAYERS = "import torch\nfrom torch import nn\n\n\nclass Gate(nn.Module):\n    def forward(self, x):\n        return torch.sigmoid(x)\n"
NET = """import torch
from torch import nn

from layers import Gate


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = Gate()

    def forward(self, x):
        h = self.gate(x)
        h.mul_(2)
        return h
"""


async def test_an_imported_file_is_read_as_the_editor_holds_it_and_its_importers_follow_its_edits(
    client: LanguageClient, tmp_path: Path,
) -> None:
    layers, model = tmp_path / "layers.py", tmp_path / "model.py"
    harmless = LAYERS.replace("torch.sigmoid(x)", "x * 2")
    await open_document(client, layers, harmless)
    assert await open_document(client, model, NET) == []
    await change_document(client, layers, 2, LAYERS)  # unsaved: on disk `Gate` still saves nothing
    for _ in range(50):  # the importer is checked again once the debounce window has passed
        if client.diagnostics[model.as_uri()]:
            break
        await asyncio.sleep(0.1)
    (found,) = client.diagnostics[model.as_uri()]
    assert found.code == "IP102" and "through `torch.sigmoid`" in found.message
    assert layers.read_text() == harmless


async def test_an_invalid_configuration_is_shown_once_and_the_defaults_apply(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.outplace]\nselect = ['IP999']\n")
    assert len(await open_document(client, tmp_path / "model.py", MODEL)) == 3
    await change_document(client, tmp_path / "model.py", 2, MODEL + "\n")
    (shown,) = [m for m in client.messages if "outplace" in m.message]
    assert shown.type == lsp.MessageType.Error and "unknown rule code 'IP999'" in shown.message


async def test_a_burst_of_changes_is_checked_at_most_once_per_window_and_ends_on_the_last_text(
    client: LanguageClient, tmp_path: Path,
) -> None:
    path = tmp_path / "model.py"
    await open_document(client, path, MODEL)
    published: list[int | None] = []

    async def listen() -> None:
        while True:
            published.append((await client.wait_for_notification(DIAGNOSTICS)).version)

    listener = asyncio.ensure_future(listen())
    edits = [MODEL.replace("    return h\n", "    return h\n" * n, 1) for n in range(2, 8)]
    for version, text in enumerate(edits, start=2):
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=path.as_uri()),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        ))
        await asyncio.sleep(0.02)
    await asyncio.sleep(1)
    listener.cancel()
    assert published and published[-1] == len(edits) + 1  # the last text was checked
    assert len(published) <= 2  # the open's check was under 0.3 s ago: one check for the whole burst
