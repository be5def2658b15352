"""The issue's command: `symprop exam ... --moodle --gift --qti --prairielearn` writes all
four exports and README.txt, each read back by its reader (the checks of
test_exports, test_lms_qti and test_lms_prairielearn) on the same asked quantities."""

import importlib.util
import io
import json
import shutil
import zipfile

import pytest

import symprop
from helpers import EXAMPLES
from symprop.cli import main
from symprop.exam.variants import draw
from test_exports import check_gift, check_moodle, gift_parser  # noqa: F401 (a fixture)
from test_lms_qti import Q, read


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_every_export_from_the_command_line(tmp_path, gift_parser, monkeypatch, capsys):
    out = tmp_path / "exam"
    path = EXAMPLES / "two_layer_relu.toml"
    code = main(["exam", str(path), "--variants", "5", "--seed", "1", "--out", str(out),
                 "--moodle", "--gift", "--qti", "--prairielearn"])
    assert code == 0, capsys.readouterr().err
    files = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert files == ["README.txt", "answers.json", "answers.pdf", "canvas-qti.zip", "moodle.xml",
                     "prairielearn.zip", "questions.gift", "questions.pdf"]
    problem = symprop.load(path)
    vs = draw(problem, 5, 1)                                   # the same variants again
    title = problem.title
    check_moodle((out / "moodle.xml").read_text(), vs, title, title)
    body = (out / "questions.gift").read_text().split("\n", 1)[1]
    from symprop.exam.exports import gift
    assert body == gift(vs, title)
    check_gift(gift_parser, tmp_path, vs, title, title)
    groups = read((out / "canvas-qti.zip").read_bytes()).findall(f"{Q}assessment/{Q}section/{Q}section")
    assert len(groups) == 5
    key = json.loads((out / "answers.json").read_text())["variants"]
    assert [len(v["key"]) for v in key] == [8] * 5
    readme = (out / "README.txt").read_text()
    for words in ("Moodle (moodle.xml)", "GIFT", "Canvas (canvas-qti.zip)", "PrairieLearn"):
        assert words in readme
    z = zipfile.ZipFile(io.BytesIO((out / "prairielearn.zip").read_bytes()))
    z.extractall(tmp_path / "pl")
    server = next((tmp_path / "pl").glob("*/server.py"))
    spec = importlib.util.spec_from_file_location("pl_all", server)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = {"variant_seed": 2, "params": {}, "correct_answers": {}, "submitted_answers": {},
            "partial_scores": {}}
    module.generate(data)
    data["submitted_answers"] = dict(data["correct_answers"])
    module.grade(data)
    assert data["score"] == 1


def test_ask_flag_overrides_and_a_bad_one_exits_2(tmp_path, capsys):
    out = tmp_path / "exam"
    code = main(["exam", str(EXAMPLES / "two_layer_relu.toml"), "--variants", "1", "--out", str(out),
                 "--ask", "nothing[*]"])
    err = capsys.readouterr().err
    assert code == 2 and "--ask" in err and "matches no quantity" in err and not out.exists()


def test_question_text_names_activations_in_words():
    """What a student reads in the LMS: 'Layer 1 (ReLU)', 'sigmoid σ', 'linear' — the
    sheets' words, never the problem file's ids (relu, identity)."""
    from symprop.exam.lmstext import problem_html as question_html

    text = question_html(symprop.solve(symprop.load(EXAMPLES / "two_layer_relu.toml")))
    assert "Layer 1 (ReLU)" in text and "Layer 2 (linear)" in text
    assert "(relu)" not in text and "identity" not in text
    sigmoid = question_html(symprop.solve(symprop.load(EXAMPLES / "two_layer_sigmoid.toml")))
    assert r"Layer 1 (sigmoid \(\sigma\))" in sigmoid
