"""TikZ diagrams of computational graphs: every node drawn as the gates it computes
(graphgates), leaves above the gates feeding them, each node's name on its output
wire, and a skip connection routed below every gate and label."""

from dataclasses import dataclass, field

from .graphgates import gates
from .latexprint import latex
from .texnames import tex_name

__all__ = ["graph_diagram", "layout"]

WIDTH = 15.6          # cm between the first and the last column (the text is 17 cm wide)
HEIGHT = 20           # cm a picture may take (the text is 25.7 cm high)
MIN_GRAPH_X = 1.4     # cm between a graph's columns below which it is not drawn
MAX_X = 2.2           # cm between columns at most
ROW = 1.35            # cm between rows of gates
LEAF = 1.0            # cm between stacked leaves
SKIP = 0.45           # cm between the levels of skip connections under the gates
STUB = 0.6            # columns the output wire takes right of the last gate




@dataclass
class Layout:
    """Where everything goes: gate and leaf-box positions in cm, the boxes' inputs."""

    gates: list
    depth: dict                     # gate id → column
    at: dict = field(default_factory=dict)       # gate id or box id → (x, y), columns and cm
    boxes: dict = field(default_factory=dict)    # box id → (("leaf", name) | ("const", v), [gate ids])
    skips: list = field(default_factory=list)    # (from gate id, to gate id, level)
    x: float = MAX_X
    height: float = 0.0

    @property
    def fits(self):
        return self.x >= MIN_GRAPH_X and self.height <= HEIGHT


def layout(tape, formulas=()):
    """The gates of `tape` (formula gates for the nodes in `formulas`) placed in columns."""
    gs = gates(tape, formulas)
    depth, consumers = {}, {g.id: [] for g in gs}
    for g in gs:
        depth[g.id] = 1 + max((depth[i] for k, i in g.inputs if k == "gate"), default=0)
        for k, i in g.inputs:
            if k == "gate":
                consumers[i].append(g.id)
    for g in reversed(gs):      # a node's inner gates stand just before the gate they feed
        if g.node is None and consumers[g.id]:
            depth[g.id] = max(depth[g.id], min(depth[c] for c in consumers[g.id]) - 1)
    out = Layout(gs, depth)
    columns = {}
    for g in gs:
        columns.setdefault(depth[g.id], []).append(g)
    for d in sorted(columns):
        rows, last = [], -1
        wanted = {g.id: _wanted(g, out.at) for g in columns[d]}
        for g in sorted(columns[d], key=lambda g: wanted[g.id]):
            last = max(last + 1, wanted[g.id])
            out.at[g.id] = (d, -ROW * last)
    for g in gs:
        for n, (kind, what) in enumerate(g.inputs):
            if kind == "gate":
                if depth[g.id] - depth[what] >= 2:
                    out.skips.append((what, g.id, len(out.skips)))
                continue
            key = f"{what}@{depth[g.id] - 1}" if kind == "leaf" else f"{g.id}#{n}"
            out.boxes.setdefault(key, ((kind, what), []))[1].append(g.id)
    stacks, taken, own = {}, list(out.at.values()), {}
    for key, (_, users) in out.boxes.items():
        own.setdefault(users[0] if len(users) == 1 else None, []).append(key)
    for key, (_, users) in out.boxes.items():
        d, y = depth[users[0]] - 1, out.at[users[0]][1]
        mine = own.get(users[0], []) if len(users) == 1 else []
        spots = {1: [0], 2: [0.45, -0.45]}.get(len(mine), [])
        at = (d, y + spots[mine.index(key)]) if y < 0 and key in mine and spots else None
        if at and all(c != d or abs(at[1] - cy) >= 0.8 for c, cy in taken):
            out.at[key] = at          # level with the lower gate it feeds
            taken.append(at)
        else:
            stacks.setdefault(d, []).append(key)
    top = 0.0
    for d, keys in stacks.items():
        keys.sort(key=lambda k: -max(out.at[u][1] for u in out.boxes[k][1]))
        for i, key in enumerate(keys):
            out.at[key] = (d, LEAF * (len(keys) - i))
        top = max(top, LEAF * len(keys))
    bottom = min(y for _, y in (out.at[g.id] for g in gs))
    out.floor = bottom - 0.9
    out.height = top - (out.floor - SKIP * len(out.skips)) + 0.5
    stub = STUB if any(not consumers[g.id] for g in gs) else 0
    out.x = min(MAX_X, round(WIDTH / max(1, max(depth.values()) + stub), 2))
    out.consumers = consumers
    return out


def _wanted(gate, at):
    """The row a gate would take level with its gate inputs (0: the top row)."""
    ys = [at[i][1] for k, i in gate.inputs if k == "gate" and i in at]
    return round(-sum(ys) / len(ys) / ROW) if ys else 0


def _sizes(gs):
    """Node name → how many gates draw it."""
    out, run = {}, 0
    for g in gs:
        run += 1
        if g.node is not None:
            out[g.node], run = run, 0
    return out


def graph_diagram(solution):
    """A tikzpicture of a graph problem's computational graph, or a sentence saying why not."""
    tape = solution.tape
    formulas = set()
    placed = layout(tape)
    while not placed.fits:
        sizes = {n: k for n, k in _sizes(placed.gates).items() if k > 1 and n not in formulas}
        if not sizes:
            return (rf"{{\small (The graph is too large to draw here: {len(placed.gates)} operations "
                    rf"in {max(placed.depth.values())} levels; its equations are above.)}}")
        formulas.add(max(sizes, key=sizes.get))
        placed = layout(tape, formulas)
    return _tikz(tape, placed)


def _tikz(tape, placed):
    x = placed.x
    lines = [rf"\begin{{tikzpicture}}[x={x}cm, y=1cm, >=stealth,",
             r"  leaf/.style={rectangle, draw, rounded corners, minimum size=6.5mm, fill=gray!10},",
             r"  const/.style={rectangle, draw, dashed, rounded corners, minimum size=6mm, font=\small},",
             r"  gate/.style={circle, draw, thick, minimum size=9mm, inner sep=1pt, fill=blue!6},",
             r"  formula/.style={rectangle, draw, thick, rounded corners, minimum height=9mm, "
             r"fill=blue!6, font=\small},",
             r"  wire/.style={fill=white, inner sep=1pt, font=\small}]"]
    for key, ((kind, what), _) in placed.boxes.items():
        cx, cy = placed.at[key]
        text = tex_name(what) if kind == "leaf" else latex(what)
        lines.append(rf"\node[{kind}] ({_id(key)}) at ({cx}, {cy:.2f}) {{${text}$}};")
    for g in placed.gates:
        cx, cy = placed.at[g.id]
        style = "formula" if g.op == "formula" else "gate"
        lines.append(rf"\node[{style}] ({g.id}) at ({cx}, {cy:.2f}) {{${g.label}$}};")
    for key, (_, users) in placed.boxes.items():
        for u in users:
            lines.append(rf"\draw[->] ({_id(key)}) -- ({u});")
    skips = {(a, b): level for a, b, level in placed.skips}
    for g in placed.gates:
        name = _wire_name(tape, g)
        users = placed.consumers[g.id]
        near = [u for u in users if (g.id, u) not in skips]
        for u in users:
            label = name if name and (u == (near or users)[0]) else None
            if (g.id, u) in skips:
                lines.append(_skip(placed, g.id, u, skips[(g.id, u)], label))
            else:
                tag = rf"node[midway, wire] {{${label}$}} " if label else ""
                lines.append(rf"\draw[->] ({g.id}) -- {tag}({u});")
        if not users:
            lines.append(rf"\draw[->] ({g.id}) -- ++({STUB * x * 0.8:.2f}cm, 0) "
                         rf"node[right] {{${name or ''}$}};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _id(key):
    return "b" + "".join(c if c.isalnum() else "-" for c in key)


def _wire_name(tape, gate):
    if gate.node is None:
        return None
    if gate.node == tape.loss and tape.node(gate.node).kind == "loss":
        return "L"
    return tex_name(gate.node)


def _skip(placed, a, b, level, label):
    """A wire from gate a to gate b, columns apart: out of a's right side, down below
    every gate, along, and up into b from its lower left."""
    (xa, ya), (xb, yb) = placed.at[a], placed.at[b]
    g = 0.3
    y = placed.floor - SKIP * level
    tag = rf" node[pos=0.5, wire] {{${label}$}}" if label else ""
    start = (rf"({a}.south) -- ({xa}, {y:.2f})" if _lowest(placed, a) else
             rf"({a}.east) -- ({xa + g:.2f}, {ya:.2f}) -- ({xa + g:.2f}, {y:.2f})")
    end = (rf"({xb}, {y:.2f}) -- ({b}.south)" if _lowest(placed, b) else
           rf"({xb - g:.2f}, {y:.2f}) -- ({xb - g:.2f}, {yb - 0.35:.2f}) -- ({b}.south west)")
    return rf"\draw[->, rounded corners=4pt] {start} --{tag} {end};"


def _lowest(placed, gate):
    """Nothing is drawn below `gate` in its column."""
    x, y = placed.at[gate]
    return all(c != x or cy >= y for c, cy in placed.at.values())
