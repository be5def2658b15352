"""Starter problems for `symprop new`: commented TOML that solves as it is written.

`starter(name, kind, activation, loss)` is the text of a problem file of one of
four kinds (KINDS), every key explained by a comment beside it. The numbers are
chosen so that every activation and loss of the registry solves: no ReLU kink
at 0, a log's argument positive, a sigmoid output for bce, a softmax output for
cross_entropy in the layered forms. Names are checked against the registry
(functions.ACTIVATIONS, GRAPH_FUNCTIONS, losses.LOSSES) with a "did you mean".
"""

import os

import tomli_w

from ..errors import SympropError, did_you_mean
from .functions import ACTIVATIONS, GRAPH_FUNCTIONS
from .losses import LOSSES

__all__ = ["KINDS", "starter", "starter_path"]

KINDS = {
    "layered": "a 2-2-1 network in [[layers]] tables, one training sample",
    "training-set": "the same network trained on three [[samples]] at once",
    "graph": "a computational graph of named nodes over [params] and [data]",
    "circuit": "the circuit f = (x + y)·z: gradients of the output, no loss",
}
# the graph form's unary functions (max and min take two arguments)
UNARY = [f for f, rec in GRAPH_FUNCTIONS.items() if rec.arity[0] == 1] + ["identity"]
DEFAULT_ACTIVATION = "relu"
DEFAULT_LOSS = "half_sse"


class StarterError(SympropError, ValueError):
    """A `symprop new` option that names nothing or cannot apply to the kind."""


def starter_path(name):
    """NAME → NAME.toml (a name already ending in .toml is kept)."""
    return name if name.endswith(".toml") else name + ".toml"


def _line(code, comment, column=30):
    """`code  # comment`, the comments of a block lined up."""
    return f"{code}{' ' * max(1, column - len(code))}# {comment}\n"


def _title(name, kind):
    stem = os.path.splitext(os.path.basename(name))[0] or "starter"
    return tomli_w.dumps({"title": f"{stem}: a starter problem ({kind})"}).strip()


def _check(kind, activation, loss):
    if kind not in KINDS:
        raise StarterError(f"unknown kind '{kind}'{did_you_mean(kind, KINDS)}; "
                           f"one of {', '.join(KINDS)}", key="--kind")
    if kind == "circuit":
        for option, value in (("--activation", activation), ("--loss", loss)):
            if value is not None:
                raise StarterError("a circuit has no activation and no loss (it differentiates "
                                   "its output); leave the option out or use --kind graph",
                                   key=option)
        return None, None
    activation = activation or DEFAULT_ACTIVATION
    loss = loss or DEFAULT_LOSS
    names = UNARY if kind == "graph" else list(ACTIVATIONS)
    if activation not in names:
        why = ("; softmax is layer-wide: use --kind layered" if activation == "softmax"
               else did_you_mean(activation, names, ignore_case=True))
        raise StarterError(f"unknown activation '{activation}' for --kind {kind}{why}; "
                           f"one of {', '.join(names)}", key="--activation")
    if loss not in LOSSES:
        raise StarterError(f"unknown loss '{loss}'{did_you_mean(loss, LOSSES, ignore_case=True)}; "
                           f"one of {', '.join(LOSSES)}", key="--loss")
    return activation, loss


_HEAD = """\
# {file}: a starter problem written by `symprop new` ({kind}: {what}).
#   symprop solve {file}               the worked solution in the terminal
#   symprop solve {file} --pdf         the answer sheet (output/{stem}.pdf)
#   symprop solve {file} --pdf --questions   the blank exercise sheet
# Numbers are exact: 0.1 is 1/10; "1/3" (a string) is a fraction, "w" a symbol.
# Change any number, add units or layers; every key is explained beside it.
"""

_LOSS = """\
{loss}learning_rate = 0.1           # the gradient-descent step: a number, "1/10" or a symbol "eta"
steps = 1                     # gradient-descent steps, each followed by the forward pass (0: gradients only)
index_base = 1                # names count from 1 (W1[1,1], x1) or from 0 (W1[0,0])
"""

_OUTPUT = {        # loss → (output activation, target, why)
    "bce": ("sigmoid", "1", "bce needs an output in (0, 1)"),
    "cross_entropy": ("softmax", "[1, 0]", "cross_entropy needs outputs that are probabilities"),
}


def _loss_lines(loss):
    return _LOSS.format(loss=_line(f'loss = "{loss}"', "the loss: " + " | ".join(LOSSES)))


def _layers(activation, loss):
    out_act, _, why = _OUTPUT.get(loss, ("identity", None, "a linear output for regression"))
    two = out_act == "softmax"
    rows = _line("weights = [[1, -0.5],", "W2[j,k] joins hidden unit k to output unit j")
    rows += "           [0.5, 0.25]]\n" if two else ""
    if not two:
        rows = _line("weights = [[1, -0.5]]", "W2[1,k] joins hidden unit k to the output")
    bias = _line("bias = [0.2, -0.1]" if two else "bias = [0.2]", "the output biases")
    return f"""
[[layers]]                    # the hidden layer: 2 units over the 2 inputs
weights = [[0.5, -0.25],      # row j: the weights into unit j (W1[j,k] joins input k to unit j)
           [0.25, 0.75]]
bias = [0.1, -0.2]            # one bias per unit (optional: without it, no bias)
{_line(f'activation = "{activation}"', "one of " + ", ".join(ACTIVATIONS))}
[[layers]]                    # the output layer: one row per output unit
{rows}{bias}{_line(f'activation = "{out_act}"', why)}"""


def _target(loss, indent="y = "):
    if not LOSSES[loss].needs_target:
        return ""
    value = _OUTPUT.get(loss, (None, "0.5"))[1]
    return f"{indent}{value}"


def _layered(activation, loss):
    y = _target(loss)
    target = _line(y, "the target: one number per output unit") if y else ""
    return (_loss_lines(loss) + "\n[data]                        # one training sample\n"
            "x = [1, 0.5]                  # the input: one number per input unit (a0[1], a0[2])\n"
            + target + _layers(activation, loss))


def _training_set(activation, loss):
    ys = ["1", "0", "1"] if loss == "bce" else (
        ["[1, 0]", "[0, 1]", "[1, 0]"] if loss == "cross_entropy" else ["0.5", "1", "-0.5"])
    xs = ["[1, 0.5]", "[0.5, 1]", "[2, -0.5]"]
    lines = [_loss_lines(loss).rstrip("\n"),
             'reduction = "mean"            # the loss of the set: mean or sum of the '
             "samples' losses", ""]
    for k, x in enumerate(xs):
        lines.append(_line("[[samples]]", "one [[samples]] table per training sample"
                           if k == 0 else f"sample {k + 1}").rstrip())
        lines.append(_line(f"x = {x}", f"sample {k + 1}'s input").rstrip("\n"))
        if LOSSES[loss].needs_target:
            lines.append(_line(f"y = {ys[k]}", "and its target").rstrip("\n"))
        lines.append("")
    return "\n".join(lines) + _layers(activation, loss)


def _graph(activation, loss):
    hidden = "z0" if activation == "identity" else f"{activation}(z0)"
    positive = loss in _OUTPUT
    out = "p" if positive else "z1"
    y = {"bce": "1", "cross_entropy": "1"}.get(loss, "0.5")
    data = (_line(f"y = {y}", "the target (the name y is reserved for it)")
            if LOSSES[loss].needs_target else "")
    why = _OUTPUT.get(loss, (0, 0, ""))[2].replace("outputs that are probabilities",
                                                   "a positive output")
    squash = _line('p = "sigmoid(z1)"', why) if positive else ""
    return (_loss_lines(loss)
            + "gradients_for = [\"x\"]         # also the gradient with respect to these inputs\n"
            "\n[data]                        # the inputs (not updated) and the target\n"
            "x = 2                         # an input: any name of letters, digits and _\n"
            + data +
            "\n[params]                      # the leaves that are differentiated and updated\n"
            + _line("w0 = 0.5", "a weight: z0's factor of x")
            + _line("b0 = -0.5", "a bias: z0 = w0·x + b0 = 0.5")
            + _line("w1 = -1", "the second weight, on h0")
            + _line("b1 = 0.5", "and its bias") +
            "\n[graph]                       # nodes evaluated in order, over data, params, "
            "earlier nodes\n"
            'z0 = "w0*x + b0"              # + - * /, powers ** and ' + ", ".join(GRAPH_FUNCTIONS) + "\n"
            + _line(f'h0 = "{hidden}"', "the activation")
            + _line('z1 = "w1*h0 + b1"', "the output unit, linear")
            + squash
            + _line(f'output = "{out}"', "the node the loss is computed on"))


_CIRCUIT = """\
loss = "none"                 # no loss: the output f itself is differentiated
steps = 0                     # no update step (nothing to update: there are no parameters)
gradients_for = ["x", "y", "z"]   # the inputs to differentiate f with respect to

[data]                        # the inputs (with loss = "none", y is an ordinary input)
x = 3                         # an input: any name of letters, digits and _
y = -1                        # another input
z = 2                         # and a third

[graph]                       # nodes evaluated in order
q = "x + y"                   # q = 2
f = "q*z"                     # f = 4, df/dx = df/dy = z = 2, df/dz = q = 2
output = "f"                  # the node that is differentiated
"""


def starter(name, kind, activation=None, loss=None):
    """The commented TOML text of a starter problem; StarterError for a bad option."""
    activation, loss = _check(kind, activation, loss)
    file = os.path.basename(starter_path(name))
    head = _HEAD.format(file=file, stem=os.path.splitext(file)[0], kind=kind, what=KINDS[kind])
    body = {"layered": _layered, "training-set": _training_set, "graph": _graph}.get(kind)
    title = _line(_title(name, kind), "the heading of the solution and of the sheets")
    return head + title + (body(activation, loss) if body else _CIRCUIT)
