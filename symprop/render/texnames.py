"""Quantities in LaTeX, as the seeds write them: the weight W1[1,2] → w^{(1)}_{12}.

`tex(q)` spells a Quantity from its structure. A document is built inside
`spelling(solution)`, which makes `tex_name(flat name)` (and so the printers'
symbols) look the solution's quantities up instead of reading the name: no flat
name of a quantity is parsed back. What `_generic` still reads are the names the
generic formulas build themselves (W^{(2)}, δ^{(2)}_j, letters as indices), graph
names and user symbols.
"""

import itertools
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar

from ..model.functions import FUNCTIONS
from ..model.losses import LOSSES
from .numbers import digits_for

__all__ = ["tex", "tex_names", "tex_name", "spelling", "escape", "switch", "ENCODINGS"]

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}


_UNICODE = {"σ": r"$\sigma$", "′": r"$'$", "ŷ": r"$\hat y$", "½": r"$\frac12$", "η": r"$\eta$",
            "∂": r"$\partial$", "·": r"$\cdot$", "−": "-", "ᵀ": r"$^{\mathsf T}$", "≈": r"$\approx$",
            "δ": r"$\delta$", "²": r"$^2$", "…": r"\ldots{}", "→": r"$\to$", "×": r"$\times$",
            "÷": r"$\div$", "≤": r"$\le$", "≥": r"$\ge$", "≠": r"$\ne$", "±": r"$\pm$", "∑": r"$\sum$",
            "√": r"$\surd$", "∞": r"$\infty$", "³": r"$^3$", "¹": r"$^1$", "¼": r"$\frac14$",
            "¾": r"$\frac34$", "€": r"\texteuro{}", "°": r"\textdegree{}", "§": r"\S{}", "©": r"\textcopyright{}",
            "µ": r"$\mu$"}
_GREEK_LETTERS = "αβγδεζηθικλμνξπρστυφχψω"
_UNICODE.update({c: rf"$\{n}$" for c, n in zip(_GREEK_LETTERS, [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"])})


def _chars(ranges):
    """The characters of 'XXXX-YYYY ZZZZ ...' (hexadecimal code points)."""
    out = set()
    for part in ranges.split():
        low, _, high = part.partition("-")
        out.update(chr(c) for c in range(int(low, 16), int(high or low, 16) + 1))
    return frozenset(out)


# What the T1 fonts print as typed (inputenc utf8, t1enc.dfu): the Latin letters of Latin-1 and
# Latin Extended-A (Polish, Czech, German, French, Spanish, ... ; not ħ ĸ ŀ ŉ ŧ, which T1 lacks),
# Romanian's ș ț, and the punctuation ¡ ¿ « » ‹ › – — ‘ ’ ‚ “ ” „.
_LATIN = _chars("00C0-00D6 00D8-00F6 00F8-0125 0128-0137 0139-013E 0141-0148 014A-0165 0168-017E "
                "0218-021B 00A1 00BF 00AB 00BB 2039-203A 2013-2014 2018-201A 201C-201E")
# Cyrillic (T2A, t2aenc.dfu: Russian, Ukrainian, Belarusian, Serbian, Bulgarian, ...) and Greek
# (LGR, lgrenc.dfu: monotonic and polytonic); a run of them is set in its font encoding, which
# the document loads when it is used (document.new_document).
_CYRILLIC = _chars("0400-045F 0490-0493 0496-049D 04A0-04A5 04AA-04AB 04AE-04B3 04B6-04BB 04C0-04C2 "
                   "04D0-04DF 04E2-04E9 04EC-04F5 04F8-04F9")
_GREEK_TEXT = _chars("0386 0388-038A 038C 038E-03A1 03A3-03CE 1F00-1F15 1F18-1F1D 1F20-1F45 1F48-1F4D "
                     "1F50-1F57 1F59 1F5B 1F5D 1F5F-1F7D 1F80-1FB4 1FB6-1FBC 1FC2-1FC4 1FC6-1FCC "
                     "1FD0-1FD3 1FD6-1FDB 1FE0-1FEC 1FF2-1FF4 1FF6-1FFC")
ENCODINGS = {"T2A": _CYRILLIC, "LGR": _GREEK_TEXT}     # script runs escape() wraps; see switch()


def switch(encoding, text):
    """LaTeX for `text` set in font encoding `encoding` (T2A, LGR): what escape() writes around
    a run of Cyrillic or Greek, and what new_document looks for to load the encoding."""
    return r"{\fontencoding{" + encoding + r"}\selectfont " + text + "}"


def _greek_words(text):
    """True if `text` has Greek words (a capital, an accented letter, or two Greek letters in a
    row): its Greek is then text; otherwise a lone α, σ, η is the mathematical symbol."""
    previous = False
    for ch in text:
        greek = ch in _GREEK_TEXT
        if greek and (previous or ch not in _UNICODE):
            return True
        previous = greek
    return False


def _script(ch, greek_text):
    if ch in _CYRILLIC:
        return "T2A"
    if ch in _GREEK_TEXT and (greek_text or ch not in _UNICODE):
        return "LGR"
    return None


def escape(text):
    """Plain user text for LaTeX: every special character printed literally; Latin letters
    with accents, Cyrillic and Greek printed (a Cyrillic or Greek run in its font encoding);
    a few mathematical symbols spelled in LaTeX; control characters dropped, anything else
    shown as '?'."""
    text = unicodedata.normalize("NFC", str(text))
    greek_text = _greek_words(text)
    pieces = []                             # [encoding or None, LaTeX]
    for ch in text:
        script = _script(ch, greek_text)
        if script:
            piece = ch
        elif ch in _SPECIAL:
            piece = _SPECIAL[ch]
        elif ch in _UNICODE:
            piece = _UNICODE[ch]
        elif ch in "\n\t":
            piece = " "
        elif ch == "\u00a0":
            piece = "~"                     # no-break space
        elif ch < " " or "\u007f" <= ch < "\u00a0" or unicodedata.category(ch) in ("Cc", "Cf"):
            continue                        # control and format characters: dropped
        elif " " <= ch <= "~" or ch in _LATIN:
            piece = ch                      # inputenc utf8 and the T1 fonts print é, ü, ß, ć, ř ...
        else:
            piece = "?"
        if pieces and pieces[-1][0] == script:
            pieces[-1][1] += piece
        else:
            pieces.append([script, piece])
    for i in range(1, len(pieces) - 1):     # a space between two runs of one script joins them
        if pieces[i][1] == " " and pieces[i - 1][0] and pieces[i - 1][0] == pieces[i + 1][0]:
            pieces[i][0] = pieces[i - 1][0]
    runs = itertools.groupby(pieces, key=lambda piece: piece[0])
    return "".join(switch(script, "".join(p for _, p in run)) if script else "".join(p for _, p in run)
                   for script, run in runs)


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
    """Inside the block, tex_name spells the quantities of `solution` and the sheets'
    decimals have its digits (numbers.digits_for; blocks nest: an exam document builds
    each variant inside its own)."""
    token = _NAMES.set(tex_names(solution))
    try:
        with digits_for(solution):
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


# -- what a student reads instead of the problem file's ids ----------------------------

def loss_words(name):
    """A loss in words for a sheet (LaTeX text): half_sse → ½ squared error."""
    record = LOSSES.get(name)
    return (record and record.words) or escape(name.replace("_", " "))


def activation_words(name):
    """An activation in words for a sheet (LaTeX text): relu → ReLU, sigmoid → sigmoid σ."""
    record = FUNCTIONS.get(name)
    return (record and record.words) or escape(name.replace("_", " "))


_MATH_PART = re.compile(r"(?:[A-Za-z](?:_?\d+)?(?![A-Za-z])|\d+(?:\.\d+)?|[-+*/^=()·, ]|\s)+")
_VARIABLE = re.compile(r"([A-Za-z])_?(\d+)")


def title_tex(text):
    """A title for LaTeX: user text escaped, and a formula in it (after a colon or a dash:
    single-letter names, numbers, operators, one '=' at least) set in math:
    'Circuit: f = (x + y) z' → 'Circuit: $f = (x + y) z$'."""
    for sep in (": ", " — ", " - "):
        head, found, tail = text.rpartition(sep)
        formula = tail.strip()
        if (found and "=" in formula and _MATH_PART.fullmatch(formula) and not formula.endswith("=")
                and not re.search(r"\^(?![A-Za-z0-9])", formula)):         # x^2, never ^^ or a bare ^
            math = _VARIABLE.sub(r"\1_{\2}", formula).replace("*", r" \cdot ").replace("·", r" \cdot ")
            return escape(head + sep) + "$" + math + "$"
    return escape(text)
