"""`outplace server`: the findings and fixes of the engine in the editor, over the Language Server Protocol.

`convert` maps findings to LSP data (pure), `state` keeps what outlives one edit (configuration,
the project's file models), `app` wires both to pygls. Imported only by the `server` command, so
`outplace --help` never loads pygls.
"""
