"""ELU was added as one record in symprop/model/functions.py and nothing else.

These tests prove that the one record was enough: the registry's derivative, the
SymPy engine, the fast path, graphs, every output and the checker all handle a
network with `activation = "elu"`, and its numbers agree with references that
share no code with symprop: sympy.diff of the composed loss, mpmath finite
differences, and PyTorch's torch.nn.functional.elu in float64.

ELU(z) = z for z > 0, exp(z) − 1 otherwise (alpha = 1): C¹ at 0, ELU′(0) = 1.
"""

import json
import shutil
import subprocess
import sys
import warnings
from decimal import Decimal

import mpmath as mp
import pytest
import sympy as sp

import symprop
from helpers import ROOT
from symprop.model.numeric import decimal
from symprop.core.verify import verify
from symprop.model.functions import ACTIVATIONS, GRAPH_FUNCTIONS, Conventions

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                               reason="pdflatex/pdftotext not installed (make test installs them)")

mp.mp.dps = 60
z = sp.Symbol("z", real=True)

# z1 = [-3/2, -22/15, 0, 7/6]: two units on the exp side, one at exactly 0, one linear
SPEC = {"title": "ELU net", "loss": "half_sse", "learning_rate": "1/10", "steps": 1,
        "data": {"x": ["1", "-2"], "y": ["1/2", "-1/4"]},
        "layers": [{"weights": [["1/2", "1"], ["-1", "1/3"], ["1", "1/2"], ["1/2", "-1/3"]],
                    "bias": ["0", "1/5", "0", "0"], "activation": "elu"},
                   {"weights": [["1", "-1", "2", "1/2"], ["-1/2", "1", "1", "1"]], "bias": ["1/4", "0"],
                    "activation": "elu"}]}


def solved(spec=SPEC):
    return symprop.solve(symprop.Problem.from_dict(spec))


def mp_elu(v):
    return v if v > 0 else mp.exp(v) - 1


def mp_loss(spec, flat):
    """The loss from numbers only (mpmath); flat: [W1, b1, W2, b2] as nested lists of mpf."""
    a = [mp.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in spec["data"]["x"]]
    for W, b in zip(flat[0::2], flat[1::2]):
        a = [mp_elu(sum(w * ak for w, ak in zip(row, a)) + bj) for row, bj in zip(W, b)]
    y = [mp.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in spec["data"]["y"]]
    return sum((ai - yi) ** 2 for ai, yi in zip(a, y)) / 2


def mp_params(spec):
    def n(v):
        r = sp.Rational(v)
        return mp.mpf(r.p) / r.q
    out = []
    for layer in spec["layers"]:
        out += [[[n(w) for w in row] for row in layer["weights"]], [n(v) for v in layer["bias"]]]
    return out


# -- (a) the record itself ------------------------------------------------------

def test_the_record_is_registered_as_activation_and_graph_function():
    record = ACTIVATIONS["elu"]
    assert GRAPH_FUNCTIONS["elu"] is record
    assert not record.relu_like and not record.rational          # no kink convention, closed forms


@pytest.mark.parametrize("c", [0, 1])
def test_textbook_derivative_equals_sympy_diff_of_the_elementary_form(c):
    """tests/test_registry.py runs this for every record; here it is at ELU's own points,
    0 included (ELU′(0) = 1 under either ReLU′(0) convention: ELU is C¹ there)."""
    conv = Conventions(c)
    record = ACTIVATIONS["elu"]
    f = record.elementary([z], conv)
    assert f.subs(z, 2) == 2 and f.subs(z, -1) == sp.exp(-1) - 1 and f.subs(z, 0) == 0
    for point in [sp.Rational(-5, 2), sp.Rational(-1, 7), 0, sp.Rational(1, 3), 3]:
        direct = sp.diff(f, z).subs(z, point)
        assert sp.simplify(direct - record.derivative(z, f, conv).subs(z, point)) == 0, point
    assert sp.diff(f, z).subs(z, 0) == 1


# -- (b) a layered net: sympy.diff of the composed loss, finite differences, fast path ---

def test_layered_elu_net_gradients_equal_sympy_diff_of_the_composed_loss():
    checks = verify(solved())
    assert len(checks) == 4 * 2 + 4 + 2 * 4 + 2
    assert all(c.ok for c in checks), [c.name for c in checks if not c.ok]


def test_layered_elu_net_against_mpmath_finite_differences():
    answers = solved().answers()
    assert answers["z1[3]"] == 0 and answers["a1[3]"] == 0        # the unit at exactly 0
    assert answers["a1[4]"] == sp.Rational(7, 6)                  # the linear side stays exact
    params = mp_params(SPEC)
    names = [("W", 1), ("b", 1), ("W", 2), ("b", 2)]
    for i, (kind, layer) in enumerate(names):
        shape = [(j, k) for j in range(len(params[i])) for k in range(len(params[i][j]))] \
            if kind == "W" else [(j, None) for j in range(len(params[i]))]
        for j, k in shape:
            def f(t, i=i, j=j, k=k):
                changed = [[list(r) for r in p] if isinstance(p[0], list) else list(p) for p in params]
                if k is None:
                    changed[i][j] = t
                else:
                    changed[i][j][k] = t
                return mp_loss(SPEC, changed)
            if k is None:
                name, base = f"dL/db{layer}[{j + 1}]", params[i][j]
            else:
                name, base = f"dL/dW{layer}[{j + 1},{k + 1}]", params[i][j][k]
            fd = mp.diff(f, base)
            got = mp.mpf(decimal(answers[name], 40))
            assert abs(got - fd) <= mp.mpf(10) ** -25 * max(1, abs(fd)), (name, str(got), str(fd))


def test_fast_path_returns_what_the_sympy_engine_returns():
    problem = symprop.Problem.from_dict(SPEC)
    fast = symprop.gradients(problem, engine="fast")
    ref = symprop.gradients(problem, engine="sympy")
    assert fast.engine == "fast" and ref.engine == "sympy"
    for a, b in zip(fast.steps, ref.steps):
        assert a.loss == b.loss and a.gradients == b.gradients and a.params_after == b.params_after
    assert fast.final_loss == ref.final_loss
    assert isinstance(fast.gradients["W1[1,1]"], Decimal)       # closed forms, certified digits


@pytest.mark.parametrize("convention", [0, 1])
def test_exact_zero_takes_the_exp_side_under_either_convention(convention):
    """z = 0 exactly: ELU(0) = 0 and ELU′(0) = exp(0) = 1, exact on both paths."""
    spec = {"loss": "half_sse", "learning_rate": "1/10", "relu_derivative_at_zero": convention,
            "data": {"x": ["1", "1"], "y": ["1/4"]},
            "layers": [{"weights": [["1/2", "-1/2"]], "activation": "elu"},
                       {"weights": [["3"]], "bias": ["1/3"], "activation": "identity"}]}
    problem = symprop.Problem.from_dict(spec)
    fast, ref = symprop.gradients(problem, engine="fast"), symprop.gradients(problem, engine="sympy")
    assert fast.gradients == ref.gradients
    # a = 1/3, δ2 = 1/3 − 1/4 = 1/12, δ1 = 3·1/12·ELU′(0) = 1/4
    assert fast.gradients["W1[1,1]"] == sp.Rational(1, 4) and fast.gradients["W1[1,2]"] == sp.Rational(1, 4)


def test_elu_after_a_closed_form_decides_its_side_by_certified_balls():
    spec = {"loss": "half_sse", "learning_rate": "1/2", "steps": 2,
            "data": {"x": ["1", "-2"], "y": ["1", "0"]},
            "layers": [{"weights": [["1/2", "1"], ["-1", "1/3"]], "activation": "tanh"},
                       {"weights": [["1", "-1"], ["-1", "1"]], "bias": ["0", "0"], "activation": "elu"},
                       {"weights": [["1", "2"], ["3", "-1"]], "activation": "identity"}]}
    problem = symprop.Problem.from_dict(spec)
    fast, ref = symprop.gradients(problem, engine="fast"), symprop.gradients(problem, engine="sympy")
    assert isinstance(fast.loss, Decimal)
    assert [s.gradients for s in fast.steps] == [s.gradients for s in ref.steps]
    assert fast.final_loss == ref.final_loss


# -- (c) PyTorch -------------------------------------------------------------------

def test_against_pytorch_elu_in_float64():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch = pytest.importorskip("torch")
    F = torch.nn.functional
    params = []
    for layer in SPEC["layers"]:
        W = torch.tensor([[float(sp.Rational(w)) for w in row] for row in layer["weights"]],
                         dtype=torch.float64, requires_grad=True)
        b = torch.tensor([float(sp.Rational(v)) for v in layer["bias"]], dtype=torch.float64,
                         requires_grad=True)
        params.append((W, b))
    a = torch.tensor([float(sp.Rational(v)) for v in SPEC["data"]["x"]], dtype=torch.float64)
    for W, b in params:
        a = F.elu(W @ a + b, alpha=1.0)
    y = torch.tensor([float(sp.Rational(v)) for v in SPEC["data"]["y"]], dtype=torch.float64)
    loss = ((a - y) ** 2).sum() / 2
    loss.backward()
    answers = solved().answers()
    assert abs(float(decimal(answers["loss"], 20)) - loss.item()) <= 1e-13
    for l, (W, b) in enumerate(params, start=1):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                got = float(decimal(answers[f"dL/dW{l}[{j + 1},{k + 1}]"], 20))
                assert abs(got - W.grad[j, k].item()) <= 1e-12 * max(1, abs(got)), (l, j, k)
            assert abs(float(decimal(answers[f"dL/db{l}[{j + 1}]"], 20)) - b.grad[j].item()) <= 1e-12


# -- (d) a graph ---------------------------------------------------------------------

@pytest.mark.parametrize("w, x", [("-1/2", "3"), ("1/2", "3"), ("0", "3")])
def test_graph_expression_elu_of_w_times_x(w, x):
    spec = {"loss": "half_sse", "learning_rate": "1/10", "steps": 1, "params": {"w": w},
            "data": {"x": x, "y": "1/4"}, "graph": {"h": "elu(w*x)", "output": "h"},
            "gradients_for": ["x"]}
    s = solved(spec)
    assert all(c.ok for c in verify(s))
    u = mp.mpf(sp.Rational(w).p) / sp.Rational(w).q * int(x)
    h = mp_elu(u)
    slope = 1 if u > 0 else mp.exp(u)
    answers = s.answers()
    for name, expected in [("h", h), ("dL/dw", (h - mp.mpf(1) / 4) * slope * int(x)),
                           ("dL/dx", (h - mp.mpf(1) / 4) * slope * mp.mpf(sp.Rational(w).p) / sp.Rational(w).q)]:
        got = mp.mpf(decimal(answers[name], 40))
        assert abs(got - expected) <= mp.mpf(10) ** -35 * max(1, abs(expected)), (name, got, expected)
    assert symprop.gradients(symprop.Problem.from_dict(spec)).engine == "sympy"
    assert "Convention: relu'(0)" not in str(s)                   # no ReLU-like kink in the graph


# -- (e) every output ----------------------------------------------------------------

def test_text_json_and_latex_outputs():
    s = solved()
    out = str(s)
    assert "activations elu, elu" in out
    assert "a1[1] = elu(z1[1]) = elu(-1.5) = -1 + exp(-3/2) ≈ -0.77687" in out
    assert "a1[3] = elu(z1[3]) = elu(0) = 0" in out
    assert "delta1 = (W2ᵀ delta2) ⊙ elu'(z1)" in out
    assert "Convention: relu'(0)" not in out
    data = json.loads(json.dumps(s.to_json()))
    assert data["answers"]["a1[1]"] == {"exact": "-1 + exp(-3/2)", "decimal": "-0.77686983985157"}
    assert data["answers"]["a1[4]"] == {"exact": "7/6", "decimal": "1.16666666666667"}
    tex = s.to_latex()
    assert r"a^{(1)}_{1} &= \operatorname{ELU}\left(z^{(1)}_{1}\right)" in tex
    assert r"\odot \operatorname{ELU}'\left(z^{(1)}\right)" in tex
    questions = s.to_latex(True)
    assert "0.77687" in tex and "0.77687" not in questions


@needs_tex
def test_answer_sheet_pdf_compiles(tmp_path):
    pdf = tmp_path / "elu.pdf"
    solved().to_pdf(pdf)
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    words = words.replace("−", "-")
    for shown in ("ELU", "0.77687", "1.16667"):
        assert shown in words, shown


# -- (f) the checker -----------------------------------------------------------------

def test_symprop_check_marks_answers_on_an_elu_net(tmp_path):
    problem = tmp_path / "elu.toml"
    problem.write_text(_toml(SPEC))
    answers = tmp_path / "answers.toml"
    answers.write_text('[answers]\n"z1[1]" = "-1"\n"a1[1]" = "-0.632121"\n"a1[2]" = "elu(-22/15)"\n'
                       '"a1[3]" = 0\n"dL/dW1[1,1]" = "0.5"\n')
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "symprop", "check", str(problem), str(answers),
                             "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1, result.stderr                 # some answers are wrong
    verdicts = {r["name"]: r["verdict"] for r in json.loads(result.stdout)["results"]}
    assert verdicts == {"z1[1]": "wrong", "a1[1]": "carried_forward", "a1[2]": "exact",
                        "a1[3]": "exact", "dL/dW1[1,1]": "wrong"}


def _toml(spec):
    lines = [f'title = "{spec["title"]}"', f'loss = "{spec["loss"]}"',
             f'learning_rate = "{spec["learning_rate"]}"', f'steps = {spec["steps"]}', "", "[data]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in spec["data"].items()]
    for layer in spec["layers"]:
        lines += ["", "[[layers]]", f'weights = {json.dumps(layer["weights"])}',
                  f'bias = {json.dumps(layer["bias"])}', f'activation = "{layer["activation"]}"']
    return "\n".join(lines) + "\n"
