"""Write the self-check page as a static folder: `build(out_dir)`.

Everything the page needs is in that one flat folder, found by relative paths, so any
static host serves it (no CDN at run time):

- the front end (static/index.html, app.js, style.css);
- the Pyodide runtime (pyodide.js, pyodide.asm.js/.wasm, python_stdlib.zip and the
  lock file) and KaTeX (katex.min.js/.css and its woff2 fonts), from the npm packages
  `pyodide` and `katex` (npm install into the cache, pinned below);
- wheels of symprop's pure-Python dependencies (sympy, mpmath, pylatex, ordered-set,
  tomli-w) at the versions installed here, from PyPI through pip (`pip wheel --no-deps`,
  which downloads a published wheel or builds one from the sdist), cached;
- symprop itself, zipped from the package this code runs from (python-flint has no
  Pyodide build: the page runs the SymPy engine; only symprop.gradients needs flint);
- both compiled to bytecode by Pyodide's own Python under node (precompile.js): two
  zips of site-packages, python-packages.zip and symprop-VERSION.zip;
- site.js: the list of zips (a script, so no fetch is needed to find them).

The cache (SYMPROP_WEB_CACHE, default ~/.cache/symprop/web) makes later builds offline.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata, resources
from pathlib import Path

from ..errors import OutputError
from ..output.folder import check_folder, write_folder

__all__ = ["build", "PYODIDE", "KATEX", "DEPENDENCIES"]

PYODIDE = "0.29.3"      # Python 3.13 in the browser
KATEX = "0.16.22"
DEPENDENCIES = ["sympy", "mpmath", "PyLaTeX", "ordered-set", "tomli_w"]
RUNTIME = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
           "pyodide-lock.json"]
FRONT = ["index.html", "app.js", "style.css"]


class WebBuildError(OutputError):
    """A part of the page that could not be had (npm or PyPI unreachable, no npm)."""


def cache_dir():
    return Path(os.environ.get("SYMPROP_WEB_CACHE") or Path.home() / ".cache" / "symprop" / "web")


def _run(cmd, what):
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        raise WebBuildError(f"{what}: {cmd[0]} is not installed", source="symprop web") from None
    except subprocess.TimeoutExpired:
        raise WebBuildError(f"{what}: {cmd[0]} took longer than 10 minutes", source="symprop web") from None
    if done.returncode:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["(no output)"]
        raise WebBuildError(f"{what} failed: {last[0][:300]}", source="symprop web")


def npm_files(cache):
    """{name: bytes} of the Pyodide runtime and KaTeX (fonts flattened beside the CSS)."""
    prefix = cache / f"npm-pyodide{PYODIDE}-katex{KATEX}"
    modules = prefix / "node_modules"
    if not (modules / "pyodide" / "pyodide.asm.wasm").is_file() or not (modules / "katex" / "dist").is_dir():
        prefix.mkdir(parents=True, exist_ok=True)
        _run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(prefix),
              f"pyodide@{PYODIDE}", f"katex@{KATEX}"], "npm install pyodide and katex")
    files = {name: (modules / "pyodide" / name).read_bytes() for name in RUNTIME}
    dist = modules / "katex" / "dist"
    files["katex.min.js"] = (dist / "katex.min.js").read_bytes()
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    files["katex.min.css"] = css.replace("url(fonts/", "url(").encode()
    for font in sorted((dist / "fonts").glob("*.woff2")):
        files[font.name] = font.read_bytes()
    return files


def dependency_wheels(cache):
    """{wheel file name: bytes}: the installed versions of DEPENDENCIES, pure Python."""
    wanted = [f"{name}=={metadata.version(name)}" for name in DEPENDENCIES]
    folder = cache / "wheels"
    folder.mkdir(parents=True, exist_ok=True)

    def have(spec):
        name, version = spec.split("==")
        stem = name.replace("-", "_").lower()
        return [p for p in folder.glob("*.whl")
                if p.name.lower().startswith(f"{stem}-{version}-") and p.name.endswith("-none-any.whl")]

    missing = [spec for spec in wanted if not have(spec)]
    if missing:
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--prefer-binary",
              "-w", str(folder), *missing], "pip wheel " + " ".join(missing))
    out = {}
    for spec in wanted:
        found = have(spec)
        if not found:
            raise WebBuildError(f"no pure-Python wheel of {spec} (Pyodide needs one)", source="symprop web")
        out[found[0].name] = found[0].read_bytes()
    return out


def symprop_zip():
    """The symprop package this code runs from, zipped (Python files and package data;
    the front end's own files stay out: the page loads them itself)."""
    root = Path(resources.files("symprop"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root.parent)
            if (path.is_file() and "__pycache__" not in rel.parts and path.suffix in (".py", ".toml")
                    and "static" not in rel.parts):
                zf.writestr(zipfile.ZipInfo(rel.as_posix(), (2020, 1, 1, 0, 0, 0)), path.read_bytes())
    return buf.getvalue()


def compiled(cache, archives, label):
    """One zip of site-packages holding `archives` ({name: bytes}: wheels and zips)
    compiled to bytecode by Pyodide's own Python under node (precompile.js), cached by
    content: importing SymPy from source in the browser would take seconds longer."""
    digest = hashlib.sha256(PYODIDE.encode())
    for name in sorted(archives):
        digest.update(name.encode() + b"\0" + hashlib.sha256(archives[name]).digest())
    target = cache / "compiled" / f"{label}-{digest.hexdigest()[:16]}.zip"
    if not target.is_file():
        work = cache / "compiled" / f"tmp-{os.getpid()}"
        work.mkdir(parents=True, exist_ok=True)
        try:
            for name, data in archives.items():
                (work / name).write_bytes(data)
            script = Path(resources.files("symprop") / "web" / "precompile.js")
            runtime = cache / f"npm-pyodide{PYODIDE}-katex{KATEX}" / "node_modules" / "pyodide"
            _run(["node", str(script), str(runtime), str(work / "out.zip"),
                  *(str(work / name) for name in sorted(archives))], f"compiling {label} for Pyodide")
            os.replace(work / "out.zip", target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target.read_bytes()


def front_files():
    static = resources.files("symprop") / "web" / "static"
    return {name: (static / name).read_bytes() for name in FRONT}


def build(out_dir, force=False, cache=None):
    """Write the page into `out_dir` (all or nothing, with symprop's manifest); the
    names written, sorted."""
    from .. import __version__

    cache = Path(cache) if cache is not None else cache_dir()
    check_folder(os.fspath(out_dir), FRONT + RUNTIME, force=force, group="web")  # before downloading
    files = {**front_files(), **npm_files(cache)}
    wheels = dependency_wheels(cache)
    packages = {"python-packages.zip": compiled(cache, wheels, "dependencies"),
                f"symprop-{__version__}.zip": compiled(cache, {"symprop.zip": symprop_zip()}, "symprop")}
    files.update(packages)
    site = {"symprop": __version__, "pyodide": PYODIDE, "katex": KATEX, "wheels": sorted(packages),
            "built_from": sorted(wheels)}
    files["site.js"] = "window.SYMPROP_SITE = " + json.dumps(site, indent=1) + ";\n"
    return write_folder(os.fspath(out_dir), files, force=force, group="web")


def serve(out_dir, port=8000, host="127.0.0.1", ready=None):
    """Serve `out_dir` over HTTP on localhost until interrupted (.wasm as application/wasm)."""
    import functools
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                          ".wasm": "application/wasm", ".mjs": "text/javascript",
                          ".js": "text/javascript", ".whl": "application/zip"}

        def log_message(self, *args):
            pass

    handler = functools.partial(Handler, directory=os.fspath(out_dir))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        if ready is not None:
            ready(f"http://{host}:{server.server_address[1]}/")
        server.serve_forever()
