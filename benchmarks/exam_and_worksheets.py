"""Benchmarks for issue 5's and issue 3's timing targets (run: python benchmarks/exam_and_worksheets.py).

- a 120-variant exam of examples/two_layer_relu.toml (questions.pdf, answers.pdf,
  answers.json, moodle.xml), LaTeX included: target < 60 s on 2 cores;
- the .tex of every example: target < 0.5 s each.

Timings are kept out of the test suite (machines are noisy); results go to
benchmarks/RESULTS.md.
"""

import glob
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import symprop  # noqa: E402
from symprop.exam import write_exam  # noqa: E402
from symprop.worksheet import to_latex  # noqa: E402


def best_of(fn, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    root = os.path.join(os.path.dirname(__file__), "..", "examples")
    print(f"{'benchmark':<48} {'seconds':>8}  target")
    for path in sorted(glob.glob(os.path.join(root, "*.toml"))):
        problem = symprop.load(path)
        t = best_of(lambda: to_latex(symprop.solve(problem)))
        print(f"{'solve + .tex of ' + os.path.basename(path):<48} {t:8.3f}  < 0.5")
    problem = symprop.load(os.path.join(root, "two_layer_relu.toml"))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_exam(problem, 120, 2026, os.path.join(tmp, "exam"))
        t = time.perf_counter() - start
    print(f"{'exam: 120 variants of two_layer_relu, with PDFs':<48} {t:8.3f}  < 60")


if __name__ == "__main__":
    main()
