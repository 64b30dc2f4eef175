-- lpc-lsp for Neovim (0.9 or newer) with nvim-lspconfig.
-- Put this file in your config (e.g. ~/.config/nvim/lua/lpc.lua) and `require("lpc")`.

-- `.lpc` and `.h` are LPC; a `.c` file is LPC when its project has a driver config
-- or an lpc-config.json above it. Drop the `c` rule to keep `.c` files as C.
local function mudlib_root(path)
  local found = vim.fs.find(function(name, dir)
    if name == "lpc-config.json" then
      return true
    end
    return (name:match("^config%.") or name == "config") and vim.fs.basename(dir) == "etc"
  end, { path = vim.fs.dirname(path), upward = true, limit = 1 })
  return found[1]
end

vim.filetype.add({
  extension = {
    lpc = "lpc",
    h = function(path)
      return mudlib_root(path) and "lpc" or "c"
    end,
    c = function(path)
      return mudlib_root(path) and "lpc" or "c"
    end,
  },
})

local configs = require("lspconfig.configs")
local util = require("lspconfig.util")

if not configs.lpc_lsp then
  configs.lpc_lsp = {
    default_config = {
      cmd = { "lpc-lsp" },
      filetypes = { "lpc" },
      root_dir = util.root_pattern("lpc-config.json", "etc", ".git"),
      single_file_support = true,
      -- Leave driverConfig out (or null) to let the server search the workspace.
      init_options = {
        includeDirs = {},
        defines = vim.empty_dict(),
      },
      settings = {
        lpc = {},
      },
    },
  }
end

require("lspconfig").lpc_lsp.setup({})

-- The VS Code grammar has no Neovim counterpart; C highlighting is close enough.
vim.treesitter.language.register("c", "lpc")
