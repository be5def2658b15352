"""The command line's parts beside argparse (`symprop.cli`): reading `-` from standard
input and writing `-o -` to standard output (`streams`), the `new` and `examples`
commands (`starting`) and the examples and exit codes of every `--help` (`helptext`).
It may import every part below the public API; only `cli` imports it."""
