"""The questions on the method the seeds practise, beside the numbered quantities: derive
the δ formulas for this network, evaluate the activations' slopes, compute the backward
pass in vector and matrix form, write the chain rule out for one output weight and one
hidden weight. The question sheet asks them with room for working (ruled boxes); the
answer sheet answers them under the same letters (working.py).

    questions(solution) -> [Question]       (letters A, B, … in this order)
    letter(solution, key) -> "A" … or None  (the question of `key` is not asked)
    chain_weights(solution) -> (output weight leaf or None, hidden weight leaf or None)
    section(doc, solution): the question sheet's "Questions on the method"
"""

from dataclasses import dataclass

from pylatex import NoEscape, Section

from ..model.functions import ACTIVATIONS, FUNCTIONS
from . import derivation, remarks, vectors
from .formulas import chain_paths
from .texnames import tex_name

__all__ = ["Question", "questions", "letter", "chain_weights", "section", "RULED"]

RULED = r"\ruledbox"        # the macro section() defines: a box of ruled lines for working


@dataclass(frozen=True)
class Question:
    key: str          # delta_out, delta_hidden, gradients, consumers, slopes, matrix, chain_out,
                      # chain_hidden, saturation_why, skip_why, dead_why (the last three: REMARKS)
    letter: str
    text: str         # the question, LaTeX
    lines: int        # ruled lines of room for working


def chain_weights(solution):
    """The weights whose chain rule is written out: an output weight (of the last layer; in
    a graph the parameter nearest the loss, at least two edges from it) and a hidden one (the
    first parameter, when it is not the output weight and lies at least three edges from the
    loss). A graph without parameters (a circuit) uses the values whose gradients it asks."""
    p, tape = solution.problem, solution.tape
    leaves = tape.params or tape.reported
    if p.is_layered:
        big_l = len(p.network.layers)
        out = next((leaf for leaf in leaves if leaf.quantity.kind == "weight"
                    and leaf.quantity.layer == big_l), None)
        paths = {leaf.name: chain_paths(tape, leaf.name, limit=4) for leaf in {out, leaves[0]} if leaf}
    else:
        paths = {leaf.name: chain_paths(tape, leaf.name, limit=4) for leaf in leaves}
        near = [(min(len(x) for x in paths[leaf.name]), i, leaf) for i, leaf in enumerate(leaves)
                if paths[leaf.name] and min(len(x) for x in paths[leaf.name]) >= 2]
        out = min(near, key=lambda t: t[:2])[2] if near else None
    if out is not None and not paths.get(out.name):
        out = None
    hidden = leaves[0] if leaves else None
    if hidden is not None and (hidden is out or not paths[hidden.name] or len(paths[hidden.name][0]) < 3):
        hidden = None
    return out, hidden


_CACHE = []            # [(solution, keys)]: the last few solutions asked (a sheet asks many times)


def _keys(solution):
    for cached, keys in _CACHE:
        if cached is solution:
            return keys
    keys = _compute_keys(solution)
    _CACHE[:] = [(solution, keys)] + _CACHE[:3]
    return keys


def _compute_keys(solution):
    p = solution.problem
    step = solution.steps[0] if solution.steps else None
    keys = []
    if derivation.derivable(solution):
        keys.append("delta_out")
        if len(p.network.layers) > 1:
            keys.append("delta_hidden")
        keys.append("gradients")
    if not p.is_layered and _shared(solution) is not None:
        keys.append("consumers")
    if step is not None and derivation.has_slopes(solution):
        keys.append("slopes")
    if step is not None and vectors.available(solution):
        keys.append("matrix")
    out, hidden = chain_weights(solution) if step is not None else (None, None)
    if out is not None:
        keys.append("chain_out")
    if hidden is not None:
        keys.append("chain_hidden")
    for key, holds in (("saturation_why", remarks.saturation), ("skip_why", remarks.skip),
                       ("dead_why", remarks.dead_units)):
        if holds(solution):
            keys.append(key)
    return keys


REMARKS = {"saturation": "saturation_why", "skip": "skip_why", "dead": "dead_why"}     # remark → question


# questions whose words do not depend on the network
_FIXED = {
    "saturation_why": (r"A unit saturates here. Explain why its derivative is tiny, what that does to the "
                       r"gradients, and why rounding its activation to a few digits (or computing in float32) "
                       r"makes the derivative 0."),
    "skip_why": (r"Why does the skip connection help the gradient flow back? Compare the terms of the "
                 r"adjoint of the node it starts from, one per path."),
    "dead_why": (r"After the update, which units pass no gradient ($\operatorname{ReLU}' = 0$), and what "
                 r"does that mean for the next gradient step?"),
    "delta_hidden": (r"Derive the recursion that gives $\delta^{(l)}$ from $\delta^{(l+1)}$ by the chain rule, "
                     r"in index form and in matrix form (with $\odot$, the elementwise product)."),
    "gradients": (r"Derive $\partial L / \partial w^{(l)}_{jk}$ and $\partial L / \partial b^{(l)}_j$ from "
                  r"$\delta^{(l)}$, and write $\partial L / \partial W^{(l)}$ as a matrix product."),
    "matrix": (r"Compute the backward pass in vector and matrix form with this exercise's numbers: "
               r"each $\delta^{(l)}$ (with $(W^{(l+1)})^{\mathsf T}\delta^{(l+1)}$) and each "
               r"$\partial L / \partial W^{(l)} = \delta^{(l)} (a^{(l-1)})^{\mathsf T}$ as a matrix."),
}


def _text(solution, key):
    p = solution.problem
    if key in _FIXED:
        return _FIXED[key]
    if key == "delta_out":
        big_l = len(p.network.layers)
        act = ACTIVATIONS[p.network.layers[-1].activation].latex
        return (rf"Derive $\delta^{{({big_l})}}_j = \partial L / \partial z^{{({big_l})}}_j$ for this "
                rf"network by the chain rule, with its loss and its output activation ${act}$ written in.")
    if key == "slopes":
        used = {node.functions[0].name: node.functions[0] for node in derivation.sloped(solution.tape)}
        records = sorted((r for r in FUNCTIONS.values() if r.name in used), key=lambda r: r.relu_like)
        hints = list(dict.fromkeys(r.slope_hint for r in records if r.slope_hint))   # ReLU's question last
        return (r"Evaluate the derivative $f'(z)$ of every unit's activation at this input"
                + (f" ({'; '.join(hints)})" if hints else "") + ".")
    if key == "consumers":
        name = _shared(solution)
        return (rf"Write $\partial {_of(solution)} / \partial {tex_name(name)}$ as a sum over the nodes that use "
                rf"${tex_name(name)}$ (one term per consumer, by the chain rule), and likewise for every node.")
    out, hidden = chain_weights(solution)
    if key == "chain_out":
        what = "a weight" if out.kind == "param" else "a value"
        return (rf"Write the chain rule for $\partial {_of(solution)} / \partial {tex_name(out.name)}$ ({what} "
                r"next to the output) as a product of partial derivatives, and evaluate every factor.")
    return (rf"Write the chain rule for $\partial {_of(solution)} / \partial {tex_name(hidden.name)}$ out, one product "
            r"of partial derivatives per path from the weight to the loss, and evaluate it.")


def _of(solution):
    """What the gradients differentiate: L, or the output itself (loss "none")."""
    return "L" if solution.problem.has_loss else tex_name(solution.tape.of)


def _shared(solution):
    """A graph node used by two or more nodes (its adjoint is a sum), or None."""
    tape, count = solution.tape, {}
    for node in tape.nodes:
        for name, _ in node.shown_partials:
            if name in tape.leaves and tape.leaves[name].kind != "param":
                continue
            count[name] = count.get(name, 0) + 1
    return next((n for n in count if count[n] > 1 and n not in tape.leaves), None)


_LINES = {"saturation_why": 5, "skip_why": 4, "dead_why": 4, "consumers": 5, "delta_out": 5, "delta_hidden": 6, "gradients": 5, "slopes": 4, "matrix": 8,
          "chain_out": 5, "chain_hidden": 7}


def questions(solution):
    """The questions on the method this problem allows, lettered A, B, … in order."""
    return [Question(key, chr(ord("A") + i), _text(solution, key), _LINES[key])
            for i, key in enumerate(_keys(solution))]


def letter(solution, key):
    """The letter of the question `key`, or None when it is not asked."""
    keys = _keys(solution)
    return chr(ord("A") + keys.index(key)) if key in keys else None


def letters(solution, *keys):
    """'question A' / 'questions A, B and C' for the keys asked (None when none is)."""
    got = [letter(solution, k) for k in keys]
    got = [g for g in got if g]
    if not got:
        return None
    return f"question {got[0]}" if len(got) == 1 else f"questions {', '.join(got[:-1])} and {got[-1]}"


_MACRO = (r"\providecommand{\ruledbox}[1]{\par\noindent\begin{tikzpicture}"
          r"\draw[black!60] (0,0) rectangle ({\linewidth-1pt},{-(#1+0.6)*0.75cm});"
          r"\foreach \i in {1,...,#1} \draw[black!20] (0.25cm,{-\i*0.75cm}) -- ({\linewidth-0.25cm},{-\i*0.75cm});"
          r"\end{tikzpicture}\par\medskip}")


def section(doc, solution):
    """The question sheet's questions on the method, each with a ruled box for the working;
    nothing when the problem allows none."""
    asked = questions(solution)
    if not asked:
        return
    with doc.create(Section("Questions on the method")):
        doc.append(NoEscape(_MACRO))
        doc.append(NoEscape(r"Show your working in the boxes; the answer sheet answers each question "
                            r"under the same letter."))
        for q in asked:
            doc.append(NoEscape(rf"\par\smallskip\noindent\begin{{minipage}}{{\linewidth}}"   # one unit: no break
                                rf"\textbf{{{q.letter}.}} {q.text}" "\n"
                                rf"{RULED}{{{q.lines}}}\end{{minipage}}" "\n"))
