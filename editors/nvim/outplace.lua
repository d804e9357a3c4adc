-- outplace in Neovim: diagnostics with nvim-lint, fixes with conform.nvim.
-- Both hand the buffer to outplace on standard input, so unsaved edits are checked too.

-- nvim-lint: `outplace check --format json -` reads the buffer; findings become diagnostics.
local lint = require("lint")
lint.linters.outplace = {
  cmd = "outplace",
  stdin = true,
  args = { "check", "--format", "json", "--stdin-filename", function() return vim.api.nvim_buf_get_name(0) end, "-" },
  stream = "stdout",
  ignore_exitcode = true, -- 1 means "findings", 2 "could not parse": the JSON says which
  parser = function(output, _)
    local diagnostics = {}
    local ok, data = pcall(vim.json.decode, output)
    if not ok or type(data) ~= "table" then
      return diagnostics
    end
    for _, f in ipairs(data.findings) do
      -- Lines and columns are 1-based in outplace's JSON, 0-based in Neovim's diagnostics.
      table.insert(diagnostics, {
        lnum = f.span.start_line - 1,
        col = f.span.start_col - 1,
        end_lnum = f.span.end_line - 1,
        end_col = f.span.end_col - 1,
        severity = f.severity == "error" and vim.diagnostic.severity.ERROR or vim.diagnostic.severity.WARN,
        source = "outplace",
        code = f.rule_id,
        message = f.message .. " (fix: " .. f.safety .. ")",
      })
    end
    return diagnostics
  end,
}
lint.linters_by_ft.python = { "outplace" }
vim.api.nvim_create_autocmd({ "BufWritePost", "InsertLeave" }, {
  callback = function() lint.try_lint() end,
})

-- conform.nvim: `outplace fix -` prints the buffer with the safe fixes applied.
require("conform").formatters.outplace = {
  command = "outplace",
  args = { "fix", "--stdin-filename", "$FILENAME", "-" },
  stdin = true,
  exit_codes = { 0, 1 }, -- 1: findings without a safe fix remain; the output is still the whole buffer
}
-- Run it on demand (:lua require("conform").format({ formatters = { "outplace" } })) or add
-- "outplace" to formatters_by_ft.python to apply it on every save.
