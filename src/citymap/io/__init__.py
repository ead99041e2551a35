"""Input and output at the edges: atomic writes, exports, imports, spreadsheets."""
