// Run by symprop/web/build.py under node: unpack the wheels into Pyodide's own Python
// (the one the page runs), leave out the test suites (sympy's and mpmath's tests are
// never imported), compile every module to bytecode beside its source (legacy .pyc:
// Python imports them without the .py, and unpacked files' times do not matter), keep
// only the bytecode, and write one zip of site-packages.
// usage: node precompile.js PYODIDE_DIR OUT.zip WHEEL...
const fs = require("fs");
const path = require("path");
const [pyodideDir, outZip, ...wheels] = process.argv.slice(2);
const { loadPyodide } = require(path.join(pyodideDir, "pyodide.js"));

(async () => {
  const py = await loadPyodide({ indexURL: pyodideDir + path.sep });
  const dir = "/build/site-packages";
  py.FS.mkdirTree(dir);
  for (const wheel of wheels) py.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "zip", { extractDir: dir });
  py.runPython(`
import compileall, pathlib, shutil
root = pathlib.Path("${dir}")
for tests in sorted(root.glob("*/**/tests"), reverse=True):
    if tests.is_dir() and tests.parts[len(root.parts)] != "symprop":
        shutil.rmtree(tests)
if not compileall.compile_dir(root, quiet=1, legacy=True):
    raise SystemExit("a module did not compile")
for source in root.rglob("*.py"):
    if source.with_suffix(".pyc").is_file():
        source.unlink()
shutil.make_archive("/build/packages", "zip", root)
`);
  fs.writeFileSync(outZip, py.FS.readFile("/build/packages.zip"));
})().catch((err) => { console.error(String(err)); process.exit(1); });
