"""Flat quantity names in LaTeX, as the seeds write them: W1[1,2] → w^{(1)}_{12}.

One table of patterns, so that every renderer spells a name the same way.
"""

import re

__all__ = ["tex_name", "escape"]

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


def _ix(text):
    parts = [p.strip() for p in text.split(",")]
    return "".join(parts) if all(len(p) == 1 for p in parts) else ",".join(parts)


_LAYERED = [
    (re.compile(r"W(\d+)\[(.+)\]$"), lambda m: rf"w^{{({m[1]})}}_{{{_ix(m[2])}}}"),
    (re.compile(r"b(\d+)\[(.+)\]$"), lambda m: rf"b^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"z(\d+)\[(.+)\]$"), lambda m: rf"z^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"a0\[(.+)\]$"), lambda m: rf"x_{{{m[1]}}}"),
    (re.compile(r"a(\d+)\[(.+)\]$"), lambda m: rf"a^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"delta(\d+)\[(.+)\]$"), lambda m: rf"\delta^{{({m[1]})}}_{{{m[2]}}}"),
    (re.compile(r"y\[(.+)\]$"), lambda m: rf"y_{{{m[1]}}}"),
    (re.compile(r"J(\d+)$"), lambda m: rf"J^{{({m[1]})}}"),
]
_VECTOR = {"W": "W", "b": "b", "z": "z", "a": "a", "delta": r"\delta"}
_GREEK = {"alpha", "beta", "gamma", "delta", "eta", "theta", "lambda", "mu", "sigma", "tau", "phi",
          "omega", "epsilon", "rho", "nu", "xi", "kappa", "psi", "chi", "zeta"}


def tex_name(name, vector=False):
    """LaTeX for a flat name (W1[1,2], delta2[j], dL/dw0, w0', sample2.z1[1], step2.x).

    vector=True: a whole layer's vector or matrix in a matrix formula (W2 → W^{(2)});
    otherwise W2 is a graph name (W_{2})."""
    prefix = ""
    m = re.match(r"(sample\d+|step\d+|final)\.(.*)$", name)
    if m:
        tag, name = m[1], m[2]
        prefix = {"final": r"\text{final: }"}.get(tag, rf"\text{{{tag}: }}")
    if name.endswith("'"):
        return prefix + "{" + tex_name(name[:-1], vector) + "}'"
    m = re.match(r"d(\w+)/d(.+)$", name)
    if m:
        return prefix + rf"\frac{{\partial {_plain(m[1])}}}{{\partial {tex_name(m[2], vector)}}}"
    for pattern, make in _LAYERED:
        m = pattern.match(name)
        if m:
            return prefix + make(m)
    m = re.match(r"(W|b|z|a|delta)(\d+)$", name) if vector else None
    if m:
        base = "x" if m[1] == "a" and m[2] == "0" else _VECTOR[m[1]]
        return prefix + (base if base == "x" else rf"{base}^{{({m[2]})}}")
    return prefix + _plain(name)


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
