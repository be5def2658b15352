"""Regenerate the two tables of docs/problem-files.md that come from the registry.

    .venv/bin/python docs/generate.py          # rewrite the tables in place
    .venv/bin/python docs/generate.py --check  # exit 1 if they are out of date

The tables sit between `<!-- generated: functions -->` / `<!-- generated: losses -->`
and `<!-- end generated -->`; tests/test_docs.py fails when they differ from what
this script writes, so a new record in model/functions.py or model/losses.py
cannot go undocumented.
"""

import pathlib
import re
import sys

import sympy as sp

from symprop.model.functions import ACTIVATIONS, FUNCTIONS, GRAPH_FUNCTIONS, Conventions
from symprop.model.losses import LOSSES

DOC = pathlib.Path(__file__).with_name("problem-files.md")
_BLOCK = re.compile(r"(<!-- generated: (\w+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def _show(expr):
    """A SymPy expression as one line of text: Piecewise as 'u if u > 0, else 0'."""
    if isinstance(expr, sp.Piecewise):
        parts = []
        for value, cond in expr.args:
            parts.append(f"else {sp.sstr(value)}" if cond is sp.true else f"{sp.sstr(value)} if {sp.sstr(cond)}")
        return ", ".join(parts)
    return sp.sstr(expr)


def _formula(f):
    z, u, v = sp.symbols("z u v", real=True)
    if f.generic is not None:                      # a layer-wide activation (softmax)
        zs, j, k, n = sp.IndexedBase("z"), sp.Symbol("j"), sp.Symbol("k"), sp.Symbol("n")
        return f"a_j = {sp.sstr(f.generic(zs, j, k, 1, n))}"
    args = [z] if f.arity[0] == 1 else [u, v]
    conv = Conventions(leaky_slope=sp.Symbol("leaky_slope", positive=True))
    text = _show(f.elementary(args, conv))
    call = f"{f.name}({', '.join(map(str, args))})"
    if f.arity == (1, 2):
        return f"{call} = {text}; in [graph], {f.name}(z, s) takes the slope s"
    return f"{call} = {text}"


def _derivative(f):
    if f.derivative_text:
        return f.derivative_text
    z = sp.Symbol("z", real=True)
    if f.arity == (1, 1) and f.elementary is not None:
        return f"{_show(sp.diff(f.elementary([z], Conventions()), z))} (sympy.diff)"
    return "sympy.diff of the formula; a tie gives each side 1/2"


def _cell(text):
    return text.replace("|", "\\|")


def functions_table():
    rows = ["| name | activation | in [graph] | formula (z the argument) | derivative as printed |",
            "|---|---|---|---|---|"]
    for name, f in FUNCTIONS.items():
        if name not in ACTIVATIONS and name not in GRAPH_FUNCTIONS:
            continue                       # internal (sign: only in derivatives)
        notes = " (follows `relu_derivative_at_zero` at z = 0)" if f.relu_like else ""
        rows.append(f"| `{name}` | {'yes' if f.activation else 'no'} | {'yes' if f.graph else 'no'} "
                    f"| `{_cell(_formula(f))}` | `{_cell(_derivative(f))}`{notes} |")
    return "\n".join(rows) + "\n"


def losses_table():
    a, y, n = sp.symbols("a_j y_j n", real=True)
    rows = ["| name | per-sample loss L (a = outputs, y = targets) | ∂L/∂a_j as printed | target | outputs |",
            "|---|---|---|---|---|"]
    for name, loss in LOSSES.items():
        domain = "any"
        if loss.domain:
            lo, hi = loss.domain
            domain = f"in ({lo}, 1)" if hi == 1 else f"> {lo}"
            domain += f" (a {loss.domain_hint} output)"
        rows.append(f"| `{name}` | `{_cell(loss.text)}` | `{_cell(sp.sstr(loss.grad(a, y, n)))}` "
                    f"| {'required' if loss.needs_target else 'none (no `y`)'} | {domain} |")
    return "\n".join(rows) + "\n"


TABLES = {"functions": functions_table, "losses": losses_table}


def render(text):
    return _BLOCK.sub(lambda m: m[1] + TABLES[m[2]]() + m[4], text)


def main(argv):
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(f"{DOC} is out of date: run .venv/bin/python docs/generate.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
