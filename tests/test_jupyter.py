"""Jupyter displays: a Solution in sections, nothing cut silently; short reprs and
Markdown tables for Gradients, Report, Problem and Derivation; the tutorial notebook
executed with nbclient where it is installed."""

import re

import pytest

import symprop
from symprop.render import jupyter
from helpers import EXAMPLES, ROOT


def _net(sizes, steps=1):
    """A layered sigmoid net of the given sizes (inputs first), small exact weights."""
    layers = []
    for l, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), 1):
        rows = ", ".join("[" + ", ".join(f"{((j + k + l) % 5 + 1) / 10}" for k in range(n_in)) + "]"
                         for j in range(n_out))
        layers.append(f"[[layers]]\nweights = [{rows}]\nbias = [{', '.join(['0.1'] * n_out)}]\n"
                      f'activation = "sigmoid"\n')
    x = ", ".join(["0.5"] * sizes[0])
    y = ", ".join(["0.5"] * sizes[-1])
    text = (f'title = "net {sizes}"\nloss = "half_sse"\nlearning_rate = 0.5\nsteps = {steps}\n'
            f"[data]\nx = [{x}]\ny = [{y}]\n" + "\n".join(layers))
    return symprop.loads(text)


@pytest.fixture(scope="module")
def sigmoid():
    return symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))


def test_solution_markdown_has_every_section(sigmoid):
    text = sigmoid._repr_markdown_()
    headings = re.findall(r"^#### (.+)$", text, re.M)
    assert headings == ["Problem", "Forward pass", "Loss", "Backward pass", "Gradients", "Update",
                        "After the update"]
    assert text.startswith("### Two-layer sigmoid network")
    # every quantity is there, each once, in $$ aligned displays MathJax typesets
    assert text.count(r"\\") + text.count(r"\begin{aligned}") == len(sigmoid.items()) + 19
    assert r"\delta^{(2)}_{1} &= " in text and r"\approx -0.0567086" in text
    assert "The loss went down" in text
    assert "Decimal(" not in text and "more quantities" not in text


def test_large_net_shown_whole_then_said_plainly():
    solution = symprop.solve(_net((4, 5, 2)))
    total = len(solution.items())
    assert 100 < total <= jupyter.MAX_SHOWN       # the old display stopped at 60
    text = solution._repr_markdown_()
    assert "more quantities" not in text               # 104 ≤ MAX_SHOWN: everything shown
    assert text.count(" &") - len(solution.statement.givens) == total
    short = jupyter.solution_markdown(solution, limit=60)
    assert f"… {total - 60} more quantities" in short
    assert "solution.to_json()" in short and "solution.to_pdf(path)" in short
    latex = jupyter.jupyter_latex(solution, limit=60)
    assert f"{total - 60} more quantities" in latex
    assert latex.count(r" \\ ") == 60                  # 60 answers, then the note


def test_latex_repr_still_works(sigmoid):
    text = sigmoid._repr_latex_()
    assert text.startswith(r"$\begin{aligned}") and text.endswith(r"\end{aligned}$")
    assert "more quantities" not in text


def test_short_reprs(sigmoid):
    p = sigmoid.problem
    assert repr(p) == ("<Problem 'Two-layer sigmoid network': 3-2-2 layered net (sigmoid, sigmoid), "
                       "loss half_sse, η = 1/10, 1 step, 1 sample>")
    assert repr(sigmoid) == "<Solution of 'Two-layer sigmoid network': 54 quantities over 1 step>"
    g = symprop.gradients(p)
    assert repr(g) == ("<Gradients of 14 values: dL/dW1 (2×3), dL/db1 (2), dL/dW2 (2×2), dL/db2 (2); "
                       "loss ≈ 0.170528 (fast, 30 digits)>")
    assert repr(g.steps[0]).startswith("<GradientStep: loss ≈ 0.170528, 14 gradients, 14 updated")
    assert repr(symprop.derive(p)) == ("<Derivation: 9 forward definitions, 8 adjoint equations, "
                                       "14 gradients>")
    for obj in (p, g, symprop.derive(p)):
        assert len(repr(obj)) < 200


def test_gradients_table_per_layer(sigmoid):
    g = symprop.gradients(sigmoid.problem)
    text = g._repr_markdown_()
    assert re.findall(r"^\*\*∂L/∂(\w+)\*\* \((.+)\)$", text, re.M) == [
        ("W1", "2×3"), ("b1", "2"), ("W2", "2×2"), ("b2", "2")]
    assert "| `W1[1,1]` | — | 0.00332180330308590313825415922961 |" in text
    exact = symprop.gradients(symprop.load(EXAMPLES / "relu_2_3_1.toml"))._repr_markdown_()
    assert r"| `W1[0,0]` | $\frac{207}{50}$ | 4.14 |" in exact          # index_base 0 there
    assert r"loss $L$ = $\frac{529}{200}$ ≈ 2.645" in exact


def test_report_verdict_table(sigmoid):
    answers = symprop.load_answers(EXAMPLES / "answers" / "two_layer_sigmoid.toml")
    report = symprop.check(sigmoid, answers)
    assert repr(report) == "<Report of 17 answers: 0 exact, 2 rounded, 11 carried forward, 4 wrong>"
    text = report._repr_markdown_()
    assert "| No. | quantity | yours | correct | verdict |" in text
    assert r"| 1 | $z^{(1)}_{1}$ | 0.6 | $\frac{2}{5} = 0.4$ | ✗ wrong |" in text
    assert "already-updated weights" in text
    # every wrong answer has its reason, as the feedback sheet prints it: the seed's
    # 0.491 for w2[2,1]' is what its own a1[1] = 0.646 and δ2[2] = 0.1241 do not give
    wrong = [r for r in report.results if r.verdict == "wrong"]
    assert len(wrong) == 4 and all(f"- ({r.number}) " in text for r in wrong)
    assert "From your $a^{(1)}_{1}$ = $0.646$ and $\\delta^{(2)}_{2}$ = $0.1241$" in text
    assert text.count("\n| ") == 1 + 17                 # the rule line, then one row per answer
    assert repr(report.results[0]) == "<Result (1) z1[1]: 0.6 wrong>"


def test_problem_table():
    p = symprop.load(EXAMPLES / "two_layer_sigmoid.toml")
    text = p._repr_markdown_()
    assert "| 1 | 2 | sigmoid | 2×3 | yes |" in text and "| 2 | 2 | sigmoid | 2×2 | yes |" in text
    assert "learning rate η = 1/10" in text
    graph = symprop.load(EXAMPLES / "circuit.toml")._repr_markdown_()
    assert "| `q` | `x + y` |" in graph


def test_derivation_display():
    d = symprop.derive(symprop.load(EXAMPLES / "two_layer_sigmoid.toml"))
    text = d._repr_markdown_()
    assert re.findall(r"^#### (.+)$", text, re.M) == ["Forward pass", "Backward pass", "Gradients"]
    assert (r"\frac{\partial L}{\partial a^{(1)}_{1}} &= w^{(2)}_{11} \cdot \delta^{(2)}_{1} + "
            r"w^{(2)}_{21} \cdot \delta^{(2)}_{2}") in text
    cut = jupyter.derivation_markdown(d, limit=10)
    assert f"… {9 + 8 + 14 - 10} more equations" in cut


def test_markdown_escapes_user_text():
    assert jupyter.md("<b>*x*</b> | $y$") == r"&lt;b&gt;\*x\*&lt;/b&gt; \| \$y\$"
    assert jupyter.code("a`b|c") == "`a'b¦c`"


def test_tutorial_notebook_runs():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    path = ROOT / "examples" / "tutorial.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o["data"] for o in outputs if o.output_type in ("display_data", "execute_result")]
    markdown = "\n".join(d.get("text/markdown", "") for d in shown)
    assert "#### Backward pass" in markdown and "| No. | quantity |" in markdown
    assert "**∂L/∂W1**" in markdown


def test_backward_rows_show_the_delta_recursion_with_numbers(sigmoid):
    """The seed's δ⁽²⁾₁ = ∂L/∂a⁽²⁾₁ · σ′(z⁽²⁾₁) with its two numbers, computed here with
    mpmath from the seed's weights (W2 row 1 = [0.6, 0.1], b = 0.2; a1 = σ(0.4), σ(0.5));
    an update row writes w − η·∂L/∂w with the learning rate put in."""
    import mpmath as mp

    mp.mp.dps = 30
    sig = lambda u: 1 / (1 + mp.exp(-u))
    a2 = sig(mp.mpf("0.6") * sig(mp.mpf("0.4")) + mp.mpf("0.1") * sig(mp.mpf("0.5")) + mp.mpf("0.2"))
    dl_da, slope = a2 - mp.mpf("0.9"), a2 * (1 - a2)
    row = next(line for line in sigmoid._repr_markdown_().splitlines() if line.startswith(r"\delta^{(2)}_{1} &"))
    head, numbers = row[len(r"\delta^{(2)}_{1} &= "):].split(" = ", 1)
    assert head == r"\frac{\partial L}{\partial a^{(2)}_{1}} \cdot \sigma'\left(z^{(2)}_{1}\right)"
    expected = rf"\left({mp.nstr(dl_da, 6, strip_zeros=False)}\ldots\right) \cdot {mp.nstr(slope, 6, strip_zeros=False)}\ldots \approx {mp.nstr(dl_da * slope, 6, strip_zeros=False)}"
    assert numbers.rstrip(r" \\") == expected
    update = next(line for line in sigmoid._repr_markdown_().splitlines() if line.startswith("{w^{(1)}_{11}}'"))
    assert r"= w^{(1)}_{11} - \eta\, \frac{\partial L}{\partial w^{(1)}_{11}} = 0.1 - 0.1 \cdot" in update
