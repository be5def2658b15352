"""gradcheck's report (torchcheck.py): per parameter the exact gradient against torch's
and their largest errors, the units where float arithmetic took the other side of a
ReLU kink, and the table `print(report)` shows.
"""

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["GradcheckReport", "ParameterCheck", "Kink"]


@dataclass(frozen=True)
class ParameterCheck:
    """One parameter: symprop's exact gradient (a Tensor), torch's (a tensor), their errors."""
    name: str
    exact: object
    torch: object
    max_abs_error: float
    max_rel_error: float        # over entries; inf where the exact gradient is 0 and torch's is not


@dataclass(frozen=True)
class Kink:
    """A unit whose float pre-activation is on the other side of the ReLU kink than the exact one.
    sample and unit count from 0 (torch's batch row and weight row); layer from 1."""
    sample: int
    layer: int
    module: str                 # the nn.Linear's name in the Sequential
    unit: int
    exact: object               # the exact pre-activation (a Fraction; a Decimal after a closed form)
    float: float                # torch's


@dataclass(frozen=True)
class GradcheckReport:
    parameters: dict            # torch name → ParameterCheck
    kinks: tuple                # Kink, every flipped unit
    loss_exact: object
    loss_torch: float
    problem: object = field(repr=False)
    gradients: object = field(repr=False)
    dtype: str = ""

    @property
    def max_abs_error(self):
        return max((c.max_abs_error for c in self.parameters.values()), default=0.0)

    @property
    def max_rel_error(self):
        return max((c.max_rel_error for c in self.parameters.values()), default=0.0)

    def __repr__(self):
        return (f"<GradcheckReport: {len(self.parameters)} parameters, max abs error "
                f"{self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}, "
                f"{len(self.kinks)} flipped kink{'s' if len(self.kinks) != 1 else ''}>")

    def __str__(self):
        p = self.problem
        lines = [f"gradcheck of {'-'.join(map(str, p.network.sizes))} net "
                 f"({', '.join(l.activation for l in p.network.layers)}), loss {p.loss}"
                 + (f" ({p.reduction} over {len(p.samples)} samples)" if len(p.samples) > 1 else "")
                 + f": torch {self.dtype} autograd against symprop's exact gradients",
                 f"loss: exact {_show(self.loss_exact)}, torch {self.loss_torch!r}", "",
                 f"{'parameter':<16} {'shape':>9} {'max abs error':>14} {'max rel error':>14}"]
        for c in self.parameters.values():
            shape = "×".join(map(str, c.exact.shape))
            lines.append(f"{c.name:<16} {shape:>9} {c.max_abs_error:>14.3g} {c.max_rel_error:>14.3g}")
        lines += [f"{'overall':<16} {'':>9} {self.max_abs_error:>14.3g} {self.max_rel_error:>14.3g}", ""]
        if not self.kinks:
            lines.append("No pre-activation is on the other side of a ReLU kink in float arithmetic.")
        else:
            n = len(self.kinks)
            lines.append(f"{n} unit{'s' if n != 1 else ''} took the other side of a ReLU kink in "
                         "float arithmetic (torch's gradients there follow the wrong slope):")
            for k in self.kinks[:20]:
                lines.append(f"  sample {k.sample}, layer {k.layer} (module {k.module!r}), unit {k.unit}: "
                             f"exact z = {_show(k.exact)}, float z = {k.float!r}")
            if n > 20:
                lines.append(f"  … {n - 20} more in .kinks")
        return "\n".join(lines)


def _show(v):
    """A short exact rational as it is; a long one as its float and the size of its denominator."""
    if isinstance(v, Fraction) and len(str(v)) > 24:
        return f"≈ {float(v):.17g} (exact: a rational over 2^{v.denominator.bit_length() - 1})" \
            if v.denominator & (v.denominator - 1) == 0 else f"≈ {float(v):.17g} (exact rational)"
    return str(v)


