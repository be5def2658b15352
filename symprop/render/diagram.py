"""TikZ diagrams of the network: layered nets as columns of neurons; graphs are
drawn by graphdiagram."""

from ..model.naming import Quantity
from .graphdiagram import graph_diagram
from .latexprint import latex_short
from .texnames import escape, tex

__all__ = ["diagram"]

MAX_LABELLED = 6      # units per layer up to which edges carry their weights
MAX_DRAWN = 16        # units per layer up to which a layer is drawn unit by unit
DRAWN_HEAD = 5        # a wider layer: its first 5 units, a \vdots and its last unit
MAX_COLUMNS = 9       # columns of units; a deeper net shows its first 6, a \cdots, its last 2
MIN_LABELLED_X = 2.5  # cm between columns below which the edges are too short for their weights
WIDTH = 15.6          # cm between the first and the last column (the text is 17 cm wide)
HEIGHT = 20           # cm a picture may take (the text is 25.7 cm high)


def diagram(solution):
    """A tikzpicture (LaTeX string) of the problem's network, with a sentence under it
    when something is left out; or only that sentence when nothing can be drawn."""
    if solution.problem.is_layered:
        return _layered(solution.problem)
    return graph_diagram(solution)


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
