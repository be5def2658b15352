"""TikZ diagrams of the network: layered nets as columns of neurons, graphs as
computational graphs with skip connections bending over the columns they skip."""

import sympy as sp

from ..model.functions import FUNCTIONS
from ..model.naming import Quantity
from .latexprint import latex_short
from .texnames import escape, tex, tex_name

__all__ = ["diagram"]

MAX_LABELLED = 6      # units per layer up to which edges carry their weights
MAX_DRAWN = 16        # units per layer up to which a layer is drawn unit by unit
DRAWN_HEAD = 5        # a wider layer: its first 5 units, a \vdots and its last unit
MAX_COLUMNS = 9       # columns of units; a deeper net shows its first 6, a \cdots, its last 2
MIN_LABELLED_X = 2.5  # cm between columns below which the edges are too short for their weights
WIDTH = 15.6          # cm between the first and the last column (the text is 17 cm wide)
HEIGHT = 20           # cm a picture may take (the text is 25.7 cm high)
MIN_GRAPH_X = 1.4     # cm between a graph's columns below which it is not drawn


def diagram(solution):
    """A tikzpicture (LaTeX string) of the problem's network, with a sentence under it
    when something is left out; or only that sentence when nothing can be drawn."""
    if solution.problem.is_layered:
        return _layered(solution.problem)
    return _graph(solution)


def _columns(count):
    """The layers drawn (None: the gap standing for the layers left out)."""
    if count <= MAX_COLUMNS:
        return list(range(count))
    return list(range(MAX_COLUMNS - 3)) + [None, count - 2, count - 1]


def _layered(problem):
    sizes = problem.network.sizes
    columns = _columns(len(sizes))
    units = {l: _units(sizes[l]) for l in columns if l is not None}
    tall = max(len(u) for u in units.values())
    base = problem.index_base
    loss = problem.has_loss
    x = min(3.4, round(WIDTH / (len(columns) - 1 + (0.75 if loss else 0)), 2))
    labelled = max(sizes) <= MAX_LABELLED and x >= MIN_LABELLED_X
    lines = [rf"\begin{{tikzpicture}}[x={x}cm, y=1.25cm, >=stealth,",
             r"  unit/.style={circle, draw, thick, minimum size=9mm, inner sep=0pt, fill=blue!6},",
             r"  input/.style={circle, draw, minimum size=9mm, inner sep=0pt, fill=gray!10}]"]
    for c, l in enumerate(columns):
        if l is None:
            continue
        n = len(units[l])
        for i, j in enumerate(units[l]):
            y = (n - 1) / 2 - i
            if j is None:
                lines.append(rf"\node at ({c}, {y:.2f}) {{$\vdots$}};")
                continue
            name = tex(Quantity("input" if l == 0 else "act", l, (j,)), base)
            style = "input" if l == 0 else "unit"
            lines.append(rf"\node[{style}] (n{l}-{j}) at ({c}, {y:.2f}) {{${name}$}};")
    top = (tall - 1) / 2 + 0.9
    for c, l in enumerate(columns):
        if l is None:
            first, last = columns[c - 1] + 1, columns[c + 1] - 1
            lines.append(rf"\node at ({c}, 0) {{$\cdots$}};")
            lines.append(rf"\node[font=\small, align=center] at ({c}, {top:.2f}) "
                         rf"{{layers\\ {first}--{last}}};")
            continue
        if l == 0:
            continue
        layer = problem.network.layers[l - 1]
        if columns[c - 1] is not None:
            for j in units[l]:
                for k in units[l - 1]:
                    if j is None or k is None:
                        continue
                    label = ""
                    if labelled:
                        label = (rf"node[pos=0.28, sloped, above=-1pt, font=\scriptsize, fill=white, "
                                 rf"inner sep=0.5pt] {{${latex_short(layer.weights[j][k])}$}} ")
                    lines.append(rf"\draw[->, gray!70!black] (n{l - 1}-{k}) -- {label}(n{l}-{j});")
        bias = r", bias" if layer.bias is not None else ""
        sep = r",\\ " if x < 3 and bias else ", "
        lines.append(rf"\node[font=\small, align=center] at ({c}, {top:.2f}) "
                     rf"{{{escape(layer.activation)}{bias.replace(', ', sep)}}};")
    last = len(columns) - 1
    if loss:
        lines.append(rf"\node[draw, rounded corners, fill=red!6] (loss) at ({last + 0.75}, 0) {{$L$}};")
        for j in units[len(sizes) - 1]:
            if j is not None:
                lines.append(rf"\draw[->] (n{len(sizes) - 1}-{j}) -- (loss);")
    lines.append(r"\end{tikzpicture}")
    notes = []
    if len(columns) < len(sizes):
        notes.append(f"layers {columns[MAX_COLUMNS - 4] + 1}--{columns[MAX_COLUMNS - 2] - 1} "
                     "are left out")
    if any(None in u for u in units.values()):
        notes.append(f"a layer of more than {MAX_DRAWN} units shows its first {DRAWN_HEAD} and its last")
    if not labelled:
        notes.append("the weights are in the matrices above")
    picture = "\n".join(lines)
    if notes:
        text = "; ".join(notes)
        picture += r"\\[2pt]{\small (" + text[0].upper() + text[1:] + r".)}"
    return picture


def _units(n):
    """The units of a layer that are drawn (None: the \\vdots for those left out)."""
    return list(range(n)) if n <= MAX_DRAWN else list(range(DRAWN_HEAD)) + [None, n - 1]


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
