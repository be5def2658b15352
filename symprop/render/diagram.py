"""TikZ diagrams of the network: layered nets as columns of neurons; graphs are
drawn by graphdiagram."""

import functools
import itertools
import math
import re
from collections import namedtuple

from ..model.naming import Quantity
from .graphdiagram import graph_diagram
from .latexprint import latex_given, matrix
from .texnames import activation_words, tex

__all__ = ["diagram", "label_layout", "label_size"]

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
    layout = label_layout(problem)
    x, labelled = layout.x, bool(layout.boxes) or bool(layout.tabled)
    lines = [rf"\begin{{tikzpicture}}[x={x}cm, y={layout.y}cm, >=stealth,",
             r"  unit/.style={circle, draw, thick, minimum size=9mm, inner sep=0pt, fill=blue!6},",
             r"  input/.style={circle, draw, minimum size=9mm, inner sep=0pt, fill=gray!10},",
             rf"  weight/.style={{font=\scriptsize, fill=white, inner sep={PAD / PT:.1f}pt}}]"]
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
                    if j is not None and k is not None:
                        lines.append(rf"\draw[->, gray!70!black] (n{l - 1}-{k}) -- (n{l}-{j});")
        bias = r" with bias" if layer.bias is not None else ""
        sep = r"\\ " if x < 3 and bias else " "
        lines.append(rf"\node[font=\small, align=center] at ({c}, {top:.2f}) "
                     rf"{{{activation_words(layer.activation)}{bias.replace(' with', sep + 'with', 1)}}};")
    for e, (cx, cy, _, _, turn) in layout.boxes.items():     # over every edge: no line hides one
        rotate = f", rotate={math.degrees(turn):.1f}" if turn else ""
        lines.append(rf"\node[weight{rotate}] at ({cx / x:.3f}, {cy / layout.y:.3f}) {{${layout.texts[e]}$}};")
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
    elif layout.tabled:
        one = len(layout.tabled) == 1
        which = " and ".join(str(l) for l in layout.tabled)
        notes.append(f"the weights of layer{'' if one else 's'} {which} are the "
                     f"matri{'x' if one else 'ces'} under the picture: too many of "
                     f"{'its' if one else 'their'} edges cross to label them")
    picture = "\n".join(lines)
    if layout.tabled:
        shown = [rf"W^{{({l})}} = {matrix(problem.network.layers[l - 1].weights, _given)[0]}" for l in layout.tabled]
        picture += r"\\[4pt]{\footnotesize $" + r", \quad ".join(shown) + "$}"
    if notes:
        text = "; ".join(notes)
        picture += r"\\[2pt]{\small (" + text[0].upper() + text[1:] + r".)}"
    return picture


def _given(value):
    """A weight as the diagram writes it: its closed form when short (√2/2), no decimal beside."""
    return latex_given(value, beside=False)


def _units(n):
    """The units of a layer that are drawn (None: the \\vdots for those left out)."""
    return list(range(n)) if n <= MAX_DRAWN else list(range(DRAWN_HEAD)) + [None, n - 1]


# Label geometry. Every weight's label sits on its own edge, at a fraction along it
# (turned along the edge when level text does not fit), where no other edge, label or
# unit touches it. Lengths in cm; the sheets are 11pt, so \scriptsize is 8pt.
PT = 0.03515          # cm per TeX point
FONT = 8 * PT         # the labels' \scriptsize
PAD = 1.2 * PT        # their inner sep (the white box around the text)
CLEAR = 0.6 * PT      # the gap kept between a label and another label, edge or unit
NODE_CLEAR = 2.5 * PT  # and between a label and a unit (the arrowheads end there)
RADIUS = 0.47         # a unit's circle (9 mm and its thick line)
LOSS_HALF = 0.3       # half the side of the loss node
_T = [0.16 + 0.02 * i for i in range(35)]    # fractions along an edge a label may sit at
_WIDE = {"-": 0.78, ".": 0.28, ",": 0.28, "+": 0.78, "(": 0.39, ")": 0.39, "/": 0.5, " ": 0.0}
_COMMANDS = {r"\ldots": 1.17, r"\cdot": 0.78, r"\frac": 0.2, r"\sqrt": 0.85, r"\pi": 0.6,
             r"\left": 0.0, r"\right": 0.0}


def _ems(text):
    """Approximate width in em of math-mode LaTeX: TeX's widths of digits (0.5 em),
    points, minus signs and \\ldots; fractions' parts and scripts at 75 %."""
    m = re.search(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", text)
    if m:
        return (_ems(text[:m.start()]) + 0.25 + 0.75 * max(_ems(m[1]), _ems(m[2]))
                + _ems(text[m.end():]))
    m = re.search(r"[\^_]\{([^{}]*)\}", text)
    if m:
        return _ems(text[:m.start()]) + 0.75 * _ems(m[1]) + _ems(text[m.end():])
    tokens = re.findall(r"\\[A-Za-z]+|\\.|[^{}^_]", text)
    return sum(_COMMANDS.get(t, 0.6) if t.startswith("\\") else _WIDE.get(t, 0.55) for t in tokens)


def label_size(text):
    """The (width, height) in cm of a weight's label at \\scriptsize, estimated from its
    LaTeX, with the white box's inner sep."""
    tall = r"\frac" in text or "^" in text or r"\sqrt" in text
    return 1.08 * _ems(text) * FONT + 2 * PAD, (1.6 if tall else 0.8) * FONT + 2 * PAD


def _local(box, point):
    """A point in a label's frame: its centre at 0, its text along the x axis."""
    cx, cy, _, _, angle = box
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = point[0] - cx, point[1] - cy
    return c * dx + s * dy, -s * dx + c * dy


def _hits_segment(box, seg, clear):
    """Whether the segment passes within `clear` of the box (Liang–Barsky clipping)."""
    hw, hh = box[2] / 2 + clear, box[3] / 2 + clear
    (x0, y0), (x1, y1) = _local(box, seg[0]), _local(box, seg[1])
    lo, hi = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 + hw), (dx, hw - x0), (-dy, y0 + hh), (dy, hh - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            lo = max(lo, r)
        else:
            hi = min(hi, r)
        if lo > hi:
            return False
    return True


def _boxes_meet(a, b, clear):
    """Whether two (turned) boxes come within `clear` of each other (separating axes)."""
    axes = [(math.cos(t), math.sin(t)) for t in (a[4], a[4] + math.pi / 2, b[4], b[4] + math.pi / 2)]
    for nx, ny in axes:
        reach = 0.0
        for box in (a, b):
            c, s = math.cos(box[4]), math.sin(box[4])
            reach += box[2] / 2 * abs(c * nx + s * ny) + box[3] / 2 * abs(-s * nx + c * ny)
        if abs((a[0] - b[0]) * nx + (a[1] - b[1]) * ny) >= reach + clear:
            return False
    return True


def _hits_circle(box, circle, clear):
    px, py = _local(box, circle[:2])
    nx = min(max(px, -box[2] / 2), box[2] / 2)
    ny = min(max(py, -box[3] / 2), box[3] / 2)
    return (nx - px) ** 2 + (ny - py) ** 2 < (circle[2] + clear) ** 2


def _visible(a, b, ra, rb):
    """The part of the line between two node centres outside the nodes."""
    (ax, ay), (bx, by) = a, b
    d = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
    ux, uy = (bx - ax) / d, (by - ay) / d
    return (ax + ra * ux, ay + ra * uy), (bx - rb * ux, by - rb * uy)


def _place(band, sizes, segments, circles, budget=20000):
    """_search's placement; remembered, as an exam draws each variant's diagram on both sheets."""
    placed = _search(tuple(band.items()), tuple((e, sizes[e]) for e in band),
                     tuple(segments.items()), tuple(circles), budget)
    return None if placed is None else dict(placed)


@functools.lru_cache(maxsize=1024)
def _search(band, sizes, segments, circles, budget):
    """A fraction along its edge for every label of one layer pair such that no two
    labels meet and no edge but a label's own, and no unit, touches it; None when the
    search finds none within its budget. `band`: {edge: (a, b)} centres; sizes: {edge: (w, h)}."""
    band, sizes, segments = dict(band), dict(sizes), dict(segments)
    options = {}
    for e, (a, b) in band.items():
        w, h = sizes[e]
        found = []
        slope = math.atan2(b[1] - a[1], b[0] - a[0])
        turns = [0.0] if abs(slope) < 0.02 else [0.0, slope]
        for t, turn in sorted(itertools.product(_T, turns), key=lambda o: abs(o[0] - 0.3) + 0.2 * (o[1] != 0)):
            box = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), w, h, turn)
            if any(_hits_circle(box, c, NODE_CLEAR) for c in circles):
                continue
            if any(f != e and _hits_segment(box, s, CLEAR) for f, s in segments.items()):
                continue
            found.append((t, box))
        if not found:
            return None
        options[e] = found
    order = sorted(options, key=lambda e: len(options[e]))
    chosen, steps = {}, [0]

    def search(i):
        if i == len(order):
            return True
        e = order[i]
        for t, box in options[e]:
            steps[0] += 1
            if steps[0] > budget:
                return False
            if all(not _boxes_meet(box, other, 2 * CLEAR) for _, other in chosen.values()):
                chosen[e] = (t, box)
                if search(i + 1):
                    return True
                del chosen[e]
        return False

    return chosen if search(0) else None


Layout = namedtuple("Layout", "x y circles segments boxes texts tabled")


def _scales(columns, loss, tall):
    widest = round(WIDTH / (len(columns) - 1 + (0.75 if loss else 0)), 2)
    out = []
    for x, y in ((3.4, 1.25), (4.2, 1.25), (4.2, 1.5), (5.2, 1.6), (5.6, 2.0), (5.6, 2.4)):
        scale = (min(x, widest), y)
        if scale not in out and tall * y <= HEIGHT:
            out.append(scale)
    return out


def label_layout(problem):
    """Where the layered diagram puts its units, edges and weights, in cm: x and y
    (the columns' and rows' spacing), circles {unit: (cx, cy, r)}, segments {edge: (p, q)}
    (the visible part of each edge; an edge is (l, j, k), or ("loss", j)), boxes {edge:
    (cx, cy, w, h)} (each weight's label and its white box), texts {edge: LaTeX}, and
    tabled (the layers whose weights are a matrix under their edges instead: no
    placement of their labels was found). No labels when the net is too wide or deep."""
    sizes = problem.network.sizes
    columns = _columns(len(sizes))
    units = {l: _units(sizes[l]) for l in columns if l is not None}
    tall = max(len(u) for u in units.values())
    scales = _scales(columns, problem.has_loss, tall)
    labelled = max(sizes) <= MAX_LABELLED and scales[0][0] >= MIN_LABELLED_X
    texts, bands = {}, {}
    for c, l in enumerate(columns):
        if l and columns[c - 1] is not None and labelled:
            weights = problem.network.layers[l - 1].weights
            bands[l] = [(l, j, k) for j in units[l] for k in units[l - 1]]
            texts.update({e: _given(weights[e[1]][e[2]]) for e in bands[l]})
    sizes_cm = {e: label_size(t) for e, t in texts.items()}
    best = None
    for x, y in scales if labelled else scales[:1]:
        circles, segments, boxes, tabled = _geometry(columns, units, problem.has_loss, x, y)
        for l, band in bands.items():
            ends = {e: (circles[(l - 1, e[2])][:2], circles[(l, e[1])][:2]) for e in band}
            placed = _place(ends, sizes_cm, segments, list(circles.values()))
            if placed is None:
                tabled.append(l)
            else:
                boxes.update({e: box for e, (t, box) in placed.items()})
        layout = Layout(x, y, circles, segments, boxes, {e: texts[e] for e in boxes}, tabled)
        if best is None or len(tabled) < len(best.tabled):
            best = layout
        if not tabled:
            break
    return best


def _geometry(columns, units, loss, x, y):
    circles, segments = {}, {}
    for c, l in enumerate(columns):
        if l is None:
            continue
        n = len(units[l])
        for i, j in enumerate(units[l]):
            if j is not None:
                circles[(l, j)] = (c * x, ((n - 1) / 2 - i) * y, RADIUS)
    last = columns[-1]
    if loss:
        circles["loss"] = ((len(columns) - 0.25) * x, 0.0, LOSS_HALF * 1.42)
        for j in units[last]:
            if j is not None:
                a, b = circles[(last, j)], circles["loss"]
                segments[("loss", j)] = _visible(a[:2], b[:2], RADIUS, LOSS_HALF)
    for c, l in enumerate(columns):
        if l and columns[c - 1] is not None:
            for j in units[l]:
                for k in units[l - 1]:
                    if j is not None and k is not None:
                        a, b = circles[(l - 1, k)], circles[(l, j)]
                        segments[(l, j, k)] = _visible(a[:2], b[:2], RADIUS, RADIUS)
    return circles, segments, {}, []
