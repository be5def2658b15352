"""Packaging: every imported distribution declared with bounds, the version in one
place, and an sdist whose tests run (built with `build`, unpacked, a few test files
run from it) and whose wheel holds the package and its examples but no notebook."""

import ast
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile

import pytest

import symprop
from helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
DISTRIBUTION = {"flint": "python-flint", "tomli_w": "tomli-w"}     # import name → distribution


def _requirement(spec):
    name = re.match(r"[A-Za-z0-9_.-]+", spec)[0].lower().replace("_", "-")
    return name, spec[len(name):]


def _imported():
    """The top-level third-party modules the package imports (lazy imports too)."""
    out = set()
    for path in (ROOT / "symprop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            out.update(n.split(".")[0] for n in names)
    return {n for n in out if n not in sys.stdlib_module_names and n != "symprop"}


def test_every_imported_distribution_is_declared_with_bounds():
    """Imported at the top of a module: a dependency, or the `fast` extra's (numpy: limbs.py,
    imported only when it is installed; fast/base.have_numpy)."""
    declared = dict(_requirement(s) for s in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["fast"])
    for module in _imported():
        name = DISTRIBUTION.get(module, module).lower()
        assert name in declared, f"{module} is imported but {name} is not a dependency"
    for name, bounds in declared.items():
        assert ">=" in bounds and "<" in bounds.replace("<=", ""), f"{name} needs a lower and an upper bound"


def test_the_installed_versions_fit_the_bounds():
    from importlib.metadata import version

    for spec in PROJECT["dependencies"]:
        name, bounds = _requirement(spec)
        have = tuple(int(p) for p in re.findall(r"\d+", version(name))[:3])
        for op, v in re.findall(r"(>=|<)([\d.]+)", bounds):
            want = tuple(int(p) for p in v.split("."))
            assert (have >= want) if op == ">=" else (have < want), f"{name} {version(name)} vs {op}{v}"


def test_version_in_one_place():
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "symprop.__version__"}
    out = subprocess.run([sys.executable, "-m", "symprop", "--version"], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == f"symprop {symprop.__version__}"


def test_classifiers_name_the_tested_python():
    minor = f"Programming Language :: Python :: {sys.version_info[0]}.{sys.version_info[1]}"
    assert minor in PROJECT["classifiers"]
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]   # license = "MIT" says it
    assert (ROOT / "LICENSE").is_file()


def test_test_extra_runs_the_notebook_and_the_build():
    extra = {_requirement(s)[0] for s in PROJECT["optional-dependencies"]["test"]}
    assert {"pytest", "hypothesis", "nbclient", "nbformat", "ipykernel", "build"} <= extra


SUPPORT = ["tests/conftest.py", "tests/helpers.py", "tests/oracle.py", "LICENSE", "CHANGELOG.md",
           "README.md", "examples/tutorial.ipynb", "examples/two_layer_sigmoid.toml",
           "examples/answers/two_layer_sigmoid.toml", "symprop/examples/two_layer_sigmoid.toml"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    pytest.importorskip("build")
    pytest.importorskip("setuptools")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "-o", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (sdist,) = out.glob("symprop-*.tar.gz")
    with tarfile.open(sdist) as tar:
        tar.extractall(out, filter="data")
    return sdist, out / sdist.name[:-len(".tar.gz")]


def test_sdist_holds_what_the_tests_need(built):
    sdist, tree = built
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for path in SUPPORT + ["docs/tutorial.md"]:
        assert path in names, f"{path} is missing from the sdist"
    for folder in ("tests/published/", "tests/bad_inputs/"):
        here = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).iterdir() if p.is_file()}
        assert here and here <= names, f"{folder} is not wholly in the sdist"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_sdist_tests_run(built):
    _, tree = built
    files = ["tests/test_layers.py", "tests/test_published.py", "tests/test_examples.py"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
                         cwd=tree, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "passed" in run.stdout and "failed" not in run.stdout


def test_wheel_from_the_sdist(built, tmp_path):
    _, tree = built
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(tmp_path), str(tree)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("symprop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "symprop/examples/two_layer_sigmoid.toml" in names and "symprop/render/jupyter.py" in names
    assert not [n for n in names if n.endswith(".ipynb") or n.startswith("tests/")]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert f"Version: {symprop.__version__}" in meta and "Requires-Dist: mpmath" in meta
