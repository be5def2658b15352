"""limbs.L, the fast path's int64-limb exact matrices, against Python's own integers
and Fractions (the independent source): every operation the run uses, on random
matrices whose entries range from 0 and ±1 to hundreds of bits, and on the limb
boundaries (±2¹⁵, ±2¹⁶, ±2⁶³) where a carry or a sign goes wrong first."""

from fractions import Fraction

import pytest

np = pytest.importorskip("numpy", reason="limbs.L needs numpy (pip install numpy)")
pytest.importorskip("flint", reason="the fast path needs python-flint")

from hypothesis import given, settings, strategies as st  # noqa: E402

from symprop.fast import limbs  # noqa: E402

EDGES = [0, 1, -1, 2**15 - 1, 2**15, -2**15, -2**15 - 1, 2**16 - 1, 2**16, -2**16, 2**19 - 1,
         2**19, -2**19, -2**19 - 1, 2**20 - 1, 2**20, -2**20, 2**21 - 1, 2**21, -2**21, -2**21 - 1,
         2**22 - 1, 2**22, -2**22, 2**31, 2**40 + 1, -2**41, 2**44 - 1, -2**44,
         2**47 - 1, -2**47, 2**62, -2**62, 2**63 - 1, -2**63, 2**63, -2**64 - 1, 3**200, -(5**150)]


def ints(max_bits):
    return st.one_of(st.sampled_from(EDGES), st.integers(-9, 9),
                     st.integers(-(2 ** max_bits), 2 ** max_bits))


@st.composite
def matrix(draw, rows=None, cols=None, max_bits=200):
    r = rows or draw(st.integers(1, 5))
    c = cols or draw(st.integers(1, 5))
    values = draw(st.lists(ints(max_bits), min_size=r * c, max_size=r * c))
    return values, r, c


def value(m):
    """The matrix as rows of Fractions, read from its limbs one entry at a time."""
    r, c = m.shape
    return [[m.fraction(i * c + j) for j in range(c)] for i in range(r)]


def rows_of(values, r, c, den=1):
    return [[Fraction(values[i * c + j], den) for j in range(c)] for i in range(r)]


def normal_form(m):
    x = m.x
    assert x.dtype == np.int64
    assert ((x[:-1] >= 0) & (x[:-1] < 2 ** limbs.R)).all()
    assert ((x[-1] >= -2 ** (limbs.R - 1)) & (x[-1] < 2 ** (limbs.R - 1))).all()


@settings(max_examples=150, deadline=None)
@given(matrix())
def test_ints_in_and_out(m):
    values, r, c = m
    a = limbs.from_ints(values, r, c)
    normal_form(a)
    assert a.ints() == values
    assert value(a) == rows_of(values, r, c)
    assert a.signs() == [(v > 0) - (v < 0) for v in values]
    assert list(a.right_of_kink(False)) == [v > 0 for v in values]
    assert list(a.right_of_kink(True)) == [v >= 0 for v in values]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_products_sums_and_scales(data):
    r, k, c = (data.draw(st.integers(1, 6)) for _ in range(3))
    av, _, _ = data.draw(matrix(r, k))
    bv, _, _ = data.draw(matrix(k, c))
    cv, _, _ = data.draw(matrix(r, c))
    da, db, dc = (data.draw(st.sampled_from([1, 2, 10, 2**60, 3**40])) for _ in range(3))
    a, b, cm = limbs.from_ints(av, r, k, da), limbs.from_ints(bv, k, c, db), limbs.from_ints(cv, r, c, dc)
    A, B, C = rows_of(av, r, k, da), rows_of(bv, k, c, db), rows_of(cv, r, c, dc)
    prod = [[sum(A[i][t] * B[t][j] for t in range(k)) for j in range(c)] for i in range(r)]
    got = a @ b
    normal_form(got)
    assert value(got) == prod
    assert value(got + cm) == [[prod[i][j] + C[i][j] for j in range(c)] for i in range(r)]
    assert value(got - cm) == [[prod[i][j] - C[i][j] for j in range(c)] for i in range(r)]
    factor = data.draw(st.sampled_from([Fraction(1, 2), Fraction(-3, 7), Fraction(2**70 + 1, 3), Fraction(0)]))
    assert value(cm.scale(factor)) == [[v * factor for v in row] for row in C]
    assert value(cm.transpose()) == [list(col) for col in zip(*C)]
    assert value(cm.row_sums()) == [[sum(row)] for row in C]
    assert value(cm.row_sums().widen(3)) == [[sum(row)] * 3 for row in C]
    assert value(cm.sum_squares()) == [[sum(v * v for row in C for v in row)]]


@settings(max_examples=100, deadline=None)
@given(matrix(), st.data())
def test_masks_and_slopes(m, data):
    values, r, c = m
    a = limbs.from_ints(values, r, c, 7)
    keep = data.draw(st.lists(st.booleans(), min_size=r * c, max_size=r * c))
    assert a.kept(keep).fractions() == [Fraction(v, 7) if k else 0 for v, k in zip(values, keep)]
    right, left, q = data.draw(st.sampled_from([(1, 0, 1), (100, 1, 100), (1, -3, 4), (2**50, 1, 1)]))
    got = a.sided(keep, right, left, q).fractions()
    assert got == [Fraction(v * (right if k else left), 7 * q) for v, k in zip(values, keep)]
    factors = data.draw(st.lists(st.integers(-2**60, 2**60), min_size=r * c, max_size=r * c))
    assert a.times(factors, 3).fractions() == [Fraction(v * f, 21) for v, f in zip(values, factors)]


def test_rationals_over_their_common_denominator():
    nums, dens = [3, -1, 7, 0, 2**70, 1], [10, 5, 2, 1, 3, 2**62]
    m = limbs.from_rationals(nums, dens, 2, 3)
    assert m.fractions() == [Fraction(n, d) for n, d in zip(nums, dens)]
    small = limbs.from_rationals([3, -1, 7, 9], [10, 5, 2, 1], 2, 2)
    assert small.den == 10 and small.ints() == [3, -2, 35, 90]


def test_a_long_dot_product_is_split_where_float64_would_round():
    """A long dot product of 40-limb numbers with random odd limbs near 2^R: the sums
    along a diagonal of limb pairs pass 2⁵⁵, where float64 would round, so the product
    is taken in chunks of the inner dimension; the exact value is checked with Python ints."""
    width, base = 40, 2 ** limbs.R
    k = 2 ** 55 // (base * base) // width + 1
    rng = np.random.default_rng(5)
    xa = rng.integers(base - base // 64, base, size=(width, 1, k)) | 1
    xb = rng.integers(base - base // 64, base, size=(width, k, 1)) | 1
    xa[-1] -= base                        # the top limbs signed, as in normal form
    xb[-1] -= base
    a, b = limbs.L(xa.astype(np.int64)), limbs.L(xb.astype(np.int64))
    assert (a @ b).ints() == [sum(x * y for x, y in zip(a.ints(), b.ints()))]


def test_fmpq_view_matches():
    import flint
    m = limbs.from_ints([1, -2**80, 3, 4], 2, 2, 6)
    assert m.num == flint.fmpz_mat(2, 2, [1, -2**80, 3, 4])
    q = flint.fmpq
    assert flint.fmpq_mat(m.num) / m.den == flint.fmpq_mat(2, 2, [q(1, 6), q(-2**80, 6), q(1, 2), q(2, 3)])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.integers(-2**62, 2**62), st.sampled_from([-2**63, 2**63 - 1, 2**64])),
                          st.integers(0, 62)), min_size=1, max_size=12))
def test_float_like_rationals_are_placed_at_their_shift(pairs):
    """Numerators over powers of two (a float's exact value), within int64 and beyond."""
    nums = [n for n, _ in pairs]
    dens = [2 ** e for _, e in pairs]
    m = limbs.from_rationals(nums, dens, 1, len(pairs))
    normal_form(m)
    assert m.fractions() == [Fraction(n, d) for n, d in zip(nums, dens)]


@pytest.mark.parametrize("n", [3, 4000, 200_000])
def test_sum_of_squares_in_int64_and_in_float64_chunks(n):
    """Both routes of sum_squares (int64 pair sums for small n·limbs, float64 chunks beyond)
    against Python ints, with entries of 3-4 limbs near the top of each limb."""
    rng = np.random.default_rng(n)
    values = [int(v) * (2**40 + 12345) - 2**63 for v in rng.integers(0, 2**40, size=n)]
    m = limbs.from_ints(values, 1, n)
    assert m.sum_squares().ints() == [sum(v * v for v in values)]


FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.1, -0.3, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308,
               -1.7976931348623157e308, 2.0**52 + 1, 2.0**53, -(2.0**63), 2.0**62 - 512, 3e-5, 0.5**70]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FLOAT_EDGES), st.floats(-4, 4, allow_nan=False),
                          st.floats(allow_nan=False, allow_infinity=False),
                          st.floats(-1, 1, width=32)), min_size=1, max_size=12),
       st.integers(1, 3))
def test_floats_are_read_from_their_bits(values, rows):
    """from_floats (frexp of the bits, for from_torch's arrays) gives each float's exact value
    (Python's Fraction(float), the independent source) and the very limbs and denominator
    that from_rationals makes of the reduced fractions: subnormals, 1e308, ±0, float32
    values, a wide exponent range (the placed route) and a narrow one (the int64 route)."""
    cols = len(values)
    a = np.array(values * rows, dtype=np.float64).reshape(rows, cols)
    m = limbs.from_floats(a)
    normal_form(m)
    exact = [Fraction(v) for v in values * rows]
    assert m.fractions() == exact
    ref = limbs.from_rationals([f.numerator for f in exact], [f.denominator for f in exact], rows, cols)
    assert m.den == ref.den and m.x.shape == ref.x.shape and (m.x == ref.x).all()
    small = np.array([[0.75], [-2.5]])          # read in one pass with the others: its own denominator
    first, again, last = limbs.all_from_floats([small, a, np.zeros((1, 1))])
    assert first.den == 4 and first.fractions() == [Fraction(3, 4), Fraction(-5, 2)]
    assert again.den == m.den and (again.x == m.x).all()
    assert last.den == 1 and last.fractions() == [0]
