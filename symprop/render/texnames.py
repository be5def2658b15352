"""Quantities in LaTeX, as the seeds write them: the weight W1[1,2] → w^{(1)}_{12}.

`tex(q)` spells a Quantity from its structure. A document is built inside
`spelling(solution)`, which makes `tex_name(flat name)` (and so the printers'
symbols) look the solution's quantities up instead of reading the name: no flat
name of a quantity is parsed back. What `_generic` still reads are the names the
generic formulas build themselves (W^{(2)}, δ^{(2)}_j, letters as indices), graph
names and user symbols.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["tex", "tex_names", "tex_name", "spelling", "escape"]

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}


_UNICODE = {"σ": r"$\sigma$", "′": r"$'$", "ŷ": r"$\hat y$", "½": r"$\frac12$", "η": r"$\eta$",
            "∂": r"$\partial$", "·": r"$\cdot$", "−": "-", "ᵀ": r"$^{\mathsf T}$", "≈": r"$\approx$",
            "δ": r"$\delta$", "²": r"$^2$", "…": r"\ldots{}", "→": r"$\to$"}
_GREEK_LETTERS = "αβγδεζηθικλμνξπρστυφχψω"
_UNICODE.update({c: rf"$\{n}$" for c, n in zip(_GREEK_LETTERS, [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"])})


def escape(text):
    """Plain user text for LaTeX: every special character printed literally; a few
    mathematical symbols spelled in LaTeX; control characters dropped, anything else
    outside printable ASCII shown as '?'."""
    out = []
    for ch in str(text):
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif ch == "\n":
            out.append(" ")
        elif ch < " " or "\u007f" <= ch < "\u00a0":
            continue                        # control characters: dropped
        elif " " <= ch <= "~":
            out.append(ch)
        elif ch.isalpha() and "\u00c0" <= ch <= "\u00ff" and ch not in "\u00d7\u00f7":
            out.append(ch)                  # é, ü, ß ...: inputenc utf8 and T1 fonts print them
        else:
            out.append("?")
    return "".join(out)


def tex(q, base=1):
    """LaTeX for a Quantity, as the seeds write it: w^{(1)}_{12}, \\delta^{(2)}_{1}, x_{1},
    \\frac{\\partial L}{\\partial h_{0}}, {w_{0}}', \\text{step2: }…; spelled from its
    structure (kind, layer, index, sample, step), never from a parsed name."""
    if q.final:
        tag = r"\text{final: }"
    elif q.step and q.step > 1:
        tag = rf"\text{{step{q.step}: }}"
    else:
        tag = ""
    return tag + _untagged(q, base)


def _untagged(q, base):
    k = q.kind
    if k == "updated":
        return "{" + _untagged(q.of, base) + "}'"
    if q.is_delta:
        return _sample(q.of) + rf"\delta^{{({q.of.layer})}}_{{{_index(q.of.index, base)}}}"
    if k in ("adjoint", "gradient"):
        return rf"\frac{{\partial {_plain(q.by)}}}{{\partial {_untagged(q.of, base)}}}"
    return _sample(q) + _own(q, base)


def _own(q, base):
    k, ix = q.kind, _index(q.index, base)
    if k in ("param", "node") or (k == "input" and q.layer is None):
        return _plain(q.name)
    if k == "target":
        return rf"y_{{{ix}}}" if q.index else "y"
    if k in ("loss", "sample_loss"):
        return "L"
    if k == "input":
        return rf"x_{{{ix}}}"
    letter = {"weight": "w", "bias": "b", "pre": "z", "act": "a"}[k]
    return rf"{letter}^{{({q.layer})}}_{{{ix}}}"


def _sample(q):
    return "" if q.sample is None else rf"\text{{sample{q.sample + 1}: }}"


def _index(indices, base):
    parts = [str(i + base) if isinstance(i, int) else str(i) for i in indices]
    return "".join(parts) if all(len(p) == 1 for p in parts) else ",".join(parts)


def tex_names(solution):
    """{flat name: LaTeX} for every quantity of a solution's tape and every answer:
    what the printers use for the tape's symbols (the SymPy idiom: symbol_names)."""
    base = solution.problem.index_base
    names = {n: tex(q, base) for n, q in solution.tape.quantities.items()}
    names.update((n, tex(solution.quantity(n), base)) for n in solution.answers())
    return names


_NAMES = ContextVar("symprop_tex_names", default={})


@contextmanager
def spelling(solution):
    """Inside the block, tex_name spells the quantities of `solution` (blocks nest:
    an exam document builds each variant inside its own)."""
    token = _NAMES.set(tex_names(solution))
    try:
        yield
    finally:
        _NAMES.reset(token)


def _ix(text):
    parts = [p.strip() for p in text.split(",")]
    return "".join(parts) if all(len(p) == 1 for p in parts) else ",".join(parts)


_LETTERS = r"\[([a-z](?:,[a-z])*)\]$"       # [j], [j,k]: the generic formulas' indices
_LAYERED = [
    (re.compile(r"W(\d+)" + _LETTERS), lambda m: rf"w^{{({m[1]})}}_{{{_ix(m[2])}}}"),
    (re.compile(r"b(\d+)" + _LETTERS), lambda m: rf"b^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"z(\d+)" + _LETTERS), lambda m: rf"z^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"a0" + _LETTERS), lambda m: rf"x_{{{m[1]}}}"),
    (re.compile(r"a(\d+)" + _LETTERS), lambda m: rf"a^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"delta(\d+)" + _LETTERS), lambda m: rf"\delta^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"y" + _LETTERS), lambda m: rf"y_{{{m[1]}}}"),
    (re.compile(r"J(\d+)$"), lambda m: rf"J^{{({m[1]})}}"),
]
_VECTOR = {"W": "W", "b": "b", "z": "z", "a": "a", "delta": r"\delta"}
_GREEK = {"alpha", "beta", "gamma", "delta", "eta", "theta", "lambda", "mu", "sigma", "tau", "phi",
          "omega", "epsilon", "rho", "nu", "xi", "kappa", "psi", "chi", "zeta"}


def tex_name(name, vector=False):
    """LaTeX for a flat name: a quantity of the solution being spelled (see `spelling`),
    else a generic formula name (vector=True: a whole layer's vector or matrix,
    W2 → W^{(2)}; otherwise W2 is a graph name W_{2})."""
    if not vector:
        spelled = _NAMES.get().get(name)
        if spelled is not None:
            return spelled
    return _generic(name, vector)


def _generic(name, vector):
    """The generic formulas' names: W2[j,k], dL/da1[j], delta2[k], J2, W2 (vector),
    with letters as indices; anything else is a graph or symbol name."""
    if name.endswith("'"):
        return "{" + _generic(name[:-1], vector) + "}'"
    m = re.match(r"d(\w+)/d(.+)$", name)
    if m:
        return rf"\frac{{\partial {_plain(m[1])}}}{{\partial {_generic(m[2], vector)}}}"
    for pattern, make in _LAYERED:
        m = pattern.match(name)
        if m:
            return make(m)
    m = re.match(r"(W|b|z|a|delta)(\d+)$", name) if vector else None
    if m:
        base = "x" if m[1] == "a" and m[2] == "0" else _VECTOR[m[1]]
        return base if base == "x" else rf"{base}^{{({m[2]})}}"
    return _plain(name)


def _plain(name):
    """A graph name: trailing digits become a subscript (h0 → h_{0}), Greek letters are Greek."""
    if name == "loss":
        return "L"
    m = re.match(r"([A-Za-z]+?)_?(\d+)$", name)
    if m:
        return rf"{_plain(m[1])}_{{{m[2]}}}"
    if name in _GREEK:
        return "\\" + name
    if len(name) == 1:
        return name
    return r"\mathit{" + escape(name) + "}"
