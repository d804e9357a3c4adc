-- outplace's language server in Neovim 0.11+ (built-in LSP client, no plugin): diagnostics as you
-- type, each finding's fix and `# noqa` as code actions, the message and its chain on hover.
-- Put this file in your config (e.g. ~/.config/nvim/plugin/outplace-lsp.lua). It replaces the
-- nvim-lint recipe in outplace.lua: use one or the other.
vim.lsp.config("outplace", {
  cmd = { "outplace", "server" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", ".git" },
})
vim.lsp.enable("outplace")

-- Apply the file's safe fixes (what `outplace fix` writes) with <leader>of, or on save (below).
local function fix_all()
  vim.lsp.buf.code_action({ context = { only = { "source.fixAll.outplace" }, diagnostics = {} }, apply = true })
end
vim.keymap.set("n", "<leader>of", fix_all, { desc = "outplace: apply the safe fixes" })
-- vim.api.nvim_create_autocmd("BufWritePre", { pattern = "*.py", callback = fix_all })
