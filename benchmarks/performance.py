"""Issue 13's targets, timed on the call a user makes, then issue 6's five (kept).

    make bench            (or: .venv/bin/python benchmarks/performance.py)

Issue 13 (first table): `symprop.gradients(problem)` from a loaded problem to the
exact Tensors in hand (and, for comparison, every one as a flint fmpq_mat), `symprop.gradcheck` of a PyTorch model, a batch of 64
samples from `symprop.from_torch`; symprop and PyTorch timed alternately in the same
run (best of the rounds), and the ratio. symprop keeps a Problem's exact matrices after
the first call on it: each row is timed as a repeat call and as a first call (reading
the problem's values included). Targets 3 and 4 (exams of sigmoid nets,
worked solutions of medium nets) come from benchmarks/exams_and_solve.py's rows().
Then issue 6's rows, as last round measured them:

1. symprop's exact gradients against the naive approach (sympy.diff of the composed
   loss for every parameter, then substitution) on a 4-8-8-2 net;
2. against PyTorch float64 autograd (CPU) on 8-64-64-8 nets: ReLU exact, sigmoid and
   tanh certified to 30 digits;
3. backward / forward in the same arithmetic, and the cost per parameter from 130 to
   20,000 parameters;
4. symbolic mode: the generic equations of a 10-layer chain and of 4-layer width-8
   nets, time and size against depth;
5. the .tex of every example, and a 120-variant exam with its PDFs.

Timings stay out of the test suite (machines are noisy); the results of a run go
into benchmarks/RESULTS.md. PyTorch is optional (pip install torch==2.13.0).
Options: --quick skips the naive baseline and the exam; --naive-all differentiates
all 130 parameters naively instead of a sample of them (about half an hour).
"""

import argparse
import glob
import os
import random
import sys
import tempfile
import time
import warnings

# one thread for numpy's BLAS (symprop's limb products, fast/limbs.py) as for PyTorch below:
# set before numpy loads, or it has no effect
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import flint  # noqa: E402
import sympy as sp  # noqa: E402

import symprop  # noqa: E402
from symprop.fast import kernel as fast  # noqa: E402

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None


# -- networks -----------------------------------------------------------------

def weights(sizes, seed):
    """One-decimal weights, biases, input and target, as exact Fractions of tenths."""
    rng = random.Random(seed)
    tenth = lambda: sp.Rational(rng.randint(-9, 9), 10)        # noqa: E731
    layers = [([[tenth() for _ in range(c)] for _ in range(r)], [tenth() for _ in range(r)])
              for r, c in zip(sizes[1:], sizes[:-1])]
    return layers, [tenth() for _ in range(sizes[0])], [tenth() for _ in range(sizes[-1])]


def problem(sizes, act, seed=1):
    layers, x, y = weights(sizes, seed)
    spec = {"loss": "half_sse", "learning_rate": "1/10", "steps": 0,
            "data": {"x": [str(v) for v in x], "y": [str(v) for v in y]},
            "layers": [{"weights": [[str(v) for v in row] for row in w], "bias": [str(v) for v in b],
                        "activation": act if i < len(sizes) - 2 else "identity"}
                       for i, (w, b) in enumerate(layers)]}
    return symprop.Problem.from_dict(spec)


def n_params(sizes):
    return sum(r * c + r for r, c in zip(sizes[1:], sizes[:-1]))


def clock(fn, budget=0.5):
    """Seconds per call: the best of 5 rounds, each repeating fn for about budget/5 s."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    reps = max(1, int(budget / 5 / once))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - start) / reps)
    return best


# -- the contenders -----------------------------------------------------------

def symprop_time(p, digits=30):
    """(forward + backward + certification on prepared matrices, reading the problem once):
    PyTorch's time below is likewise for tensors that already exist."""
    prepared = fast.prepare(p)
    kind = fast._limbs(p)            # the kind of matrices prepare() reads into (limbs for large ReLU nets)
    make = kind and kind.from_rationals
    return (clock(lambda: fast.run(p, digits, prepared)),
            clock(lambda: fast.reading.read(p, make)))                  # not the kept copy


def split_time(p, digits=30):
    """(forward, backward) seconds of the fast path, at the precision run() settles on."""
    bits = fast.run(p, digits).bits
    saved = flint.ctx.prec
    flint.ctx.prec = bits or saved
    try:
        params, x, y = fast._setup(p)
        fwd = clock(lambda: fast._forward(p, params, x, y))
        _, grad, tape = fast._forward(p, params, x, y)
        bwd = clock(lambda: fast._backward(params, grad, tape, False))
    finally:
        flint.ctx.prec = saved
    return fwd, bwd


def torch_time(sizes, act, seed=1):
    if torch is None:
        return None
    layers, x, y = weights(sizes, seed)
    f = lambda v: float(v)                                       # noqa: E731
    ps = [(torch.tensor([[f(v) for v in r] for r in w], dtype=torch.float64, requires_grad=True),
           torch.tensor([f(v) for v in b], dtype=torch.float64, requires_grad=True)) for w, b in layers]
    tx = torch.tensor([f(v) for v in x], dtype=torch.float64)
    ty = torch.tensor([f(v) for v in y], dtype=torch.float64)
    fn = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[act]

    def step():
        a = tx
        for i, (w, b) in enumerate(ps):
            z = w @ a + b
            a = fn(z) if i < len(ps) - 1 else z
        loss = 0.5 * ((a - ty) ** 2).sum()
        for w, b in ps:
            w.grad = b.grad = None
        loss.backward()
    return clock(step)


def naive_time(sizes, act, sample, seed=1):
    """sympy.diff of the composed loss for each parameter, then subs: what users write.
    ReLU is Max(0, z) (a Piecewise is slower still). Seconds for all parameters,
    extrapolated from `sample` of them spread over the layers (None: all)."""
    layers, x, y = weights(sizes, seed)
    values, a = {}, sp.Matrix(x)
    f = {"relu": lambda z: sp.Max(0, z), "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
         "tanh": sp.tanh}[act]
    start = time.perf_counter()
    for l, (w, b) in enumerate(layers, start=1):
        W = sp.Matrix(len(w), len(w[0]), lambda j, k: sp.Symbol(f"w{l}_{j}_{k}"))
        B = sp.Matrix(len(b), 1, lambda j, _: sp.Symbol(f"b{l}_{j}"))
        values.update({W[j, k]: w[j][k] for j in range(len(w)) for k in range(len(w[0]))})
        values.update({B[j]: b[j] for j in range(len(b))})
        z = W * a + B
        a = z.applyfunc(f) if l < len(layers) else z
    loss = sum(((a[i] - y[i]) ** 2 for i in range(len(y))), sp.Integer(0)) / 2
    compose = time.perf_counter() - start
    names = list(values)
    chosen = names if sample is None else names[:: max(1, len(names) // sample)][:sample]
    start = time.perf_counter()
    for s in chosen:
        g = sp.diff(loss, s).subs(values)
        if act != "relu":
            g.evalf(30)
    per = (time.perf_counter() - start) / len(chosen)
    return compose + per * len(names), len(chosen)


# -- the report ---------------------------------------------------------------

def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:,.1f}×"


def ms(t):
    return "—" if t is None else f"{t * 1e3:,.3f}"


def target_1(args):
    sizes = [4, 8, 8, 2]
    print("\n## Target 1: against sympy.diff + substitution (4-8-8-2, 130 parameters)\n")
    print("| activation | symprop fast (ms) | SymPy engine, solve() (ms) | naive sympy.diff (s) "
          "| naive / symprop | target |")
    print("|---|---:|---:|---:|---:|---|")
    for act in ("relu", "sigmoid"):
        p = problem(sizes, act)
        t = sum(symprop_time(p))                  # reading the problem included
        engine = clock(lambda: symprop.solve(p), budget=2)
        if args.quick:
            naive, note = None, "skipped (--quick)"
        else:
            naive, k = naive_time(sizes, act, None if args.naive_all else 6)
            note = f"{naive:,.1f}" + ("" if args.naive_all else f" (from {k} of 130, extrapolated)")
        print(f"| {act} | {ms(t)} | {ms(engine)} | {note} | {ratio(naive, t)} | ≥ 1000× |")


def target_2():
    sizes = [8, 64, 64, 8]
    print(f"\n## Target 2: against PyTorch float64 autograd (8-64-64-8, {n_params(sizes):,} parameters), "
          "the kernel on prepared matrices (issue 13's target 1 times the call)\n")
    if torch is None:
        print("PyTorch is not installed (pip install torch==2.13.0): ratios not measured.\n")
    print("| activation | symprop | symprop forward + backward (ms) | PyTorch float64 forward + backward (ms) "
          "| symprop / PyTorch | target | reading the problem into matrices, once (ms) |")
    print("|---|---|---:|---:|---:|---|---:|")
    for act, what, target in (("relu", "exact rationals", "≤ 10×"),
                              ("sigmoid", "30 certified digits", "≤ 50×"),
                              ("tanh", "30 certified digits", "≤ 50×")):
        p = problem(sizes, act)
        (t, setup), tt = symprop_time(p), torch_time(sizes, act)
        print(f"| {act} | {what} | {ms(t)} | {ms(tt)} | {ratio(t, tt)} | {target} | {ms(setup)} |")


SCALING = [[4, 8, 8, 2], [8, 24, 24, 8], [8, 64, 64, 8], [16, 128, 128, 16]]


def target_3():
    print("\n## Target 3: backward / forward (same arithmetic) and cost per parameter\n")
    print("| net | parameters | activation | forward (ms) | backward (ms) | backward / forward "
          "| total µs per parameter |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for act in ("relu", "sigmoid"):
        for sizes in SCALING:
            p = problem(sizes, act)
            fwd, bwd = split_time(p)
            n = n_params(sizes)
            print(f"| {'-'.join(map(str, sizes))} | {n:,} | {act} | {ms(fwd)} | {ms(bwd)} | "
                  f"{bwd / fwd:.2f} | {(fwd + bwd) / n * 1e6:.3f} |")
    print("\nTargets: backward / forward ≤ 3 at every size; µs per parameter flat (linear total cost).")


def chain(depth):
    return {"loss": "half_sse", "learning_rate": "eta", "data": {"x": ["x"], "y": ["y"]},
            "layers": [{"weights": [[f"w{l}"]], "bias": [f"b{l}"], "activation": "sigmoid"}
                       for l in range(1, depth + 1)]}


def mlp(depth, width=8):
    return {"loss": "half_sse", "learning_rate": "eta",
            "data": {"x": [f"x{k}" for k in range(width)], "y": [f"y{k}" for k in range(width)]},
            "layers": [{"weights": [[f"w{l}_{j}_{k}" for k in range(width)] for j in range(width)],
                        "bias": [f"b{l}_{j}" for j in range(width)], "activation": "sigmoid"}
                       for l in range(1, depth + 1)]}


def target_4():
    print("\n## Target 4: symbolic mode, every weight a symbol (symprop.core.derive)\n")
    print("| network | depth | parameters | time (s) | size (tree nodes) | size / depth "
          "| re-expanded first gradient (tree nodes) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    from symprop.model.numeric import tree_size
    from symprop.core.tape import _TEMPLATES
    for name, make, depths in (("scalar chain, sigmoid", chain, (1, 2, 5, 10)),
                               ("width-8 MLP, sigmoid", mlp, (1, 2, 3, 4))):
        for d in depths:
            p = symprop.Problem.from_dict(make(d))
            _TEMPLATES.clear()                       # cold: every shape differentiated afresh
            start = time.perf_counter()
            derivation = symprop.derive(p)
            t = time.perf_counter() - start
            size = derivation.size()
            first = next(iter(derivation.gradients))
            expanded = tree_size(derivation.expand(first)) if name.startswith("scalar") else "—"
            print(f"| {name} | {d} | {len(derivation.gradients)} | {t:.3f} | {size:,} | {size / d:,.0f} "
                  f"| {expanded} |")
    print("\nTargets: each under 1 s; size / depth constant (linear growth). The last column is the"
          " same first-layer gradient substituted back into one expression: what the equations avoid.")


def target_5(args):
    print("\n## Target 5: worksheets and exams\n")
    from symprop.exam.exports import write_exam
    from symprop.render.sheet import to_latex
    root = os.path.join(os.path.dirname(__file__), "..", "examples")
    print("| job | seconds | target |")
    print("|---|---:|---|")
    for path in sorted(glob.glob(os.path.join(root, "*.toml"))):
        p = symprop.load(path)
        t = clock(lambda: to_latex(symprop.solve(p)), budget=1)
        print(f"| solve + .tex of {os.path.basename(path)} | {t:.3f} | < 0.5 |")
    if args.quick:
        print("| 120-variant exam | skipped (--quick) | < 60 |")
        return
    p = symprop.load(os.path.join(root, "two_layer_relu.toml"))
    sys.stdout.flush()                      # pdflatex's children share the output
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_exam(p, 120, 2026, os.path.join(tmp, "exam"))
        t = time.perf_counter() - start
    print(f"| 120-variant exam of two_layer_relu (questions.pdf, answers.pdf, JSON, Moodle XML) "
          f"| {t:.1f} | < 60 |")


# -- issue 13: the calls users make -------------------------------------------------

def paired(fa, fb, rounds=15, budget=0.6):
    """(seconds per call of fa, of fb): each round times fa, then fb, for about budget/rounds s
    each; the best round of each. fb None: fa alone."""
    fns = [f for f in (fa, fb) if f is not None]
    reps = []
    for f in fns:
        f()
        start = time.perf_counter()
        f()
        reps.append(max(1, int(budget / rounds / max(time.perf_counter() - start, 1e-7))))
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, (f, n) in enumerate(zip(fns, reps)):
            start = time.perf_counter()
            for _ in range(n):
                f()
            best[i] = min(best[i], (time.perf_counter() - start) / n)
    return (best[0], best[1] if fb is not None else None)


def exact_matrices(p):
    """symprop.gradients(p) and every parameter's exact matrix as a flint fmpq_mat."""
    g = symprop.gradients(p)
    return [g.grad(n).to_fmpq() for n in g.names]


def exact_tensors(p):
    """symprop.gradients(p) and every parameter's exact Tensor in hand: the exact integer
    matrix over one denominator (int64 limbs on numpy, or flint's fmpz_mat) that every
    entry, .values(), .to_fmpq() are read from, converted only when asked."""
    g = symprop.gradients(p)
    return [g.grad(n) for n in g.names]


def first_call(fn, p):
    """fn(p) as the first gradients() call on p: the exact matrices read from p's values
    (kept per Problem object after the first call) are dropped before it."""
    fast.forget(p)
    return fn(p)


def certified_tensors(p):
    """symprop.gradients(p) and every parameter's Tensor: balls certified to 30 digits,
    each entry's Decimal formatted when it is read."""
    g = symprop.gradients(p)
    return [g.grad(n) for n in g.names]


def every_decimal(p):
    g = symprop.gradients(p)
    return [g.grad(n).values() for n in g.names]


def torch_step(model, x, y, reduction="mean"):
    params = list(model.parameters())

    def step():
        per = ((model(x) - y) ** 2).mean(dim=1)
        loss = per.mean() if reduction == "mean" else per.sum()
        torch.autograd.grad(loss, params)
    return step


def torch_model(sizes, seed=0, dtype=None):
    torch.manual_seed(seed)
    mods = []
    for i, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(m, n))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods).to(dtype or torch.float64)


def _z(v):
    """An exact pre-activation for the table: 0, or its sign and size."""
    return "0" if v == 0 else f"{float(v):.1e}"


def kink_model():
    """tests/test_torchcheck.py's 4-32-32-4 net: one-decimal weights, units 0-7 of layer 1
    exactly 0 at x = (0.1, 0.1, 0.1, 0.1), which float64 computes as about ±1e-17 (7 of the 8 units here)."""
    from fractions import Fraction
    model = torch_model([4, 32, 32, 4], seed=6)
    gen = torch.Generator().manual_seed(6)
    triples = [(0.1, 0.2, -0.3), (0.1, 0.7, -0.8), (0.2, 0.7, -0.9), (0.3, 0.6, -0.9),
               (0.4, 0.2, -0.6), (0.7, 0.2, -0.9), (0.1, 0.6, -0.7), (0.3, 0.4, -0.7)]
    with torch.no_grad():
        for prm in model.parameters():
            prm.copy_(torch.randint(-9, 10, prm.shape, generator=gen).double() / 10)
        for unit, (a, b, c) in enumerate(triples):
            r = -(Fraction(a) + Fraction(b) + Fraction(c))
            model[0].weight[unit] = torch.tensor([a, b, c, float(r)], dtype=torch.float64)
            model[0].bias[unit] = 0.0
    return model


def issue_13(args):
    print("\n## Issue 13: the calls users make, against PyTorch in the same run\n")
    if torch is None:
        print("PyTorch is not installed (pip install torch==2.13.0): PyTorch columns and the "
              "from_torch rows are not measured.\n")
    print("| target | call timed | symprop (ms) | PyTorch (ms) | ratio | goal | met |")
    print("|---|---|---:|---:|---:|---|---|")
    notes = []

    def row(target, call, t, tt, goal, limit):
        r = None if tt is None else t / tt
        met = "—" if r is None or limit is None else ("yes" if r <= limit else "**no**")
        print(f"| {target} | {call} | {ms(t)} | {ms(tt)} | {ratio(t, tt)} | {goal} | {met} |")
        sys.stdout.flush()

    sizes = [8, 64, 64, 8]
    for act, what, fn, limit in (("relu", "exact Tensors in hand (`g.grad(n)`: exact integer matrices, "
                                          "entries converted when read)", exact_tensors, 10),
                                 ("relu", "every parameter as a flint `fmpq_mat` (`g.grad(n).to_fmpq()`)",
                                  exact_matrices, None),
                                 ("sigmoid", "Tensors certified to 30 digits", certified_tensors, 50),
                                 ("tanh", "Tensors certified to 30 digits", certified_tensors, 50)):
        p = problem(sizes, act)
        step = torch_step_manual(sizes, act)
        goal = f"≤ {limit}× PyTorch float64 forward + backward" if limit else "— (for comparison)"
        t, tt = paired(lambda: fn(p), step)
        row("1", f"`gradients(problem)` 8-64-64-8 {act}, {what}", t, tt, goal, limit)
        t1, tt = paired(lambda: first_call(fn, p), step)
        row("1", f"the same, first call on the Problem (reading its 5,256 values into matrices included)",
            t1, tt, goal, limit)
        if act != "relu":
            d, _ = paired(lambda: every_decimal(p), None, rounds=3)
            notes.append(f"{act}: reading every one of the {n_params(sizes):,} gradients as a Decimal "
                         f"(`.values()` of every Tensor, not in the row) costs {ms(d)} ms in all.")
    if torch is not None:
        model = kink_model()
        x = torch.full((1, 4), 0.1, dtype=torch.float64)
        y = torch.tensor([[1.0, 0.0, -1.0, 0.5]], dtype=torch.float64)
        report = symprop.gradcheck(model, x, y, loss="mse")
        t, tt = paired(lambda: symprop.gradcheck(model, x, y, loss="mse"), torch_step(model, x, y))
        flips = len(report.kinks)
        print(f"| 2 | `gradcheck(model, x, y)` 4-32-32-4 one-decimal ReLU net (from the torch model: "
              f"conversion, exact gradients, autograd, comparison) | {ms(t)} | {ms(tt)} | {ratio(t, tt)} "
              f"| reports the flipped kinks | {'yes' if flips else '**no**'}: {flips} units, e.g. exact z = "
              f"{_z(report.kinks[0].exact)}, float z = {report.kinks[0].float:.1e} |" if flips else "| 2 | gradcheck | — | — | — | — | **no** |")
        for reduction in ("mean", "sum"):
            model = torch_model(sizes, seed=1)
            gen = torch.Generator().manual_seed(2)
            x = torch.randn(64, 8, generator=gen, dtype=torch.float64)
            y = torch.randn(64, 8, generator=gen, dtype=torch.float64)
            start = time.perf_counter()
            p = symprop.from_torch(model, x, y, loss="mse", reduction=reduction)
            convert = time.perf_counter() - start
            t, tt = paired(lambda: exact_tensors(p), torch_step(model, x, y, reduction))
            row("2", f"batch of 64 ({reduction}), 8-64-64-8 ReLU float64 model: `gradients(from_torch(...))`, "
                f"exact Tensors in hand", t, tt, "≤ 20× PyTorch on the same batch", 20)
            t1, tt = paired(lambda: first_call(exact_tensors, p), torch_step(model, x, y, reduction))
            row("2", f"the same, first call on the Problem (reading included)", t1, tt,
                "≤ 20× PyTorch on the same batch", 20)
            t2, tt = paired(lambda: exact_matrices(p), torch_step(model, x, y, reduction))
            row("2", f"the same (repeat call), every parameter as a flint `fmpq_mat`", t2, tt,
                "— (for comparison)", None)
            if reduction == "mean":
                notes.append(f"from_torch of that batch (not in the row): {convert * 1e3:,.0f} ms.")
    print()
    for n in notes:
        print(f"- {n}")
    exams = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exams_and_solve.py")
    if os.path.exists(exams):
        import importlib.util
        spec = importlib.util.spec_from_file_location("exams_and_solve", exams)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "rows"):
            sys.stdout.flush()
            rows = module.rows(quick=args.quick)
            print("\n| target | measured | goal |")
            print("|---|---|---|")
            for target, measured, goal in rows:
                print(f"| {target} | {measured} | {goal} |")


def torch_step_manual(sizes, act, seed=1):
    """PyTorch float64 forward + backward of the same net and sample as problem(sizes, act)."""
    if torch is None:
        return None
    layers, x, y = weights(sizes, seed)
    ps = [(torch.tensor([[float(v) for v in r] for r in w], dtype=torch.float64, requires_grad=True),
           torch.tensor([float(v) for v in b], dtype=torch.float64, requires_grad=True)) for w, b in layers]
    tx = torch.tensor([float(v) for v in x], dtype=torch.float64)
    ty = torch.tensor([float(v) for v in y], dtype=torch.float64)
    fn = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[act]
    flat = [t for pair in ps for t in pair]

    def step():
        a = tx
        for i, (w, b) in enumerate(ps):
            z = w @ a + b
            a = fn(z) if i < len(ps) - 1 else z
        torch.autograd.grad(0.5 * ((a - ty) ** 2).sum(), flat)
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the naive baseline and the exam")
    parser.add_argument("--naive-all", action="store_true", help="differentiate all 130 parameters naively")
    args = parser.parse_args(argv)
    print(f"# symprop performance, {time.strftime('%Y-%m-%d')}: python {sys.version.split()[0]}, "
          f"sympy {sp.__version__}, python-flint {flint.__version__}, "
          f"torch {torch.__version__ if torch else 'not installed'}, {os.cpu_count()} cores")
    issue_13(args)
    print("\n# Issue 6's targets (kept: issue 13, target 5)")
    target_1(args)
    target_2()
    target_3()
    target_4()
    target_5(args)


if __name__ == "__main__":
    main()
