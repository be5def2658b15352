"""The layered diagram's weight labels are readable (issue 18, item 2): no two labels'
boxes overlap, no edge but a label's own crosses it, none sits on a unit, and every
label is drawn after every edge with a white box, so no line hides a minus sign. A
layer pair whose labels cannot be placed has its weights as a matrix under the picture.

The geometry is label_layout's (cm): each label's box from label_size (the text's
width at \\scriptsize), each edge's visible segment between its units' circles. The
checks below are the test's own: points sampled along every segment, boxes compared
pairwise."""

import itertools
import math
import random

import pytest

import symprop
from helpers import EXAMPLES
from symprop.render import diagram as diagram_module
from symprop.render.diagram import diagram, label_layout, label_size

VALUES = ['"1/2"', "-1", "2", '"-1/2"', "0.5", "-0.5", "-0.25", '"-1/3"', "0.75", "-12.5", "1"]
SIZES = [(a, b, c) for a in (2, 3, 4) for b in (2, 3, 4) for c in (1, 2, 3)]
DEEPER = [(2, 3, 3, 1), (3, 2, 4, 3), (4, 3, 2, 3, 1)]


def net(sizes, seed=0):
    r = random.Random(seed)
    row = lambda n: "[" + ", ".join(r.choice(VALUES) for _ in range(n)) + "]"
    lines = ['title = "net"', 'loss = "half_sse"', "steps = 0", "", "[data]",
             f"x = {row(sizes[0])}", f"y = {row(sizes[-1])}"]
    for l in range(1, len(sizes)):
        lines += ["", "[[layers]]",
                  "weights = [" + ", ".join(row(sizes[l - 1]) for _ in range(sizes[l])) + "]",
                  f"bias = {row(sizes[l])}", 'activation = "relu"']
    return symprop.loads("\n".join(lines) + "\n")


def layered_examples():
    for path in sorted(EXAMPLES.glob("*.toml")):
        problem = symprop.load(path)
        if problem.is_layered:
            yield path.stem, problem


def inside(point, box):
    """Whether a point is inside a label's box (turned by its angle about its centre)."""
    cx, cy, w, h, turn = box
    dx, dy = point[0] - cx, point[1] - cy
    u = math.cos(turn) * dx + math.sin(turn) * dy
    v = -math.sin(turn) * dx + math.cos(turn) * dy
    return abs(u) < w / 2 and abs(v) < h / 2


def outline(box, n=40):
    """Points along a box's border and its centre."""
    cx, cy, w, h, turn = box
    c, s = math.cos(turn), math.sin(turn)
    points = [(cx, cy)]
    for i in range(n + 1):
        f = i / n - 0.5
        for u, v in ((f * w, h / 2), (f * w, -h / 2), (w / 2, f * h), (-w / 2, f * h)):
            points.append((cx + c * u - s * v, cy + s * u + c * v))
    return points


def along(segment, n=400):
    (x0, y0), (x1, y1) = segment
    return [(x0 + i / n * (x1 - x0), y0 + i / n * (y1 - y0)) for i in range(n + 1)]


def check_readable(problem):
    layout = label_layout(problem)
    boxes = layout.boxes
    for (e, a), (f, b) in itertools.combinations(boxes.items(), 2):
        assert not any(inside(p, b) for p in outline(a)), f"labels of {e} and {f} overlap"
        assert not any(inside(p, a) for p in outline(b)), f"labels of {e} and {f} overlap"
    for e, box in boxes.items():
        for f, segment in layout.segments.items():
            if f != e:
                assert not any(inside(p, box) for p in along(segment)), f"edge {f} crosses the label of {e}"
        for unit, (ux, uy, r) in layout.circles.items():
            ring = [(ux + r * math.cos(i * math.pi / 60), uy + r * math.sin(i * math.pi / 60)) for i in range(120)]
            assert not inside((ux, uy), box) and not any(inside(p, box) for p in ring), \
                f"the label of {e} is on unit {unit}"
        assert any(inside(p, box) for p in along(layout.segments[e], 100)), "a label sits on its own edge"
    return layout


def weight_edges(layout):
    return {e for e in layout.segments if e[0] != "loss"}


@pytest.mark.parametrize("name,problem", list(layered_examples()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_example_has_every_weight_readable(name, problem):
    layout = check_readable(problem)
    assert not layout.tabled
    assert set(layout.boxes) == weight_edges(layout)


@pytest.mark.parametrize("sizes", SIZES + DEEPER, ids=lambda s: "-".join(map(str, s)))
def test_random_nets_up_to_4_4_3_have_every_weight_readable(sizes):
    for seed in range(3):
        layout = check_readable(net(sizes, seed))
        assert not layout.tabled, (sizes, seed)
        assert set(layout.boxes) == weight_edges(layout)


@pytest.mark.parametrize("sizes", [(5, 5, 2), (6, 6, 1), (6, 3, 6), (4, 4, 4, 2)], ids=lambda s: "-".join(map(str, s)))
def test_wider_nets_label_what_fits_and_tabulate_the_rest(sizes):
    layout = check_readable(net(sizes))
    labelled = {e[0] for e in layout.boxes}
    assert labelled | set(layout.tabled) == {e[0] for e in weight_edges(layout)}


def test_labels_are_drawn_after_every_edge_on_white():
    tex = diagram(symprop.solve(symprop.load(EXAMPLES / "relu_2_3_1.toml")))
    lines = tex.split("\n")
    last_edge = max(i for i, line in enumerate(lines) if line.startswith(r"\draw") and "loss" not in line)
    weights = [i for i, line in enumerate(lines) if line.startswith(r"\node[weight]")]
    assert len(weights) == 9 and min(weights) > last_edge
    assert "weight/.style={font=\\scriptsize, fill=white" in tex
    assert r"{$-0.4$}" in tex and r"{$-0.3$}" in tex


def test_label_size_grows_with_the_text():
    w1, h1 = label_size("0.5")
    w2, h2 = label_size("-0.5")
    w3, h3 = label_size(r"\frac{1}{3}")
    w4, _ = label_size(r"0.598688\ldots")
    assert w2 > w1 and h2 == h1 and h3 > h1 and w4 > 2 * w1


def test_a_pair_that_cannot_be_labelled_is_a_matrix_under_the_picture(monkeypatch):
    monkeypatch.setattr(diagram_module, "_place", lambda *a, **k: None)
    solution = symprop.solve(symprop.load(EXAMPLES / "saturated_sigmoid.toml"))
    layout = label_layout(solution.problem)
    assert layout.tabled == [1, 2] and not layout.boxes
    tex = diagram(solution)
    assert r"W^{(1)} = \begin{bmatrix}" in tex and r"W^{(2)} = \begin{bmatrix}" in tex
    assert tex.index(r"W^{(1)} = \begin{bmatrix}") > tex.index(r"\end{tikzpicture}")
    assert r"\node[weight]" not in tex
    assert "The weights of layers 1 and 2 are the matrices under the picture" in tex


def test_too_wide_a_net_has_no_labels_and_says_where_the_weights_are():
    solution = symprop.solve(net((7, 3, 1)))
    layout = label_layout(solution.problem)
    assert not layout.boxes and not layout.tabled
    assert "The weights are in the matrices above" in diagram(solution)
