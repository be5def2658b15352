"""`symprop new` and `symprop examples`: starter problems that solve as written, every
key commented, and the bundled examples listed and written out."""

import io
import os
import re
import tomllib

import pytest

import symprop
from symprop.cli import main
from symprop.commands.starting import bundled
from symprop.model.starters import KINDS, UNARY, starter

from helpers import EXAMPLES

CASES = [("layered", None, None), ("layered", "sigmoid", "bce"),
         ("layered", "tanh", "cross_entropy"), ("layered", "softmax", "mse"),
         ("layered", "elu", "none"), ("training-set", None, None),
         ("training-set", "sigmoid", "bce"), ("training-set", "leaky_relu", "cross_entropy"),
         ("training-set", "softplus", "l1"), ("graph", None, None), ("graph", "tanh", "l1"),
         ("graph", "log", "bce"), ("graph", "identity", "cross_entropy"),
         ("graph", "abs", "sse"), ("circuit", None, None)]


def run(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


@pytest.mark.parametrize("kind,activation,loss", CASES)
def test_the_starter_is_written_and_solves(kind, activation, loss, tmp_path, monkeypatch, capsys):
    argv = ["new", "demo", "--kind", kind]
    argv += ["--activation", activation] if activation else []
    argv += ["--loss", loss] if loss else []
    code, out = run(argv, tmp_path, monkeypatch)
    assert code == 0, capsys.readouterr().err
    assert "wrote demo.toml" in out
    problem = symprop.load(tmp_path / "demo.toml")
    solution = symprop.solve(problem)
    assert str(solution)
    data = tomllib.loads((tmp_path / "demo.toml").read_text())
    assert data["loss"] == ("none" if kind == "circuit" else loss or "half_sse")
    if activation and kind != "graph":
        assert data["layers"][0]["activation"] == activation
    code, out = run(["solve", "demo.toml", "--verify", "-q"], tmp_path, monkeypatch)
    assert code == 0 and "Verification" in out


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_key_is_explained_by_a_comment(kind):
    """Each `key = value` line and each table header carries a comment (continuation
    rows of a matrix excepted), and the head says how to solve the file."""
    text = starter("demo", kind)
    assert "symprop solve demo.toml --pdf" in text
    for line in text.splitlines():
        if re.match(r"\s*(\[|[A-Za-z_0-9]+ = )", line) and not line.startswith("           "):
            assert "#" in line, line


def test_every_activation_and_loss_of_the_registry_solves():
    """The numbers keep clear of kinks and domains for every combination."""
    from symprop.model.functions import ACTIVATIONS
    from symprop.model.losses import LOSSES

    for kind, names in (("layered", list(ACTIVATIONS)), ("graph", UNARY)):
        for activation in names:
            for loss in LOSSES:
                text = starter("demo", kind, activation, loss)
                symprop.solve(symprop.loads(text, source=f"{kind}-{activation}-{loss}"))


@pytest.mark.parametrize("argv,words", [
    (["new", "d", "--kind", "mlp"], "unknown kind 'mlp'"),
    (["new", "d", "--activation", "ReLU"], "did you mean 'relu'"),
    (["new", "d", "--kind", "graph", "--activation", "softmax"], "layer-wide"),
    (["new", "d", "--loss", "cross_entropi"], "did you mean 'cross_entropy'"),
    (["new", "d", "--kind", "circuit", "--loss", "l1"], "a circuit has no activation"),
    (["examples", "two_layer"], "no bundled example"),
    (["examples", "circuit", "--answers"], "has no bundled hand solution"),
    (["examples", "--answers"], "needs an example NAME"),
])
def test_bad_options_are_one_line_and_exit_2(argv, words, tmp_path, monkeypatch, capsys):
    code, out = run(argv, tmp_path, monkeypatch)
    err = capsys.readouterr().err
    assert code == 2 and words in err and err.count("\n") == 1, err
    assert os.listdir(tmp_path) == []


def test_new_refuses_to_replace_an_edited_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "mine.toml").write_text("# my own problem\n")
    code, _ = run(["new", "mine"], tmp_path, monkeypatch)
    assert code == 2 and "--force" in capsys.readouterr().err
    assert (tmp_path / "mine.toml").read_text() == "# my own problem\n"
    code, _ = run(["new", "mine", "--force", "-q"], tmp_path, monkeypatch)
    assert code == 0 and "starter problem" in (tmp_path / "mine.toml").read_text()


def test_new_to_a_path_and_to_standard_output(tmp_path, monkeypatch):
    code, out = run(["new", "c", "--kind", "circuit", "-o", "sub/circ.toml"], tmp_path,
                    monkeypatch)
    assert code == 0 and (tmp_path / "sub" / "circ.toml").exists()
    code, out = run(["new", "g", "--kind", "graph", "-o", "-"], tmp_path, monkeypatch)
    assert code == 0 and out.startswith("# g.toml: a starter problem")
    assert symprop.loads(out).title == "g: a starter problem (graph)"


def test_examples_lists_the_bundled_ones_with_their_titles(tmp_path, monkeypatch):
    code, out = run(["examples"], tmp_path, monkeypatch)
    assert code == 0
    names = sorted(p.stem for p in EXAMPLES.glob("*.toml"))
    assert list(bundled()) == names
    for name in names:
        title = tomllib.loads((EXAMPLES / f"{name}.toml").read_text())["title"]
        assert re.search(rf"^{name} +{re.escape(title)}", out, re.M), (name, out)
    assert "two_layer_relu" in out and "(+ answers)" in out
    assert os.listdir(tmp_path) == []


def test_examples_writes_one_and_its_answers(tmp_path, monkeypatch):
    code, out = run(["examples", "two_layer_sigmoid"], tmp_path, monkeypatch)
    assert code == 0 and out == "wrote two_layer_sigmoid.toml\n"
    assert (tmp_path / "two_layer_sigmoid.toml").read_bytes() == \
        (EXAMPLES / "two_layer_sigmoid.toml").read_bytes()
    code, _ = run(["examples", "two_layer_sigmoid.toml", "--answers", "-q"], tmp_path, monkeypatch)
    assert code == 0
    assert (tmp_path / "two_layer_sigmoid-answers.toml").read_bytes() == \
        (EXAMPLES / "answers" / "two_layer_sigmoid.toml").read_bytes()
    code, out = run(["examples", "circuit", "-o", "-"], tmp_path, monkeypatch)
    assert code == 0 and out == (EXAMPLES / "circuit.toml").read_text()
    code, _ = run(["check", "two_layer_sigmoid.toml", "two_layer_sigmoid-answers.toml", "-q"],
                  tmp_path, monkeypatch)
    assert code in (0, 1)


def test_the_examples_are_package_data_and_the_top_level_folder_links_to_them():
    """examples/ is a link to symprop/examples, the folder the wheel ships."""
    root = EXAMPLES.parent
    assert (root / "examples").is_symlink()
    assert (root / "examples").resolve() == (root / "symprop" / "examples").resolve()
    text = (root / "pyproject.toml").read_text()
    assert '"examples/*.toml", "examples/answers/*.toml"' in text
