"""python-flint is optional (Pyodide has no build of it): without it `import symprop`
works, and so do load, solve, check, variants and an exam; `symprop.gradients` uses
the SymPy engine (engine="auto") and returns the values the fast path returns here,
with flint, or raises FlintMissing naming `pip install python-flint` (engine="fast").

The blocked interpreter is a subprocess with sys.modules["flint"] = None, so every
`import flint` raises ImportError as when the package is absent."""

import json
import subprocess
import sys

import symprop
from helpers import EXAMPLES

SCRIPT = r"""
import json, sys
sys.modules["flint"] = None                      # import flint raises ImportError
import symprop
from symprop.cli import main
out = {}
for name in sys.argv[1].split(","):
    problem = symprop.load(sys.argv[2] + "/" + name + ".toml")
    solution = symprop.solve(problem)
    report = symprop.check(solution, symprop.load_answers(sys.argv[2] + "/answers/" + name + ".toml"))
    g = symprop.gradients(problem)
    try:
        symprop.gradients(problem, engine="fast")
        fast_error = None
    except symprop.fast.FlintMissing as exc:
        fast_error = [isinstance(exc, ImportError), str(exc)]
    out[name] = {
        "loss": str(solution.steps[0].loss), "report": report.to_json(),
        "engine": g.engine, "grad_loss": [type(g.loss).__name__, str(g.loss)],
        "final": [type(g.final_loss).__name__, str(g.final_loss)],
        "gradients": {k: [type(v).__name__, str(v)] for k, v in g.gradients.items()},
        "after": {k: [type(v).__name__, str(v)] for k, v in g.steps[0].params_after.items()},
        "tensor": [str(v) for v in g.grad(g.names[0]).values()] if g.names else [],
        "fast_error": fast_error,
    }
drawn = symprop.variants(symprop.load(sys.argv[2] + "/two_layer_relu.toml"), 3, 7)
out["variants"] = [str(v.network.layers[0].weights) for v in drawn]
out["exam"] = main(["exam", sys.argv[2] + "/two_layer_relu.toml", "--variants", "2", "--out", sys.argv[3], "-q"])
out["flint_loaded"] = any(m == "flint" or m.startswith("flint.") for m, v in sys.modules.items() if v is not None)
print(json.dumps(out))
"""

NAMES = ["two_layer_relu", "two_layer_sigmoid", "relu_2_3_1"]


def _shown(v):
    return [type(v).__name__, str(v)]


def test_symprop_works_without_python_flint(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, ",".join(NAMES), str(EXAMPLES), str(tmp_path / "exam")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["flint_loaded"] is False
    assert out["exam"] == 0 and any((tmp_path / "exam").iterdir())
    for name in NAMES:
        got = out[name]
        problem = symprop.load(EXAMPLES / f"{name}.toml")
        solution = symprop.solve(problem)
        report = symprop.check(solution, symprop.load_answers(EXAMPLES / "answers" / f"{name}.toml"))
        assert got["loss"] == str(solution.steps[0].loss)
        assert got["report"] == json.loads(json.dumps(report.to_json()))
        # without flint: the SymPy engine; here, with flint, the fast path: the same values and types
        fast = symprop.gradients(problem, engine="fast")
        assert fast.engine == "fast" and got["engine"] == "sympy"
        assert got["grad_loss"] == _shown(fast.loss)
        assert got["final"] == _shown(fast.final_loss)
        assert got["gradients"] == {k: _shown(v) for k, v in fast.gradients.items()}
        assert got["after"] == {k: _shown(v) for k, v in fast.steps[0].params_after.items()}
        assert got["tensor"] == [str(v) for v in fast.grad(fast.names[0]).values()]
        is_import_error, message = got["fast_error"]
        assert is_import_error and "pip install python-flint" in message
    drawn = symprop.variants(symprop.load(EXAMPLES / "two_layer_relu.toml"), 3, 7)
    assert out["variants"] == [str(v.network.layers[0].weights) for v in drawn]


def test_importing_symprop_does_not_import_the_kernel():
    # (SymPy itself tries `import flint` for its ground types; symprop's kernel waits for a call)
    done = subprocess.run([sys.executable, "-c", "import sys, symprop; "
                           "print(sorted(m for m in ('symprop.fast.kernel', 'symprop.fast.matrices', "
                           "'symprop.fast.reading', 'symprop.fast.rules') "
                           "if m in sys.modules))"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
