"""TikZ diagrams of computational graphs, skip connections bending over the columns
they skip."""

import sympy as sp

from ..model.functions import FUNCTIONS
from .texnames import escape, tex_name

__all__ = ["graph_diagram"]

WIDTH = 15.6          # cm between the first and the last column (the text is 17 cm wide)
HEIGHT = 20           # cm a picture may take (the text is 25.7 cm high)
MIN_GRAPH_X = 1.4     # cm between a graph's columns below which it is not drawn


def _op(display):
    """The operation a graph node performs, as a short label."""
    if display.is_Add:
        return "+"
    if display.is_Mul:
        return r"\times" if not any(a.is_Pow and a.exp == -1 for a in display.args) else "/"
    if display.is_Symbol:
        return r"\mathrm{id}"
    if display.is_Pow:
        return f"(\\cdot)^{{{display.exp}}}"
    if isinstance(display, sp.Abs):
        return r"\lvert\cdot\rvert"
    name = type(display).__name__
    record = FUNCTIONS.get(name)
    return record.diagram if record is not None and record.diagram else r"\mathrm{" + escape(name) + "}"


def graph_diagram(solution):
    """A tikzpicture of a graph problem's computational graph, or a sentence saying why not."""
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
    x = min(2.6, round(WIDTH / max(1, max(columns)), 2))
    above = max(sum(n in tape.leaves for n in names) for names in columns.values())
    below = max(sum(n not in tape.leaves for n in names) for names in columns.values())
    if x < MIN_GRAPH_X or 1.1 * above + 1.3 * max(below - 1, 0) > HEIGHT:
        drawn = sum(len(names) for names in columns.values())
        return (rf"{{\small (The graph is too large to draw here: {drawn} nodes in {len(columns)} "
                rf"levels, up to {above} inputs and {below} operations in one level; "
                r"its equations are above.)}")
    ids = {name: f"v{i}" for i, name in enumerate(depth)}
    lines = [rf"\begin{{tikzpicture}}[x={x}cm, y=1.3cm, >=stealth,",
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
