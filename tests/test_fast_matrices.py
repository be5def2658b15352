"""The fast path's per-entry steps on exact matrices (masks, products, reductions, signs,
Σ of squares), against Fraction arithmetic written out here; the exact matrices a
Problem is read into, kept per Problem object; and batches of float64-sized values
(dyadic rationals of 100+ bits), fast path against the SymPy engine."""

import gc
import math
import random
from fractions import Fraction

import pytest

import symprop
from symprop.fast import kernel
from symprop.fast.matrices import Q, hadamard, sum_entries, sum_squares
from flint import fmpz_mat


def random_q(rows, cols, rng, bits=130, den_bits=120):
    """A Q of big numerators over 2^den_bits times a small odd factor, with some zeros,
    and the same values as Fractions (row-major)."""
    den = (1 << den_bits) * rng.choice([1, 3, 5])
    nums = [0 if rng.random() < 0.2 else rng.getrandbits(bits) - (1 << (bits - 1)) for _ in range(rows * cols)]
    return Q(fmpz_mat(rows, cols, nums), den), [Fraction(n, den) for n in nums]


def values(q):
    d = int(q.den)
    return [Fraction(int(q.num[i, j]), d) for i in range(q.num.nrows()) for j in range(q.num.ncols())]


@pytest.mark.parametrize("seed", range(5))
def test_entrywise_steps_equal_fraction_arithmetic(seed):
    rng = random.Random(seed)
    a, fa = random_q(7, 5, rng)
    b, fb = random_q(7, 5, rng, bits=70, den_bits=60)
    factors = [rng.choice([0, 1, 3, -2]) for _ in fa]
    assert values(a.times(factors, 7)) == [v * f / 7 for v, f in zip(fa, factors)]
    assert a.signs() == [(v > 0) - (v < 0) for v in fa]
    keep = [v > 0 for v in fa]
    assert values(a.kept(keep)) == [v if v > 0 else 0 for v in fa]
    assert a.fractions() == fa
    assert values(hadamard(a, b)) == [x * y for x, y in zip(fa, fb)]
    assert values(sum_squares(a)) == [sum(v * v for v in fa)]
    assert values(sum_squares(Q(a.num.transpose(), a.den))) == [sum(v * v for v in fa)]
    assert values(sum_entries(a)) == [sum(fa)]
    # reduced: the same values, and numerators and denominator without a common factor
    r = a.times([4] * len(fa)).reduced()
    assert values(r) == [4 * v for v in fa]
    assert math.gcd(int(r.den), *[int(r.num[i, j]) for i in range(7) for j in range(5)]) == 1
    # the kept numerators follow every new matrix (times and reduced give them)
    assert [int(n) for n in r.ints()] == [int(r.num[i, j]) for i in range(7) for j in range(5)]


def test_a_problem_is_read_once_and_forgotten_with_it():
    problem = symprop.load("examples/two_layer_relu.toml")
    kernel.forget()
    first = symprop.gradients(problem, engine="fast")
    assert id(problem) in kernel._READ
    kept = kernel._READ[id(problem)][1]
    again = symprop.gradients(problem, engine="fast")
    assert kernel._READ[id(problem)][1] is kept
    assert again.gradients == first.gradients and again.loss == first.loss
    # another problem (other values) is read for itself
    spec = {"loss": "half_sse", "learning_rate": "1/2", "steps": 1,
            "data": {"x": ["1", "2"], "y": ["1"]},
            "layers": [{"weights": [["1/2", "-1"], ["1", "1"]], "bias": ["0", "1"], "activation": "relu"},
                       {"weights": [["1", "-1/3"]], "bias": ["0"], "activation": "identity"}]}
    other = symprop.Problem.from_dict(spec)
    g = symprop.gradients(other, engine="fast")
    # by hand: z1 = (1/2 - 2, 1 + 2 + 1) = (-3/2, 4), a1 = (0, 4), z2 = -4/3, δ2 = -4/3 - 1 = -7/3
    assert g.loss == Fraction(1, 2) * Fraction(-7, 3) ** 2
    assert g.grad("W2").tolist() == [[0, Fraction(-7, 3) * 4]]
    assert g.grad("W1").tolist() == [[0, 0], [Fraction(7, 9), Fraction(14, 9)]]   # δ1 = (0, 7/9)
    key = id(other)
    del other, g
    gc.collect()
    assert key not in kernel._READ


def _dyadic(rng):
    """A float64-like value: a 53-bit odd mantissa over 2^(52..60), as a decimal-free string."""
    return f"{(rng.getrandbits(53) | 1) - (1 << 52)}/{1 << rng.randint(52, 60)}"


@pytest.mark.parametrize("reduction,act", [("mean", "relu"), ("sum", "relu"), ("mean", "leaky_relu")])
def test_a_batch_of_float_sized_values_equals_the_sympy_engine(reduction, act):
    rng = random.Random(hash((reduction, act)) % 1000)
    sizes = [3, 4, 4, 2]
    layers = [{"weights": [[_dyadic(rng) for _ in range(c)] for _ in range(r)],
               "bias": [_dyadic(rng) for _ in range(r)],
               "activation": act if i < len(sizes) - 2 else "identity"}
              for i, (r, c) in enumerate(zip(sizes[1:], sizes[:-1]))]
    samples = [{"x": [_dyadic(rng) for _ in range(3)], "y": [_dyadic(rng) for _ in range(2)]} for _ in range(6)]
    spec = {"loss": "mse", "reduction": reduction, "learning_rate": "1/8", "steps": 1,
            "samples": samples, "layers": layers}
    problem = symprop.Problem.from_dict(spec)
    fast, ref = symprop.gradients(problem, engine="fast"), symprop.gradients(problem, engine="sympy")
    assert fast.loss == ref.loss and fast.final_loss == ref.final_loss
    assert fast.gradients == ref.gradients
    assert fast.steps[0].params_after == ref.steps[0].params_after


@pytest.mark.parametrize("seed", range(4))
def test_the_nonzero_pattern_marks_exactly_the_nonzero_entries(seed):
    """matrices._nonzero (which entries of an exact matrix are not 0, for the balls' shadow)
    on matrices with zeros, without, all zero, and a transpose; the shared ones matrix
    it starts from stays all ones."""
    from symprop.fast.matrices import _nonzero, ones
    rng = random.Random(seed)
    r, c = rng.randint(1, 9), rng.randint(1, 9)
    q, fr = random_q(r, c, rng)
    if seed == 2:
        q, fr = Q(fmpz_mat(r, c)), [Fraction(0)] * (r * c)
    got = _nonzero(q)
    assert [int(got[i, j]) for i in range(r) for j in range(c)] == [int(v != 0) for v in fr]
    t = q.transpose()
    got_t = _nonzero(t)
    assert [int(got_t[j, i]) for i in range(r) for j in range(c)] == [int(v != 0) for v in fr]
    assert set(ones(r, c).num.entries()) == {1}
