"""Exams and worked solutions, timed as a user runs them (issue 13, targets 3 and 4).

    .venv/bin/python benchmarks/exams_and_solve.py [--quick]

1. `symprop exam PROBLEM --variants 120 --out DIR` (PDFs, answers.json, moodle.xml) of
   examples/two_layer_relu.toml and of examples/two_layer_sigmoid.toml with the
   [randomize] table below (written into a copy: the example itself has none), back to
   back in one run; the per-variant ratio sigmoid / ReLU.
2. `symprop solve` (text and --format json) of a 16-32-32-4 ReLU net, the command as a
   user runs it (a new Python process: the import is included), and the curve of
   in-process load + solve + render from 130 to ~2,000 parameters, with seconds per
   parameter, to show the cost is linear.

Wall seconds are what a user waits; CPU seconds (this process's children, pdflatex
included) say how much of it is work when the machine is shared. `rows()` gives
(target, measured, goal) tuples for benchmarks/performance.py (computed once).
--quick: 20 variants per exam instead of 120 and one round per solve.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EXAMPLES = os.path.join(ROOT, "examples")
sys.path.insert(0, ROOT)

SIGMOID_RANDOMIZE = """
# For exams (benchmarks/exams_and_solve.py): weights and inputs in tenths, as in the
# seed; every variant's update must lower the loss.
[randomize.values]
W1 = {range = ["-0.5", "0.5"], step = "0.1"}
W2 = {range = ["-0.5", "0.5"], step = "0.1"}
x = {choices = ["0.1", "0.5", "1"]}

[randomize.constraints]
loss_decreases = true
max_abs = 10
"""

CURVE = [(4, 8, 8, 2), (8, 12, 12, 4), (8, 16, 16, 4), (12, 24, 24, 4), (16, 32, 32, 4),
         (16, 36, 36, 4)]
MEDIUM = (16, 32, 32, 4)


def parameters(sizes):
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def relu_net(sizes, seed=1):
    """A problem file: ReLU hidden layers, identity output, ½ SSE, one-decimal numbers."""
    rng = random.Random(seed)

    def vec(n):
        return "[" + ", ".join(f'"{rng.randint(-9, 9) / 10}"' for _ in range(n)) + "]"

    lines = [f'title = "{"-".join(map(str, sizes))} ReLU net"', 'loss = "half_sse"',
             'learning_rate = "0.1"', "steps = 1", "", "[data]", f"x = {vec(sizes[0])}",
             f"y = {vec(sizes[-1])}"]
    for l in range(1, len(sizes)):
        rows = ",\n  ".join(vec(sizes[l - 1]) for _ in range(sizes[l]))
        act = "relu" if l < len(sizes) - 1 else "identity"
        lines += ["", "[[layers]]", f"weights = [{rows}]", f"bias = {vec(sizes[l])}",
                  f'activation = "{act}"']
    return "\n".join(lines) + "\n"


def _run(args):
    """(wall seconds, CPU seconds of the child and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "symprop", *args], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"symprop {' '.join(args)} failed: {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def exams(tmp, count):
    """{name: (wall, cpu)} of `symprop exam` of the ReLU and the sigmoid example."""
    sigmoid = os.path.join(tmp, "two_layer_sigmoid_exam.toml")
    with open(os.path.join(EXAMPLES, "two_layer_sigmoid.toml"), encoding="utf-8") as fh:
        text = fh.read()
    with open(sigmoid, "w", encoding="utf-8") as fh:
        fh.write(text + SIGMOID_RANDOMIZE)
    out = {}
    for name, path in (("relu", os.path.join(EXAMPLES, "two_layer_relu.toml")),
                       ("sigmoid", sigmoid)):
        folder = os.path.join(tmp, f"exam-{name}")
        out[name] = _run(["exam", path, "--variants", str(count), "--seed", "2026", "--out",
                          folder, "-q"])
    return out


def _in_process(path, rounds):
    """Best of `rounds` CPU seconds of load + solve + text and load + solve + JSON."""
    import json

    import symprop
    import symprop.render  # noqa: F401  (registers the text renderer)

    best = {"text": float("inf"), "json": float("inf")}
    for _ in range(rounds):
        for kind in best:
            t = time.process_time()
            solution = symprop.solve(symprop.load(path))
            str(solution) if kind == "text" else json.dumps(solution.to_json())
            best[kind] = min(best[kind], time.process_time() - t)
    return best


def solves(tmp, rounds):
    """The CLI times of the medium net and the in-process curve."""
    paths = {}
    for sizes in CURVE:
        paths[sizes] = os.path.join(tmp, "net-" + "-".join(map(str, sizes)) + ".toml")
        with open(paths[sizes], "w", encoding="utf-8") as fh:
            fh.write(relu_net(sizes))
    medium = paths[MEDIUM]
    cli = {"text": min(_run(["solve", medium, "-q"]) for _ in range(rounds)),
           "json": min(_run(["solve", medium, "--format", "json", "-q"]) for _ in range(rounds))}
    _in_process(paths[CURVE[0]], 1)                      # warm: imports, first diff
    curve = [(sizes, parameters(sizes), _in_process(paths[sizes], rounds)) for sizes in CURVE]
    return cli, curve


_ROWS = None


def measure(quick=False):
    """Every figure, printed as Markdown; returns the rows."""
    global _ROWS
    count, rounds = (20, 1) if quick else (120, 3)
    with tempfile.TemporaryDirectory(prefix="symprop-bench-") as tmp:
        ex = exams(tmp, count)
        cli, curve = solves(tmp, rounds)
    (rw, rc), (sw, sc) = ex["relu"], ex["sigmoid"]
    print(f"\n## Exams: `symprop exam … --variants {count}` (PDFs included)\n")
    print("| problem | wall s | CPU s | wall s per variant |")
    print("|---|---:|---:|---:|")
    for name, (w, c) in ex.items():
        print(f"| {name} | {w:.1f} | {c:.1f} | {w / count:.3f} |")
    ratio = sw / rw
    print(f"\nsigmoid / ReLU per accepted variant: {ratio:.2f} (wall), {sc / rc:.2f} (CPU)")
    print("\n## `symprop solve` of a 16-32-32-4 ReLU net (new process, import included)\n")
    for kind, (w, c) in cli.items():
        print(f"- {kind}: {w:.2f} s wall, {c:.2f} s CPU")
    print("\n## Cost against parameters (in process: load + solve + render, CPU s, best of "
          f"{rounds})\n")
    print("| net | parameters | text s | text µs/param | JSON s | JSON µs/param |")
    print("|---|---:|---:|---:|---:|---:|")
    for sizes, n, t in curve:
        print(f"| {'-'.join(map(str, sizes))} | {n:,} | {t['text']:.3f} | "
              f"{1e6 * t['text'] / n:.0f} | {t['json']:.3f} | {1e6 * t['json'] / n:.0f} |")
    per = [t["text"] / n for _, n, t in curve]
    spread = max(per[1:]) / min(per[1:])
    scale = f"{count}-variant"
    _ROWS = [
        (f"{scale} exam of two_layer_relu (PDFs included)", f"{rw:.1f} s ({rc:.1f} s CPU)", "< 60 s"),
        (f"{scale} exam of two_layer_sigmoid with [randomize] (PDFs included)",
         f"{sw:.1f} s ({sc:.1f} s CPU)", "< 60 s"),
        ("sigmoid / ReLU exam cost per accepted variant", f"{ratio:.2f}×", "≤ 3×"),
        ("symprop solve 16-32-32-4 ReLU (text; JSON)",
         f"{cli['text'][0]:.2f} s; {cli['json'][0]:.2f} s wall", "< 2 s"),
        (f"solve + text, {curve[0][1]}–{curve[-1][1]:,} parameters",
         f"{1e6 * min(per):.0f}–{1e6 * max(per):.0f} µs/parameter "
         f"(max/min {spread:.2f} above {curve[1][1]} parameters)", "linear"),
    ]
    return _ROWS


def rows(quick=False):
    """(target, measured, goal) strings for benchmarks/performance.py (measured once)."""
    return _ROWS if _ROWS is not None else measure(quick)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 variants, one round")
    args = parser.parse_args()
    table = rows(args.quick)
    print("\n## Summary\n\n| target | measured | goal |\n|---|---|---|")
    for row in table:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
