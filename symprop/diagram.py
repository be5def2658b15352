"""TikZ diagrams of the network: layered nets as columns of neurons, graphs as
computational graphs with skip connections bending over the columns they skip."""

import sympy as sp

from .latexprint import latex_short
from .texnames import escape, tex_name

__all__ = ["diagram"]

MAX_LABELLED = 6      # units per layer up to which edges carry their weights
MAX_DRAWN = 16        # units per layer up to which a layer is drawn unit by unit


def diagram(solution):
    """A tikzpicture (LaTeX string) of the problem's network."""
    if solution.problem.is_layered:
        return _layered(solution.problem)
    return _graph(solution)


def _layered(problem):
    sizes = problem.network.sizes
    if max(sizes) > MAX_DRAWN:
        return ""
    labelled = max(sizes) <= MAX_LABELLED
    base = problem.index_base
    lines = [r"\begin{tikzpicture}[x=3.4cm, y=1.25cm, >=stealth,",
             r"  unit/.style={circle, draw, thick, minimum size=9mm, inner sep=0pt, fill=blue!6},",
             r"  input/.style={circle, draw, minimum size=9mm, inner sep=0pt, fill=gray!10}]"]
    for l, n in enumerate(sizes):
        for j in range(n):
            name = tex_name(f"a{l}[{j + base}]")
            style = "input" if l == 0 else "unit"
            lines.append(rf"\node[{style}] (n{l}-{j}) at ({l}, {(n - 1) / 2 - j:.2f}) {{${name}$}};")
    for l, layer in enumerate(problem.network.layers, start=1):
        for j, row in enumerate(layer.weights):
            for k, w in enumerate(row):
                label = ""
                if labelled:
                    label = (rf"node[pos=0.28, sloped, above=-1pt, font=\scriptsize, fill=white, "
                             rf"inner sep=0.5pt] {{${latex_short(w)}$}} ")
                lines.append(rf"\draw[->, gray!70!black] (n{l - 1}-{k}) -- {label}(n{l}-{j});")
        top = (max(sizes) - 1) / 2 + 0.9
        bias = r", bias" if layer.bias is not None else ""
        lines.append(rf"\node[font=\small, align=center] at ({l}, {top:.2f}) "
                     rf"{{{escape(layer.activation)}{bias}}};")
    last = len(sizes) - 1
    if problem.loss != "none":
        lines.append(rf"\node[draw, rounded corners, fill=red!6] (loss) at ({last + 0.75}, 0) {{$L$}};")
        for j in range(sizes[-1]):
            lines.append(rf"\draw[->] (n{last}-{j}) -- (loss);")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _op(display):
    """The operation a graph node performs, as a short label."""
    if display.is_Add:
        return "+"
    if display.is_Mul:
        return r"\times" if not any(a.is_Pow and a.exp == -1 for a in display.args) else "/"
    if display.is_Pow:
        return f"(\\cdot)^{{{display.exp}}}"
    if isinstance(display, sp.Abs):
        return r"\lvert\cdot\rvert"
    name = type(display).__name__
    return {"sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}", "exp": r"\exp", "log": r"\ln",
            "tanh": r"\tanh", "Max": r"\max", "Min": r"\min"}.get(name, r"\mathrm{" + escape(name) + "}")


def _graph(solution):
    tape = solution.tape
    depth = {name: 0 for name in tape.leaves}
    for node in tape.nodes:
        depth[node.name] = 1 + max((depth[i] for i, _ in node.partials), default=0)
    for name in tape.leaves:       # a leaf stands just before its first consumer
        uses = [depth[n.name] for n in tape.nodes if any(i == name for i, _ in n.partials)]
        depth[name] = max(0, min(uses) - 1) if uses else 0
    columns = {}
    for name in list(tape.leaves) + [n.name for n in tape.nodes]:
        if name in tape.leaves and tape.leaves[name].kind == "target":
            continue
        columns.setdefault(depth[name], []).append(name)
    ids = {name: f"v{i}" for i, name in enumerate(depth)}
    lines = [r"\begin{tikzpicture}[x=2.6cm, y=1.3cm, >=stealth,",
             r"  leaf/.style={rectangle, draw, rounded corners, minimum size=7mm, fill=gray!10},",
             r"  gate/.style={circle, draw, thick, minimum size=9mm, inner sep=1pt, fill=blue!6}]"]
    for d, names in sorted(columns.items()):
        leaves = [n for n in names if n in tape.leaves]
        gates = [n for n in names if n not in tape.leaves]
        place = {n: 1.1 * (len(leaves) - i) for i, n in enumerate(leaves)}   # leaves above
        place.update({n: -1.3 * i for i, n in enumerate(gates)})               # gates below
        for name in names:
            y = place[name]
            if name in tape.leaves:
                lines.append(rf"\node[leaf] ({ids[name]}) at ({d}, {y:.2f}) {{${tex_name(name)}$}};")
            else:
                node = tape.node(name)
                label = "L" if name == tape.loss and node.kind == "loss" else tex_name(name)
                lines.append(rf"\node[gate, label={{above:${label}$}}] ({ids[name]}) at ({d}, {y:.2f}) "
                             rf"{{${_op(node.display)}$}};")
    for node in tape.nodes:
        for inp, _ in node.partials:
            if inp in tape.leaves and tape.leaves[inp].kind == "target":
                continue
            bend = ", bend left=22" if depth[node.name] - depth[inp] >= 2 else ""
            lines.append(rf"\draw[->{bend}] ({ids[inp]}) to ({ids[node.name]});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)
