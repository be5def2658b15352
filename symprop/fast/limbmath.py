"""Arithmetic on limb arrays (limbs.py's representation): int64 arrays of shape
(limbs, rows, columns) whose entry values are Σᵢ xᵢ·2^(R·i).

Normal form: lower limbs in [0, 2^R), the top limb signed in [-2^(R-1), 2^(R-1)),
no redundant top limb. Every function here takes limbs whose entries are below
2⁶² in size and returns normal limbs; products go through float64 BLAS with
every sum an exact integer (below 2⁵³). Checked against Python ints in
tests/test_limbs.py.
"""

import numpy as np

__all__ = ["R", "BASE", "MASK", "HALF", "BYTES", "EXACT", "SMALL"]

R = 22                       # bits per limb: a product of two limbs is below 2^44, so float64
BASE = 1 << R                # sums 512 of them exactly (more in chunks: _product)
MASK = BASE - 1
HALF = 1 << (R - 1)
BYTES = 16                   # bits per limb for Python ints in and out (int.to_bytes)
EXACT = 1 << 53              # float64 holds every integer below this
SMALL = 1 << (62 - R)        # a limb (< 2^R) times this stays below 2^62


def _pad(x, k):
    """x with zero limbs on top up to k limbs (its value read as Σ xᵢ·2^(R·i) is unchanged;
    _normal then restores the signed top)."""
    if x.shape[0] >= k:
        return x
    return np.concatenate([x, np.zeros((k - x.shape[0],) + x.shape[1:], dtype=np.int64)])


def _normal(x, r=R):
    """Limbs holding any int64 values below 2⁶² in size (value Σ xᵢ·2^(r·i)) in normal form:
    lower limbs in [0, 2^r), the top signed in [-2^(r-1), 2^(r-1)), no redundant top limb.
    One carry sweep from the lowest limb up, in place (callers pass a fresh array)."""
    mask, half = (1 << r) - 1, 1 << (r - 1)
    for i in range(x.shape[0] - 1):
        carry = x[i] >> r
        x[i] &= mask
        x[i + 1] += carry
    top = x[-1]
    if not ((top + half) >> r).any():           # the top in the signed range: done
        return _trim(x, r)
    parts = list(x[:-1])
    while ((top + half) >> r).any():
        parts.append(top & mask)
        top = top >> r
    parts.append(top)
    return _trim(np.stack(parts), r)


def _trim(x, r=R):
    """Drop top limbs that only repeat the sign of the limb below."""
    while x.shape[0] > 1 and not (x[-1] + (x[-2] >> (r - 1))).any():
        x = x[:-1].copy()
        x[-1] -= (x[-1] >> (r - 1)) << r
    return x


def _times_int(x, s):
    """Limbs x times the Python int s."""
    if s == 1:
        return x
    if abs(s) < SMALL:
        return _normal(x * s)
    sign, s = (-1 if s < 0 else 1), abs(s)
    parts = []
    while s:
        parts.append(s & MASK)
        s >>= R
    k = x.shape[0]
    y = np.zeros((k + len(parts),) + x.shape[1:], dtype=np.int64)
    for j, part in enumerate(parts):
        if part:
            y[j:j + k] += x * (sign * part)
    return _normal(y)


def left_layout(x):
    """Limbs (ka, m, k) as the float64 (ka·m, k) a product's left factor is."""
    ka, m, k = x.shape
    return x.reshape(ka * m, k).astype(np.float64)


def right_layout(x):
    """Limbs (kb, k, n) as the float64 (k, kb·n) a product's right factor is."""
    kb, k, n = x.shape
    return x.transpose(1, 0, 2).reshape(k, kb * n).astype(np.float64)


def _product(a, b, left=None, right=None):
    """Limbs of the matrix product: one float64 GEMM of every limb pair, exact while a
    dot product of k terms below 2⁴⁴ and the sums along its diagonals stay below 2⁵³.
    left, right: the factors' float64 layouts when already made (left_layout, right_layout)."""
    ka, m, k = a.shape
    kb, _, n = b.shape
    left = left_layout(a) if left is None else left
    right = right_layout(b) if right is None else right
    chunk = max(1, EXACT // (BASE * BASE * min(ka, kb)))
    total = None
    for start in range(0, k, chunk):
        part = _gemm(left[:, start:start + chunk], right[start:start + chunk], ka, kb)
        total = part if total is None else _pad(total, part.shape[0]) + _pad(part, total.shape[0])
    return _normal(total)


def _gemm(left, right, ka, kb):
    m, n = left.shape[0] // ka, right.shape[1] // kb
    p = (left @ right).reshape(ka, m, kb, n).transpose(0, 2, 1, 3)      # [i, j] = Aᵢ·Bⱼ
    out = np.zeros((ka + kb - 1, m, n), dtype=np.float64)
    for i in range(ka):
        out[i:i + kb] += p[i]
    return out.astype(np.int64)


def _reradix(x, r1, r2):
    """Normal limbs of r1 bits as normal limbs of r2 bits: limb i sits at bit r1·i, which is
    bit s of limb q in the other radix (q, s = divmod(r1·i, r2)); then one carry sweep."""
    k = x.shape[0]
    y = np.zeros(((r1 * k) // r2 + 2,) + x.shape[1:], dtype=np.int64)
    for i in range(k):
        q, s = divmod(r1 * i, r2)
        y[q] += x[i] << s
    return _normal(y, r2)
