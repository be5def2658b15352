"""The self-check web page: symprop itself in the browser (Pyodide), no server.

`build.build(out_dir)` writes the static site (the Pyodide runtime from the `pyodide`
npm package, KaTeX, pure-Python wheels of symprop and its dependencies, and the small
front end in `static/`); `browser` is the module the page calls inside Pyodide.
"""
