"""From pip install to a first worksheet: the wheel, installed into a fresh venv and run
from a folder outside the repository, lists and writes its bundled examples, writes a
starter problem, solves it, and writes a PDF worksheet.

Offline: the wheel is built without build isolation (setuptools of the test's own
environment) from a copy of the package, so the repository gets no build/ folder;
it is installed with --no-deps, and the fresh venv sees the dependencies (sympy,
pylatex, python-flint, tomli-w) through a .pth line naming this environment's
site-packages. A path in a .pth file is not a site directory, so the editable
install of the repository there stays inactive: the test checks that `symprop`
is imported from the fresh venv."""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from helpers import ROOT


def sh(*args, cwd, env=None, timeout=120):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                            env=env, timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"):   # what the
        if (ROOT / name).exists():                                           # metadata names
            shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "symprop", src / "symprop",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    sh(sys.executable, "-m", "pip", "wheel", src, "--no-deps", "--no-build-isolation",
       "--no-index", "-q", "-w", tmp / "dist", cwd=tmp)
    (wheel,) = (tmp / "dist").glob("symprop-*.whl")
    venv = tmp / "venv"
    sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    python = venv / "bin" / "python"
    purelib = Path(sh(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                      cwd=tmp).strip())
    (purelib / "deps-of-the-test.pth").write_text(sysconfig.get_path("purelib") + "\n")
    sh(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
       "-q", wheel, cwd=tmp)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = tmp / "work"
    work.mkdir()
    return venv, work, env, wheel


def test_the_wheel_ships_the_examples(installed):
    import zipfile

    names = zipfile.ZipFile(installed[3]).namelist()
    examples = sorted(p.name for p in (ROOT / "symprop" / "examples").glob("*.toml"))
    assert examples and all(f"symprop/examples/{n}" in names for n in examples)
    assert any(n.startswith("symprop/examples/answers/") for n in names)


def test_from_install_to_a_first_worksheet(installed):
    venv, work, env, _ = installed
    symprop = venv / "bin" / "symprop"
    where = sh(venv / "bin" / "python", "-c", "import symprop; print(symprop.__file__)",
               cwd=work, env=env)
    assert where.startswith(str(venv)), where                 # the wheel, not the repository
    listing = sh(symprop, "examples", cwd=work, env=env)
    assert "two_layer_sigmoid  Two-layer sigmoid network" in listing
    sh(symprop, "examples", "two_layer_sigmoid", cwd=work, env=env)
    sh(symprop, "examples", "two_layer_sigmoid", "--answers", cwd=work, env=env)
    assert "wrote demo.toml" in sh(symprop, "new", "demo", "--kind", "layered", cwd=work, env=env)
    assert "The loss went down" in sh(symprop, "solve", "demo.toml", cwd=work, env=env)
    report = subprocess.run([symprop, "check", "two_layer_sigmoid.toml",
                             "two_layer_sigmoid-answers.toml"], cwd=work, env=env,
                            capture_output=True, text=True, timeout=120)
    assert report.returncode in (0, 1) and report.stdout, report.stderr
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed: the PDF step is skipped")
    sh(symprop, "solve", "two_layer_sigmoid.toml", "--pdf", cwd=work, env=env, timeout=180)
    assert (work / "output" / "two_layer_sigmoid.pdf").read_bytes().startswith(b"%PDF")
