"""symprop where CPython lacks what a desktop Linux has: no fcntl (WebAssembly, Windows)
and a 32-bit C decimal whose exponent limits are below 10**9 (Pyodide). The self-check
page (symprop/web) runs symprop in such a Python with no stand-ins, so these hold at
the root, not in the page."""

import contextlib
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import sympy as sp

from helpers import EXAMPLES
from symprop.model import numeric

SCRIPT = r"""
import sys
sys.modules["fcntl"] = None          # import fcntl now raises ImportError
from symprop.cli import main
code = main(["solve", sys.argv[1], "--format", "json", "-o", sys.argv[2], "-q"])
again = main(["solve", sys.argv[1], "--format", "json", "-o", sys.argv[2], "-q", "--force"])
print(code, again)
"""


def test_output_files_are_written_without_fcntl(tmp_path):
    target = tmp_path / "out.json"
    problem = EXAMPLES / "two_layer_sigmoid.toml"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(problem), str(target)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "0"]
    assert '"loss"' in target.read_text(encoding="utf-8")


def test_fcntl_is_not_imported_at_module_level():
    import symprop.output.fsops as fsops
    assert "fcntl" not in vars(fsops)


def _digits(fraction, n):
    """`fraction` to n significant digits, half up, by integer arithmetic alone."""
    sign = "-" if fraction < 0 else ""
    fraction = abs(fraction)
    exponent = 0
    while fraction >= 10 ** n:
        fraction /= 10
        exponent += 1
    while fraction < 10 ** (n - 1):
        fraction *= 10
        exponent -= 1
    whole = int(fraction + Fraction(1, 2))
    return Decimal(f"{sign}{whole}E{exponent}")


class Context32:
    """A decimal context that refuses exponent limits a 32-bit C decimal refuses."""

    LIMIT = 425000000

    def __init__(self, ctx):
        object.__setattr__(self, "_ctx", ctx)

    def __getattr__(self, name):
        return getattr(self._ctx, name)

    def __setattr__(self, name, value):
        if (name == "Emax" and value > self.LIMIT) or (name == "Emin" and value < -self.LIMIT):
            raise ValueError(f"valid range for {name} is [...]")
        setattr(self._ctx, name, value)


def test_decimals_hold_with_32_bit_exponent_limits(monkeypatch):
    """Pyodide's decimal: MAX_EMAX/MIN_EMIN are ±425000000; 10**9 does not fit there."""
    real = numeric.localcontext

    @contextlib.contextmanager
    def local32():
        with real() as ctx:
            yield Context32(ctx)

    monkeypatch.setattr(numeric, "localcontext", local32)
    monkeypatch.setattr(numeric, "MAX_EMAX", Context32.LIMIT)
    monkeypatch.setattr(numeric, "MIN_EMIN", -Context32.LIMIT)
    for value in [Fraction(1, 3), Fraction(-22, 7), Fraction(10 ** 40, 3), Fraction(1, 7 * 10 ** 30)]:
        shown = numeric.format_rational(sp.Rational(value.numerator, value.denominator), 12)
        assert Decimal(shown) == _digits(value, 12), (value, shown)
