"""The facts every renderer asks of a Solution, each computed here once.

The terminal text, the LaTeX sheets, the exam's HTML and the exam drawing used
to work these out each for itself (the loss change three times, the adjoint terms and
value environment twice, the problem statement three times); now they read them through
the Solution (Solution.statement, .loss_change(), .values_at(), .adjoint_terms(),
.has_kinks) and only format them: no renderer needs the engine's arithmetic or the tape.

    Statement   the problem as an exercise states it (givens, loss, steps, conventions)
    LossChange  how the loss changed over the gradient-descent steps
    ShownTerm   one term of an adjoint as the worked solutions write it
    QuestionDigits  the significant digits a question sheet asks for, and why
"""

import ast
from dataclasses import dataclass, fields
from typing import Optional

import sympy as sp

from ..model import naming
from ..model.functions import ACTIVATIONS, GRAPH_FUNCTIONS
from .arith import add, mul, substitute
from ..model.numeric import decimal, is_symbolic

__all__ = ["Statement", "Given", "LossChange", "ShownTerm", "statement", "loss_change", "has_kinks",
           "QuestionDigits", "question_digits"]


class _Shown:
    """A repr that never prints a closed form through SymPy (whose str orders, so
    evaluates, every term: minutes for a sigmoid net's loss change): rationals as
    they are, closed forms as ≈ their certified 6-digit decimal."""

    def __repr__(self):
        parts = []
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, sp.Basic) and not v.is_Rational and not isinstance(v, sp.Symbol):
                shown = _approx(v)
            elif isinstance(v, (tuple, list)) and len(v) > 6:
                shown = f"<{len(v)} items>"
            else:
                shown = repr(v)
            parts.append(f"{f.name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _approx(v):
    if is_symbolic(v):
        return "<symbolic>"
    try:
        return f"≈{decimal(v, 6)}"
    except Exception:                      # a repr must not fail: PrecisionError, LimitError
        return "<closed form>"


@dataclass(frozen=True, repr=False)
class Given(_Shown):
    """One given value of the problem: a tape leaf (a parameter or a data value)."""

    name: str                 # flat name: w1, W1[1,2], x[1], y
    value: sp.Expr
    param: bool               # a parameter (trained), not an input or a target


@dataclass(frozen=True, repr=False)
class Statement(_Shown):
    """The exercise as every output states it; the renderers only choose the spelling.

    A layered net is stated by its layers (each the problem's Layer: weights,
    bias, activation) and its samples ((x, y) pairs of value tuples, y None
    without a target); a computational graph by its equations (the nodes of the
    first sample in evaluation order, as (name, display expression) pairs) and
    its output. `givens` are every tape leaf in tape order, for both kinds."""

    title: str
    source: Optional[str]
    notes: str
    layered: bool
    sizes: tuple              # layered: units per layer, inputs first; graph: ()
    layers: tuple             # layered: model.problem.Layer per layer; graph: ()
    samples: tuple            # layered: ((x, y), ...); graph: ()
    index_base: int
    output: Optional[str]     # graph: the output node's name; layered: None
    equations: tuple          # graph: ((name, display), ...); layered: ()
    givens: tuple             # (Given, ...)
    loss: str                 # the loss's name ("none": the output itself is differentiated)
    loss_display: Optional[sp.Expr]   # a graph with one sample: L written out; else None
    sample_count: int
    reduction: str            # "mean" or "sum" over the samples
    learning_rate: Optional[sp.Expr]
    steps: int
    relu_derivative_at_zero: Optional[int]    # the convention, when the net has a kink; else None


@dataclass(frozen=True, repr=False)
class LossChange(_Shown):
    """The loss before the first step and after the last update, and the change.

    `direction` is "down", "unchanged" or "up", read off `decimal` (its digits are
    certified, so its sign is the exact change's sign)."""

    before: sp.Expr
    after: sp.Expr
    change: sp.Expr           # after − before, exact (unevaluated for closed forms)
    decimal: str              # the change to 6 significant digits ("-0.0123", "1.5e-7", "0")
    direction: str

    @property
    def went_down(self):
        return self.direction == "down"


@dataclass(frozen=True, repr=False)
class ShownTerm(_Shown):
    """One consumer's term of an adjoint, with what a worked equation prints of it:
    adjoint(consumer) · ∂consumer/∂input, the partial as written (w3, σ′(z2[1]))."""

    consumer: str             # the node consuming the input
    adjoint: str              # flat name of the consumer's adjoint
    adjoint_value: sp.Expr
    partial: sp.Expr          # ∂consumer/∂input as the sheets write it, over tape names
    partial_value: sp.Expr
    from_loss: bool           # the consumer is the loss node: the term is its partial alone


def has_kinks(problem):
    """Whether the network has a ReLU-like kink, so that ReLU′(0)'s convention matters:
    a layer's activation, or a function a graph node calls (not a name containing "relu")."""
    if problem.is_layered:
        return any(ACTIVATIONS[l.activation].relu_like for l in problem.network.layers)
    called = {n.func.id for _, text in problem.network.nodes
              for n in ast.walk(ast.parse(text.strip(), mode="eval"))
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return any(GRAPH_FUNCTIONS[f].relu_like for f in called if f in GRAPH_FUNCTIONS)


def statement(solution):
    """The Statement of a solved problem (read it as Solution.statement, built once)."""
    p, tape = solution.problem, solution.tape
    givens = tuple(Given(l.name, l.value, l.kind == "param") for l in tape.leaves.values())
    loss_display = None
    if p.has_loss and not p.is_layered and len(p.samples) == 1:
        loss_display = tape.node(tape.loss).display
    if p.is_layered:
        kind = dict(sizes=tuple(p.network.sizes), layers=tuple(p.network.layers),
                    samples=tuple((tuple(dict(s.inputs)["x"]), s.target) for s in p.samples),
                    output=None, equations=())
    else:
        kind = dict(sizes=(), layers=(), samples=(), output=p.network.output,
                    equations=tuple((n.name, n.display) for n in tape.nodes
                                    if n.kind == "node" and n.sample in (None, 0)))
    return Statement(title=p.title, source=p.source, notes=p.notes, layered=p.is_layered,
                     index_base=p.index_base, givens=givens, loss=p.loss, loss_display=loss_display,
                     sample_count=len(p.samples), reduction=p.reduction, learning_rate=p.learning_rate,
                     steps=p.steps, relu_derivative_at_zero=p.relu_derivative_at_zero if has_kinks(p) else None,
                     **kind)


def loss_change(solution):
    """The LossChange over the steps; None without an update step, without a loss
    (loss "none": the output is not a loss to go down) or with symbolic values."""
    if solution.final is None or not solution.problem.has_loss:
        return None
    before, after = solution.steps[0].loss, solution.final.loss
    if is_symbolic(before) or is_symbolic(after):
        return None
    change = add(after, mul(-1, before))
    d = decimal(change, 6)
    direction = "down" if d.startswith("-") else ("unchanged" if d == "0" else "up")
    return LossChange(before, after, change, d, direction)


def shown_partials(tape):
    """{(consumer, input): the partial as written} over the whole tape."""
    return {(n.name, inp): d for n in tape.nodes for inp, d in n.shown_partials}


def adjoint_terms(loss, shown, adjoint_values, adjoint):
    """The ShownTerms of `adjoint` (an Adjoint of a step): `loss` the loss node's name,
    `shown` the shown_partials, `adjoint_values` the step's {flat adjoint name: value}."""
    return tuple(ShownTerm(t.consumer, t.consumer_adjoint, adjoint_values.get(t.consumer_adjoint),
                           shown[(t.consumer, adjoint.of)], t.partial_value, t.consumer == loss)
                 for t in adjoint.terms)


# -- the digits a question sheet asks for ---------------------------------------------
# A student rounds every answer to N significant digits and computes the next ones from
# the rounded answers, with the textbook derivatives (σ′ = a(1 − a), tanh′ = 1 − a²).
# Near saturation (a = 0.99999998…) four digits give 1 − a = 0, so σ′ = 0 and every
# gradient through it; question_digits simulates that hand computation and finds the
# smallest N ≥ 4 whose answers all agree with the exact ones to 3 significant digits.

QUESTION_DIGITS, MAX_QUESTION_DIGITS = 4, 12
_AGREE = 0.005             # relative error allowed: the answer right to 3 significant digits


@dataclass(frozen=True, repr=False)
class QuestionDigits(_Shown):
    """How many significant digits the question sheet asks for (at most MAX_QUESTION_DIGITS),
    and why when more than 4: `saturated` are the activations whose textbook derivative a
    4-digit value loses (rounds to 0 or moves by more than 1%), with their decimals."""

    digits: int
    saturated: tuple          # ((node name of the activation, "0.9999999887"), ...), first step first
    vanishes: bool            # with 4 digits the first one's derivative rounds to exactly 0
    enough: bool = True       # False: even MAX_QUESTION_DIGITS leave an answer off in its 3rd digit


def question_digits(solution):
    """The QuestionDigits of a solution (read it as Solution.question_digits)."""
    import mpmath
    rate = solution.problem.learning_rate
    if any(is_symbolic(v) for _, _, _, v in solution.items()) or (rate is not None and is_symbolic(rate)):
        return QuestionDigits(QUESTION_DIGITS, (), False)
    with mpmath.workdps(40):
        sim = _HandComputation(solution)
        exact = {name: sim.mpf(v) for _, _, name, v in solution.items()}
        for d in range(QUESTION_DIGITS, MAX_QUESTION_DIGITS + 1):
            got = sim.run(d)
            enough = all(x == 0 or abs(got[n] - x) <= _AGREE * abs(x) for n, x in exact.items())
            if enough:
                break
    if d == QUESTION_DIGITS:
        return QuestionDigits(d, (), False)
    return QuestionDigits(d, tuple((name, decimal(v, d)) for name, v in sim.lost), sim.vanishes, enough)


_COMPILED = {}      # (key, expression) → (its symbols' names, the mpmath function)


class _HandComputation:
    """The forward and backward passes of every step, as by hand: each value rounded."""

    def __init__(self, solution):
        import mpmath
        self.mp = mpmath.mp          # at 40 digits (question_digits' workdps)
        self.s, self.tape = solution, solution.tape
        self.lost, self.vanishes = (), False

    def mpf(self, v):
        if v.is_Rational:
            return self.mp.mpf(int(v.p)) / int(v.q)
        return self.mp.mpf(decimal(v, 25))

    def _eval(self, key, expr, env):
        f = _COMPILED.get((key, expr))      # an exam's variants share one tape: compiled once
        if f is None:
            symbols = sorted(expr.free_symbols, key=str)
            _COMPILED.clear() if len(_COMPILED) > 20_000 else None
            f = _COMPILED[key, expr] = ([str(x) for x in symbols],
                                       sp.lambdify(symbols, expr, modules="mpmath", dummify=True))
        names, fn = f
        return self.mp.mpf(fn(*[env[n] for n in names]))

    def _round(self, x, d):
        mp = self.mp
        if x == 0:
            return x
        q = mp.mpf(10) ** (int(mp.floor(mp.log10(abs(x)))) - d + 1)
        return mp.nint(x / q) * q

    def _forward(self, env, d):
        for node in self.tape.nodes:
            env[node.name] = self._round(self._eval(node.name, node.expr, env), d)

    def _partial(self, term, of, env, d, exact_env):
        tape = self.tape
        consumer = tape.node(term.consumer)
        record = consumer.functions[0] if consumer.kind == "a" and consumer.functions else None
        if record is not None and record.derivative is not None and len(consumer.shown_partials) == 1:
            z, a = tape.symbols[of], tape.symbols[consumer.name]
            textbook = record.derivative(z, a, self.s.problem.conventions)
            value = self._eval(("d", consumer.name), textbook, env)
            if exact_env is not None and not record.relu_like:
                true = self._eval(("d", consumer.name), textbook, exact_env)
                if true != 0 and abs(value - true) > 0.01 * abs(true) and \
                        consumer.name not in [n for n, _ in self._lost]:
                    self._lost.append((consumer.name, exact_env["@" + consumer.name]))
                    self.vanishes = self.vanishes or (len(self._lost) == 1 and value == 0)
            return value
        return self._eval(("p", term.consumer, of), term.partial, env)

    def run(self, d):
        """{flat name of every answer: its hand-computed value with `d` digits}."""
        s, tape, out = self.s, self.tape, {}
        first = d == QUESTION_DIGITS
        self._lost = []
        data = {l.name: self.mpf(l.value) for l in tape.leaves.values() if l.kind != "param"}
        params = {n: self.mpf(v) for n, v in s.steps[0].params.items()}
        eta = self.mpf(s.problem.learning_rate) if s.problem.learning_rate is not None else None
        for step in s.steps:
            pre, env = step.prefix, {**data, **params}
            exact_env = None
            if first:
                exact_env = {n: self.mpf(v) for n, v in s.values_at(step).items()}
                exact_env.update({"@" + n: v for n, v in s.values_at(step).items()})
            self._forward(env, d)
            out.update({pre + s.flat(n.name): env[n.name] for n in tape.nodes})
            adjoint = {tape.loss: self.mp.mpf(1)}
            order = [n.name for n in tape.backward_order()] + [l.name for l in tape.leaves.values()
                                                                if l.name in step.adjoints]
            for name in order:
                total = self.mp.mpf(0)
                for term in step.adjoints[name].terms:
                    total += adjoint[term.consumer] * self._partial(term, name, env, d, exact_env)
                adjoint[name] = self._round(total, d)
            out.update({pre + n.adjoint: adjoint[n.name] for n in tape.backward_order()})
            out.update({pre + l.adjoint: adjoint[l.name] for l in tape.reported})
            if step.params_after:
                params = {n: (self._round(v - eta * adjoint[n], d) if tape.leaves[n].updated else v)
                          for n, v in params.items()}
                out.update({pre + naming.updated(n): v for n, v in params.items() if tape.leaves[n].updated})
            if first:
                self.lost += tuple(x for x in self._lost if x[0] not in dict(self.lost))
                self._lost = []
        if s.final is not None:
            env = {**data, **params}
            self._forward(env, d)
            out.update({naming.FINAL + s.flat(n.name): env[n.name] for n in tape.nodes})
        return out


# -- hidden layers dead after the update -------------------------------------------------
# A ReLU-like unit whose z ≤ 0 for every sample passes no gradient (ReLU′ = 0 there); when
# every unit of a hidden layer is so after the last update, the next steps cannot change the
# weights into that layer: "the loss went down" but the network died.

def dead_after_update(solution):
    """The hidden layers (1-based numbers, ascending) whose every ReLU-like unit passes no
    gradient in the forward pass after the last update (f′(z) = 0 for every sample, with
    the problem's ReLU′(0)); () without an update, for a graph, or with no such layer."""
    p, tape = solution.problem, solution.tape
    if solution.final is None or not p.is_layered:
        return ()
    values, output = solution.final.values, len(p.network.layers)
    units, alive, (zs, as_) = set(), set(), sp.symbols("z a")
    for node in tape.nodes:
        record = node.functions[0] if node.kind == "a" and node.functions else None
        if record is None or not record.relu_like or node.layer is None or node.layer >= output:
            continue
        z = node.shown_partials[0][0]
        units.add(node.layer)
        slope = substitute(record.derivative(zs, as_, p.conventions),   # on symbols first: a Piecewise of a
                           {zs: values[z], as_: values[node.name]})     # huge closed form makes SymPy evalf it
        if not (slope.is_Rational and slope == 0):
            alive.add(node.layer)
    return tuple(sorted(units - alive))
