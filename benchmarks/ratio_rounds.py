"""Issue 13's ratio lines, round after round, and their median: on a shared machine one
run's ratios wander by 2x, the median of several rounds less. The rows and the timing are
performance.py's (paired: symprop and PyTorch alternately, best of 15 rounds), each as a repeat call
and as a first call on the Problem (its kept matrices dropped); exact results as Tensors in
hand (performance.exact_tensors), and for ReLU also every one as an fmpq_mat ("relu-fmpq").

    .venv/bin/python benchmarks/ratio_rounds.py [ROUNDS]      (default 5; needs torch)
"""

import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

import performance as P  # noqa: E402
import symprop  # noqa: E402
import torch  # noqa: E402

sizes = [8, 64, 64, 8]
cases = []
for name, act, fn in (("relu", "relu", P.exact_tensors), ("relu-fmpq", "relu", P.exact_matrices),
                      ("sigmoid", "sigmoid", P.certified_tensors), ("tanh", "tanh", P.certified_tensors)):
    cases.append((name, P.problem(sizes, act), fn, P.torch_step_manual(sizes, act)))
for reduction in ("mean", "sum"):
    model = P.torch_model(sizes, seed=1)
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(64, 8, generator=gen, dtype=torch.float64)
    y = torch.randn(64, 8, generator=gen, dtype=torch.float64)
    cases.append(("batch-" + reduction, symprop.from_torch(model, x, y, loss="mse", reduction=reduction),
                  P.exact_tensors, P.torch_step(model, x, y, reduction)))
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
res = {c[0]: ([], []) for c in cases}
for r in range(rounds):
    for name, p, fn, step in cases:
        t, tt = P.paired(lambda: fn(p), step)
        t1, tt1 = P.paired(lambda: P.first_call(fn, p), step)
        res[name][0].append(t / tt); res[name][1].append(t1 / tt1)
for name, (rep, first) in res.items():
    print(f"{name:13s} repeat call: median {statistics.median(rep):6.1f}x  [{', '.join(f'{v:.1f}' for v in rep)}]"
          f"   first call: median {statistics.median(first):6.1f}x  [{', '.join(f'{v:.1f}' for v in first)}]")
