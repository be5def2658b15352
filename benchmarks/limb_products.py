"""What would close issue 13's batch target (session 7's measurement; since session 8 the
fast path does this itself, symprop/fast/limbs.py): the exact integer matrix products of the
batch-of-64 ReLU net done as float64 GEMMs on 20-bit limbs, against python-flint.

The fast path's batch call is dominated by exact products of 64×64 integer matrices with
70-350-bit entries (python-flint: ~1-8 ms each, RESULTS.md). A float64 product of integers
below 2^20 summed over an inner dimension n ≤ 2^13 stays below 2^53, so it is exact in any
summation order: splitting each integer matrix into 20-bit limbs turns one exact product
into one BLAS GEMM of all limb pairs plus a carry pass. This script takes the real
operands of the net's products (from the fast path's own forward pass and δ recursion),
multiplies them both ways, checks that the limb products equal flint's exactly, and
prints the times. It needs numpy and torch; it is a measurement, not part of symprop.

    .venv/bin/python benchmarks/limb_products.py
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")      # one thread, as flint and torch here

import numpy as np  # noqa: E402
import torch  # noqa: E402

import performance as P  # noqa: E402
import symprop  # noqa: E402
from symprop.fast import kernel, matrices  # noqa: E402

R = 20                      # limb bits: n·2^(2R) ≤ 2^53 for inner dimensions n ≤ 2^13
MASK = (1 << R) - 1


def to_limbs(ints, shape):
    """Python ints (row-major) as an int64 array (K, rows, cols) of R-bit limbs, the lower
    limbs in [0, 2^R) and the top one signed (value = Σ limb_k 2^(R k))."""
    width = max(1, max(abs(v).bit_length() for v in ints) + 1)
    k = -(-width // R) + 1
    nbytes = -(-(k * R) // 8) + 1
    raw = b"".join(v.to_bytes(nbytes, "little", signed=True) for v in ints)
    bits = np.unpackbits(np.frombuffer(raw, np.uint8).reshape(len(ints), nbytes), axis=1,
                         bitorder="little")[:, :k * R].reshape(len(ints), k, R)
    weights = (1 << np.arange(R, dtype=np.int64))
    limbs = (bits.astype(np.int64) * weights).sum(axis=2).T        # (k, entries), unsigned
    top = bits[:, -1, -1].astype(np.int64)                          # the sign bit of the two's complement
    limbs[-1] -= top << R
    return limbs.reshape((k,) + shape)


def normalise(c):
    """Carry until every limb but the top one is in [0, 2^R)."""
    while True:
        carry = c[:-1] >> R
        if not carry.any():
            return c
        c[:-1] &= MASK
        c[1:] += carry


def limb_mm(a, b):
    """Exact product of limb arrays a (Ka, r, n) and b (Kb, n, c): one GEMM of every limb
    pair, then the pairs summed by limb position and carried."""
    ka, r, n = a.shape
    kb, _, c = b.shape
    pairs = a.reshape(ka * r, n).astype(np.float64) @ b.transpose(1, 0, 2).reshape(n, kb * c).astype(np.float64)
    pairs = pairs.astype(np.int64).reshape(ka, r, kb, c).transpose(0, 2, 1, 3)
    out = np.zeros((ka + kb, r, c), np.int64)
    for i in range(ka):
        out[i:i + kb] += pairs[i]
    return normalise(out)


def from_limbs(c):
    k = c.shape[0]
    flat = c.reshape(k, -1)
    return [sum(int(flat[j, i]) << (R * j) for j in range(k)) for i in range(flat.shape[1])]


def operands():
    """The three big products of the batch net and their exact integer operands:
    z2 = W2·a1, g1 = W2ᵀ·δ2, ∂L/∂W2 = δ2·a1ᵀ."""
    sizes = [8, 64, 64, 8]
    model = P.torch_model(sizes, seed=1)
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(64, 8, generator=gen, dtype=torch.float64)
    y = torch.randn(64, 8, generator=gen, dtype=torch.float64)
    p = symprop.from_torch(model, x, y, loss="mse", reduction="mean")
    params, xs, ys = kernel.reading.read(p)           # flint matrices (prepare: limbs for this net)
    _, grad, tape = kernel._forward(p, params, xs, ys)
    deltas = {}
    for i in range(len(params) - 1, -1, -1):
        a_prev, deriv, _ = tape[i]
        deltas[i] = deriv(grad).reduced()
        grad = matrices.mm(params[i][0].transpose(), deltas[i])
    a1 = tape[1][0]
    w2 = params[1][0]
    return [("z2 = W2·a1", w2.num, a1.num), ("W2ᵀ·δ2", w2.num.transpose(), deltas[1].num),
            ("∂L/∂W2 = δ2·a1ᵀ", deltas[1].num, a1.num.transpose())]


def best(fn, rounds=7, reps=20):
    out = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        out = min(out, (time.perf_counter() - start) / reps)
    return out


def main():
    torch.set_num_threads(1)
    print("| product | operand bits | flint fmpz_mat (ms) | float64 limb GEMMs + carries (ms) | limbs | equal |")
    print("|---|---|---:|---:|---|---|")
    for name, a, b in operands():
        ia, ib = [int(v) for v in a.entries()], [int(v) for v in b.entries()]
        la, lb = to_limbs(ia, (a.nrows(), a.ncols())), to_limbs(ib, (b.nrows(), b.ncols()))
        exact = [int(v) for v in (a * b).entries()]
        equal = from_limbs(limb_mm(la, lb)) == exact
        t_flint, t_limb = best(lambda: a * b), best(lambda: limb_mm(la, lb))
        bits = f"{max(map(abs, ia)).bit_length()} × {max(map(abs, ib)).bit_length()}"
        print(f"| {name} | {bits} | {t_flint * 1e3:.3f} | {t_limb * 1e3:.3f} | "
              f"{la.shape[0]} × {lb.shape[0]} | {'yes' if equal else '**no**'} |")
        if not equal:
            raise SystemExit("the limb product differs from flint's")


if __name__ == "__main__":
    main()
