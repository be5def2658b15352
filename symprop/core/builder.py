"""Problem → tape: both problem forms (layered MLP, computational graph) become one
list of scalar equations, each leaf and node with its Quantity.

Layered nets are built unit by unit (z = Σ W·a + b, a = f(z)), graphs node by
node from their parsed expressions; then one loss node per sample and their
mean or sum. Every flat name is defined once (`define`).
"""

import sympy as sp

from .. import budget
from ..model import exprparse, naming
from ..model.naming import Quantity
from ..errors import ExpressionError, ProblemFileError
from ..model.functions import ACTIVATIONS, GRAPH_FUNCTIONS
from ..model.losses import LOSSES
from .equations import Leaf, Node, Tape

__all__ = ["Builder"]


def _symbol(name):
    return sp.Symbol(name, real=True)


class Builder:
    """Builds the tape of one problem (values_only: just the leaves, for variants)."""

    def __init__(self, problem, values_only=False):
        self.values_only = values_only      # leaves only: no expressions, no derivatives
        self.problem = problem
        self.base = problem.index_base
        self.conv = problem.conventions
        self.leaves = {}
        self.nodes = []
        self.symbols = {}
        self.defined = set()
        self.of = "L"

    def sym(self, name):
        if name not in self.symbols:
            self.symbols[name] = _symbol(name)
        return self.symbols[name]

    def define(self, name):
        """The symbol of a new quantity. Every flat name is defined once: a second
        definition (a user's node named like an internal quantity) would make two
        quantities share one symbol and silently give wrong answers."""
        if name in self.defined:
            raise ProblemFileError(f"'{name}' names two different quantities; rename one "
                                   f"(reserved names: {', '.join(sorted(naming.RESERVED))})",
                                   source=self.problem.source, key=name)
        self.defined.add(name)
        budget.tick(self.problem.source)
        return self.sym(name)

    def leaf(self, q, kind, value, *, updated=False, sample=None, asked=False):
        """A leaf for quantity q (spelled here, with the problem's index base)."""
        name = q.flat(self.base)
        self.define(name)
        gradient = Quantity("gradient", of=q, by=self.of).flat(self.base)
        self.leaves[name] = Leaf(name, kind, value, gradient, updated, sample,
                                 asked, q)
        return name

    def node(self, q, kind, display, expr, shown=None, functions=(), **where):
        """A node for quantity q: name = display (= expr), with its local partials."""
        name = q.flat(self.base)
        self.define(name)
        if self.values_only:
            return self.sym(name)
        inputs = _ordered_inputs(display, self.symbols)
        partials = tuple(zip(inputs, _partials(expr, [self.symbols[n] for n in inputs])))
        shown = shown or {}
        written = _partials(display, [self.symbols[n] for n in inputs])
        shown = tuple((n, shown.get(n) or d) for n, d in zip(inputs, written))
        adjoint = Quantity("adjoint", of=q, by=self.of).flat(self.base)
        self.nodes.append(Node(name, kind, display, expr, partials, adjoint, shown, quantity=q,
                               functions=functions, **where))
        return self.symbols[name]

    # -- layered ------------------------------------------------------------
    def layered(self):
        p = self.problem
        for l, layer in enumerate(p.network.layers, start=1):
            for j, row in enumerate(layer.weights):
                for k, w in enumerate(row):
                    self.leaf(Quantity("weight", l, (j, k)), "param", w, updated=True)
            for j, v in enumerate(layer.bias or ()):
                self.leaf(Quantity("bias", l, (j,)), "param", v, updated=p.update_biases)
        count = len(p.samples)
        outputs = []
        for s, sample in enumerate(p.samples):
            tag = None if count == 1 else s          # the sample a quantity names
            x = dict(sample.inputs)["x"]
            a = [self.sym(self.leaf(Quantity("input", 0, (k,), sample=tag), "data", v, sample=s,
                                    asked="x" in p.gradients_for))
                 for k, v in enumerate(x)]
            targets = self.targets(sample, s, tag, layered=True)
            for l, layer in enumerate(p.network.layers, start=1):
                a = self.dense(l, layer, a, s, tag)
            outputs.append((a, targets, s, tag))
        self.losses(outputs)

    def targets(self, sample, s, tag, layered):
        if sample.target is None:
            return []
        index = (lambda j: (j,)) if layered else (lambda j: ())
        return [self.sym(self.leaf(Quantity("target", index=index(j), sample=tag), "target", v,
                                   sample=s))
                for j, v in enumerate(sample.target)]

    def dense(self, l, layer, a_prev, s, tag):
        if self.values_only:                # variants: the leaves are all that changes
            return [None] * len(layer.weights)
        zs = []
        for j, row in enumerate(layer.weights):
            terms = [sp.Mul(self.sym(naming.weight(l, j, k, self.base)), a_prev[k], evaluate=False)
                     for k in range(len(row))]
            if layer.bias is not None:
                terms.append(self.sym(naming.bias(l, j, self.base)))
            display = terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)
            zs.append(self.node(Quantity("pre", l, (j,), sample=tag), "z", display, sp.Add(*terms),
                                layer=l, unit=j, sample=s))
        record = ACTIVATIONS[layer.activation]
        out = []
        for j, z in enumerate(zs):
            display, expr = self.activation(layer.activation, zs, j)
            out.append(self.node(Quantity("act", l, (j,), sample=tag), "a", display, expr,
                                 functions=(record,), layer=l, unit=j, sample=s))
        return out

    def activation(self, name, zs, j):
        """Unit j's activation as written and elementary; a layer-wide one (softmax)
        reads every z of the layer."""
        record = ACTIVATIONS[name]
        if record.unit is not None:
            return record.unit(zs, j)
        return sp.Function(name)(zs[j]), record.elementary([zs[j]], self.conv)

    def losses(self, outputs):
        """One loss node per sample, then their mean or sum when there are several."""
        p = self.problem
        loss = LOSSES[p.loss]
        if not p.has_loss or self.values_only:
            return
        count = len(outputs)
        per_sample = []
        for a, y, s, tag in outputs:
            q = Quantity("loss") if count == 1 else Quantity("sample_loss", sample=tag)
            with sp.evaluate(False):      # the textbook ∂L/∂a, in its written order
                shown = {ai.name: loss.grad(ai, yi, len(a)) for ai, yi in zip(a, y)}
            per_sample.append(self.node(q, "sample_loss" if count > 1 else "loss",
                                        loss.build(a, y, False), loss.build(a, y, True),
                                        shown=shown, sample=s))
        if count > 1:
            total = sp.Add(*per_sample, evaluate=False)
            if p.reduction == "mean":
                total = sp.Mul(sp.Rational(1, count), total, evaluate=False)
            self.node(Quantity("loss"), "loss", total, total.doit())

    # -- graph --------------------------------------------------------------
    def graph(self):
        p = self.problem
        g = p.network
        if not p.has_loss:
            self.of = g.output
        for name, value in p.params:
            self.leaf(Quantity("param", name=name), "param", value, updated=True)
        count = len(p.samples)
        outputs = []
        for s, sample in enumerate(p.samples):
            tag = None if count == 1 else s
            scope = {n: self.sym(n) for n, _ in p.params}
            for name, value in sample.inputs:
                scope[name] = self.sym(self.leaf(Quantity("input", name=name, sample=tag), "data",
                                                 value, sample=s, asked=name in p.gradients_for))
            targets = self.targets(sample, s, tag, layered=False)
            for name, text in g.nodes:
                q = Quantity("node", name=name, sample=tag)
                if self.values_only:
                    scope[name] = self.sym(q.flat(self.base))
                    continue
                used = []
                display = self.parse(text, scope, name, evaluate=False, used=used)
                expr = self.parse(text, scope, name, evaluate=True)
                scope[name] = self.node(q, "node", display, expr, functions=tuple(used), sample=s)
            outputs.append(([scope[g.output]], targets, s, tag))
        if not p.has_loss and count > 1:
            raise ProblemFileError("loss 'none' differentiates one output: use a single sample",
                                   source=p.source, key="samples")
        self.losses(outputs)

    def parse(self, text, scope, name, evaluate, used=None):
        try:
            return exprparse.parse(text, scope, functions=GRAPH_FUNCTIONS, evaluate=evaluate,
                                   conventions=self.conv, used=used)
        except ExpressionError as exc:
            if "unknown name" in exc.message:
                later = [n for n, _ in self.problem.network.nodes]
                used = exc.message.split("'")[1]
                if used in later:
                    exc.message = f"'{used}' is used before it is defined (nodes are evaluated in order)"
            raise exc.at(source=self.problem.source, key=f"graph.{name}") from None

    def build(self):
        if self.problem.is_layered:
            self.layered()
        else:
            self.graph()
        self.check_symbols()
        loss = "loss"
        if not self.problem.has_loss:      # the output itself: a layered net's last node
            loss = self.nodes[-1].name if self.problem.is_layered else self.problem.network.output
        return Tape(dict(self.leaves), tuple(self.nodes), loss, self.of, self.symbols)

    def check_symbols(self):
        """A symbolic value must not be spelled like a different name of the tape."""
        for leaf in self.leaves.values():
            for s in leaf.value.free_symbols:
                if s.name in self.symbols and s.name != leaf.name:
                    raise ProblemFileError(
                        f"the symbol '{s.name}' in the value of '{leaf.name}' is also the name of "
                        "a quantity of this problem (a node, an input, the target or the loss); "
                        "use another symbol name", source=self.problem.source,
                        key=leaf.name)


_DUMMIES = []
_TEMPLATES = {}


def _partials(expr, symbols):
    """sympy.diff(expr, s) for each s, through a cache of templates: the units of a
    layer (and every layer of the same shape) differ only in their symbols, so each
    shape is differentiated once and its partials are renamed (xreplace) for the
    others. A 4-layer width-8 net needs 12 differentiations instead of 1,176.
    A weighted sum (z = Σ w·a + b) has its partials read off (_linear)."""
    linear = _linear(expr, symbols)
    if linear is not None:
        return linear
    while len(_DUMMIES) < len(symbols):
        _DUMMIES.append(sp.Dummy(f"u{len(_DUMMIES)}", real=True))   # tape symbols are real too
    dummies = _DUMMIES[:len(symbols)]
    template = expr.xreplace(dict(zip(symbols, dummies)))
    key = (template, len(symbols))
    derived = _TEMPLATES.get(key)
    if derived is None:
        derived = tuple(sp.diff(template, d) for d in dummies)
        if len(_TEMPLATES) < 10_000:
            _TEMPLATES[key] = derived
    back = dict(zip(dummies, symbols))
    return [d.xreplace(back) for d in derived]


def _ordered_inputs(display, symbols):
    """Names of the tape variables an expression reads, in the order written."""
    seen = []
    for node in sp.preorder_traversal(display):
        if isinstance(node, sp.Symbol) and node.name in symbols and node.name not in seen:
            seen.append(node.name)
    return seen


def _linear(expr, symbols):
    """The partials of a sum of distinct symbols and products of two distinct symbols
    (a dense unit's z = w1·a1 + w2·a2 + b, as written or evaluated), as sympy.diff gives
    them: ∂/∂w = a, ∂/∂a = w, ∂/∂b = 1, 0 for a symbol it does not read; None for
    anything else (a repeated symbol, a number, a power), which is differentiated."""
    found, count = {}, 0
    for term in (expr.args if expr.is_Add else (expr,)):
        if term.is_Symbol:
            found[term], count = sp.Integer(1), count + 1
        elif term.is_Mul and len(term.args) == 2 and all(f.is_Symbol for f in term.args):
            u, v = term.args
            found[u], found[v], count = v, u, count + 2
        else:
            return None
    if len(found) != count:
        return None
    return [found.get(s, sp.Integer(0)) for s in symbols]
