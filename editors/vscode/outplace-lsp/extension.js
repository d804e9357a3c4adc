// The least of a VS Code extension: start `outplace server` for Python files and hand it to the
// language client; everything else (diagnostics, code actions, hover) is the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("outplace").get("path", "outplace");
  const server = { command, args: ["server"] };
  client = new LanguageClient("outplace", "outplace", server, {
    documentSelector: [{ scheme: "file", language: "python" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
