"""Reading a problem-file dict into a Problem: one method per section, each naming the
keys it checks, so every error says where it was found (`key 'layers[2].bias'`).

User names share one namespace with symprop's own quantities (naming.RESERVED),
numbers become exact SymPy values (problem.to_value), and choices are matched
with their type too (1.0 and true are not the 1 of index_base).
"""

import copy
from decimal import Decimal

from . import exact, exprparse, naming
from .examsettings import read_exam
from ..errors import ExpressionError, ProblemFileError, did_you_mean
from .functions import ACTIVATIONS, GRAPH_FUNCTIONS
from .losses import LOSSES
from .problem import (MAX_LAYERS, MAX_NODES, MAX_SAMPLES, MAX_STEPS, MAX_UNITS, Graph, Layer,
                      Layered, Problem, Sample, check_targets, to_value)

__all__ = ["read"]

_TOP_KEYS = {
    "title", "notes", "loss", "learning_rate", "steps", "index_base", "relu_derivative_at_zero",
    "leaky_slope", "update_biases", "reduction", "gradients_for", "data", "samples", "params",
    "graph", "layers", "randomize", "exam",
}
_LAYER_KEYS = {"weights", "bias", "activation"}


def read(data, source=None):
    """The Problem of a problem-file dict; ProblemFileError naming the key if it is not one."""
    return _Reader(data, source).problem()


class _Reader:
    def __init__(self, data, source):
        self.data = data
        self.source = source

    def fail(self, key, message):
        return ProblemFileError(message, source=self.source, key=key)

    def value(self, raw, key, *, symbols=True):
        try:
            return to_value(raw, allow_symbols=symbols)
        except ExpressionError as exc:
            raise exc.at(source=self.source, key=key) from None

    def name(self, name, what, key):
        """A checked identifier (node, parameter or input name), or the error at `key`.

        User names share one namespace with symprop's own quantities, so the names
        of those (naming.RESERVED: the loss, and the target y) are refused."""
        try:
            exprparse.check_name(name, what=what)
        except ExpressionError as exc:
            raise exc.at(source=self.source, key=key) from None
        has_target = self.data.get("loss", "half_sse") != "none"
        if name == naming.LOSS or (name == naming.TARGET and has_target):
            meaning = "the loss" if name == naming.LOSS else "the target (the y in [data])"
            raise self.fail(key, f"'{name}' is reserved: it names {meaning}; choose another {what}")
        return name

    def vector(self, raw, key):
        if isinstance(raw, list):
            if not raw:
                raise self.fail(key, "empty list")
            if len(raw) > MAX_UNITS:
                raise self.fail(key, f"more than {MAX_UNITS} entries")
            return tuple(self.value(v, f"{key}[{i + 1}]") for i, v in enumerate(raw))
        return (self.value(raw, key),)

    def matrix(self, raw, key):
        if not isinstance(raw, list) or not raw:
            raise self.fail(key, "expected a matrix: a list of rows, e.g. [[0.1, 0.2], [0.3, 0.4]]")
        if not isinstance(raw[0], list):
            raw = [raw]                      # a flat list is one row: a layer of one unit
        rows = []
        for j, row in enumerate(raw):
            if not isinstance(row, list):
                raise self.fail(f"{key}[{j + 1}]", "expected a row (a list of numbers)")
            rows.append(self.vector(row, f"{key}[{j + 1}]"))
        if len(rows) > MAX_UNITS:
            raise self.fail(key, f"more than {MAX_UNITS} rows")
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            raise self.fail(key, f"rows have different lengths {sorted(widths)} (ragged matrix)")
        return tuple(rows)

    def choice(self, key, allowed, default):
        """One of `allowed`, of the same type too: 1.0 and true are not the 1 of index_base."""
        raw = self.data.get(key, default)
        if not any(raw == a and type(raw) is type(a) for a in allowed):
            hint = did_you_mean(raw, [str(a) for a in allowed]) if isinstance(raw, str) else ""
            shown = ", ".join(str(a) if isinstance(a, str) else _toml_repr(a) for a in allowed)
            got = f"'{_short(raw)}'" if isinstance(raw, str) else _short(_toml_repr(raw))
            if any(raw == a for a in allowed) and not isinstance(raw, bool):
                got += f" ({_kind(raw)})"           # 1.0 where 1 is meant
            raise self.fail(key, f"{got} is not one of: {shown}{hint}")
        return raw

    def integer(self, key, default, lo, hi):
        raw = self.data.get(key, default)
        if isinstance(raw, bool) or not isinstance(raw, int) or not lo <= raw <= hi:
            raise self.fail(key, f"expected a whole number from {lo} to {hi}, got {_short(raw)}")
        return raw

    def problem(self):
        d = self.data
        if not isinstance(d, dict) or not d:
            raise self.fail(None, "empty problem: expected [[layers]] or [graph], [data] and a loss")
        unknown = sorted(set(d) - _TOP_KEYS)
        if unknown:
            hint = did_you_mean(unknown[0], sorted(_TOP_KEYS))
            raise self.fail(unknown[0], f"unknown key{hint}; known keys: {', '.join(sorted(_TOP_KEYS))}")
        if ("layers" in d) == ("graph" in d):
            raise self.fail(None, "give exactly one network: [[layers]] or [graph]")
        loss = self.choice("loss", sorted(LOSSES), "half_sse")
        steps = self.integer("steps", 1, 0, MAX_STEPS)
        lr = self._learning_rate(steps)
        title = self._text("title", "Backpropagation exercise")
        notes = self._text("notes", "")
        index_base = self.choice("index_base", [0, 1], 1)
        relu0 = self.choice("relu_derivative_at_zero", [0, 1], 0)
        slope = self.value(d.get("leaky_slope", "1/100"), "leaky_slope", symbols=False)
        update_biases = self.choice("update_biases", [True, False], True)
        reduction = self.choice("reduction", ["mean", "sum"], "mean")
        layered = "layers" in d
        if layered and "params" in d:          # read only by graphs: refused, not ignored
            raise self.fail("params", "a [[layers]] network's parameters are its weights and "
                            "biases; [params] belongs to a [graph] problem")
        network = self._layers() if layered else self._graph()
        params = () if layered else self._params(network)
        samples = self._samples(network, params, loss)
        gradients_for = self._gradients_for(network, samples)
        problem = Problem(network=network, samples=samples, loss=loss, learning_rate=lr,
                          steps=steps, title=title, notes=notes, index_base=index_base,
                          relu_derivative_at_zero=relu0, leaky_slope=slope,
                          update_biases=update_biases, reduction=reduction, params=params,
                          gradients_for=gradients_for, source=self.source,
                          exam=read_exam(d.get("exam"), self.source), raw=copy.deepcopy(d))
        self._check_loss_shape(problem)
        self._check_randomize()
        return problem

    def _check_randomize(self):
        """The [randomize] table's shape (its contents are checked by symprop exam)."""
        raw = self.data.get("randomize")
        if raw is None:
            return
        if not isinstance(raw, dict) or set(raw) - {"values", "constraints"}:
            raise self.fail("randomize", "expected [randomize.values] and [randomize.constraints] tables")

    def _text(self, key, default):
        raw = self.data.get(key, default)
        if not isinstance(raw, str):
            raise self.fail(key, "expected a string")
        if len(raw) > 2000:
            raise self.fail(key, "longer than 2000 characters")
        return raw

    def _learning_rate(self, steps):
        raw = self.data.get("learning_rate")
        if raw is None:
            if steps:
                raise self.fail("learning_rate", "missing (needed for the update step; or set steps = 0)")
            return None
        lr = self.value(raw, "learning_rate")
        if not lr.free_symbols and exact.sign(lr) <= 0:
            raise self.fail("learning_rate", f"must be positive, got {exact.shown(lr)}")
        return lr

    def _layers(self):
        raw = self.data["layers"]
        if not isinstance(raw, list) or not raw:
            raise self.fail("layers", "expected [[layers]] tables, one per layer")
        if len(raw) > MAX_LAYERS:
            raise self.fail("layers", f"more than {MAX_LAYERS} layers")
        layers = []
        for i, spec in enumerate(raw, start=1):
            key = f"layers[{i}]"
            if not isinstance(spec, dict):
                raise self.fail(key, "expected a table with weights, bias, activation")
            extra = sorted(set(spec) - _LAYER_KEYS)
            if extra:
                raise self.fail(f"{key}.{extra[0]}", "unknown key; layer keys are weights, bias, activation")
            if "weights" not in spec:
                raise self.fail(f"{key}.weights", "missing")
            w = self.matrix(spec["weights"], f"{key}.weights")
            b = self.vector(spec["bias"], f"{key}.bias") if "bias" in spec else None
            act = spec.get("activation", "identity")
            if not isinstance(act, str):
                raise self.fail(f"{key}.activation", f"expected an activation name (a string), got {_kind(act)}")
            if act not in ACTIVATIONS:
                raise self.fail(f"{key}.activation", _enum_message(act, ACTIVATIONS))
            rows, cols = len(w), len(w[0])
            if layers and cols != layers[-1].shape[0]:
                prev = layers[-1].shape[0]
                raise self.fail(f"{key}.weights",
                                f"expected {rows}×{prev} (layer {i - 1} has {prev} units), got {rows}×{cols}")
            if b is not None and len(b) != rows:
                raise self.fail(f"{key}.bias", f"expected {rows} entries (one per unit), got {len(b)}")
            layers.append(Layer(w, b, act))
        return Layered(tuple(layers))

    def _graph(self):
        raw = self.data["graph"]
        if not isinstance(raw, dict):
            raise self.fail("graph", "expected a table of node = \"expression\" lines")
        if "output" not in raw:
            raise self.fail("graph.output", "missing: name the node that is the network's output")
        nodes = []
        for name, text in raw.items():
            if name == "output":
                continue
            key = f"graph.{name}"
            self.name(name, "node name", key)
            if name in GRAPH_FUNCTIONS:
                raise self.fail(key, f"'{name}' is a function name; choose another node name")
            if not isinstance(text, str):
                raise self.fail(key, "expected an expression string, e.g. \"w0*x\"")
            nodes.append((name, text))
        if not nodes:
            raise self.fail("graph", "no nodes")
        if len(nodes) > MAX_NODES:
            raise self.fail("graph", f"more than {MAX_NODES} nodes")
        output = raw["output"]
        if not isinstance(output, str):
            raise self.fail("graph.output", f"expected the name of a node (a string), got {_kind(output)}")
        if output not in dict(nodes):
            raise self.fail("graph.output", f"'{_short(output)}' is not a node of the graph")
        return Graph(tuple(nodes), output)

    def _params(self, graph):
        raw = self.data.get("params", {})
        if not isinstance(raw, dict):
            raise self.fail("params", "expected a table of name = value")
        params = []
        for name, value in raw.items():
            key = f"params.{name}"
            self.name(name, "parameter name", key)
            if name in dict(graph.nodes):
                raise self.fail(f"graph.{name}", f"node '{name}' redefines the parameter '{name}'")
            params.append((name, self.value(value, key)))
        return tuple(params)

    def _samples(self, network, params, loss):
        d = self.data
        if "data" in d and "samples" in d:
            raise self.fail("samples", "give either [data] (one sample) or [[samples]], not both")
        if "samples" in d:
            raw = d["samples"]
            if not isinstance(raw, list) or not raw:
                raise self.fail("samples", "expected [[samples]] tables")
            if len(raw) > MAX_SAMPLES:
                raise self.fail("samples", f"more than {MAX_SAMPLES} samples")
            keys = [f"samples[{i}]" for i in range(1, len(raw) + 1)]
        else:
            raw = [d.get("data", {})]
            keys = ["data"]
        return tuple(self._sample(s, k, network, params, loss) for s, k in zip(raw, keys))

    def _sample(self, raw, key, network, params, loss):
        if not isinstance(raw, dict):
            raise self.fail(key, "expected a table of inputs and the target y")
        target = None
        if loss != "none":
            if "y" not in raw:
                raise self.fail(f"{key}.y", f"missing: the target that loss '{loss}' compares with")
            target = self.vector(raw["y"], f"{key}.y")
        elif "y" in raw and isinstance(network, Layered):
            raise self.fail(f"{key}.y", "loss 'none' takes no target")
        if isinstance(network, Layered):
            extra = sorted(set(raw) - {"x", "y"})
            if extra:
                raise self.fail(f"{key}.{extra[0]}", "unknown key; a layered sample has x and y")
            if "x" not in raw:
                raise self.fail(f"{key}.x", "missing: the input vector")
            x = self.vector(raw["x"], f"{key}.x")
            want = network.sizes[0]
            if len(x) != want:
                raise self.fail(f"{key}.x", f"expected {want} inputs (layer 1 weights have {want} columns), got {len(x)}")
            return Sample((("x", x),), target)
        inputs = []
        param_names = dict(params)
        for name, value in raw.items():
            if name == "y" and loss != "none":
                continue
            k = f"{key}.{name}"
            self.name(name, "input name", k)
            if name in param_names or name in dict(network.nodes):
                raise self.fail(k, f"'{name}' is defined twice (as an input and as a parameter or node)")
            inputs.append((name, self.value(value, k)))
        return Sample(tuple(inputs), target)

    def _gradients_for(self, network, samples):
        raw = self.data.get("gradients_for", [])
        if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
            raise self.fail("gradients_for", "expected a list of input names, e.g. [\"x\", \"y\"]")
        known = {"x"} if isinstance(network, Layered) else {n for n, _ in samples[0].inputs}
        for name in raw:
            if name not in known:
                raise self.fail("gradients_for", f"'{_short(name)}' is not an input; inputs: {', '.join(sorted(known))}")
        return tuple(raw)

    def _check_loss_shape(self, problem):
        outputs = problem.network.sizes[-1] if problem.is_layered else 1
        for i, s in enumerate(problem.samples):
            key = "data.y" if "data" in self.data else f"samples[{i + 1}].y"
            if s.target is not None and len(s.target) != outputs:
                raise self.fail(key, f"expected {outputs} target value(s) (one per output unit), got {len(s.target)}")
        if problem.loss == "none" and outputs != 1:
            raise self.fail("loss", "loss 'none' differentiates a single output; this network has "
                                    f"{outputs} outputs")
        check_targets(problem)


def _toml_repr(v):
    """A value as the TOML file writes it: true, "relu", 1."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def _kind(raw):
    """How a TOML value is described in a message: 'a list', 'a table', 'true'."""
    if isinstance(raw, bool):
        return str(raw).lower()
    return {list: "a list", dict: "a table", str: "a string", int: "a whole number",
            Decimal: "a decimal number"}.get(type(raw), type(raw).__name__)


def _short(raw, n=40):
    text = str(raw)
    return text if len(text) <= n else text[:n] + "…"


def _enum_message(value, table):
    hint = did_you_mean(value, list(table), ignore_case=True)
    return f"unknown activation '{_short(value)}'{hint}; known: {', '.join(table)}"
