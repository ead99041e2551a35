"""The ``citymap`` command line: a thin group (main.py) and one module per subcommand."""
