-- Neovim as a foreign LSP client for test/lsp-neovim.test.ts: `nvim --headless --clean -u nvim-lsp.lua
-- model.nn` with NN_CMD (the server command, a JSON list), NN_OUT (where to write the result, JSON) and
-- NN_FIX (a line number and its replacement, JSON, optional). Starts the server with Neovim's built-in
-- client, waits for the diagnostics of the opened file (with NN_TOKENS=1, then asks for its semantic
-- tokens), then, with NN_FIX, edits the buffer (Neovim sends the change itself) and waits for the errors to be cleared. Writes what Neovim's diagnostic store
-- held at each step, then quits. Every wait has a timeout, so a silent server fails the test, not hangs it.
local out_path = vim.env.NN_OUT
local result = { steps = {} }

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(result) }, out_path)
  vim.cmd('qall!')
end

local function snapshot(name, ok)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(list, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, code = d.code, source = d.source,
    })
  end
  table.insert(result.steps, { name = name, ok = ok, diagnostics = list })
end

local function run()
  local cmd = vim.fn.json_decode(vim.env.NN_CMD)
  local config = { name = 'dslc', cmd = cmd, root_dir = vim.fn.getcwd() }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config) -- Neovim 0.8+: starts and attaches to the current buffer
  else
    client_id = vim.lsp.start_client(config) -- Neovim 0.7 (Debian 12)
    vim.lsp.buf_attach_client(0, client_id)
  end
  result.client = client_id ~= nil
  result.nvim = vim.version()
  local errors = { severity = vim.diagnostic.severity.ERROR }
  local ok = vim.wait(20000, function() return #vim.diagnostic.get(0, errors) > 0 end, 20)
  snapshot('open', ok)
  if vim.env.NN_TOKENS == '1' then
    -- The semantic tokens as Neovim receives them (0.9+ colours the buffer from these), with the legend it was given.
    local client = vim.lsp.get_client_by_id(client_id)
    local provider = client and client.server_capabilities and client.server_capabilities.semanticTokensProvider
    result.legend = provider and provider.legend
    local params = { textDocument = vim.lsp.util.make_text_document_params() }
    local resp = vim.lsp.buf_request_sync(0, 'textDocument/semanticTokens/full', params, 10000)
    local r = resp and resp[client_id]
    result.tokens = r and r.result and r.result.data
  end
  if vim.env.NN_FIX and vim.env.NN_FIX ~= '' then
    local fix = vim.fn.json_decode(vim.env.NN_FIX)
    vim.api.nvim_buf_set_lines(0, fix[1], fix[1] + 1, false, { fix[2] })
    ok = vim.wait(20000, function() return #vim.diagnostic.get(0, errors) == 0 end, 20)
    snapshot('fixed', ok)
  end
  local client = vim.lsp.get_client_by_id(client_id)
  result.server_name = client and client.server_capabilities and 'started' or 'none'
  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    local ok, err = pcall(run)
    if not ok then result.error = tostring(err) end
    finish()
  end,
})
