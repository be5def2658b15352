"""prairielearn.zip: its server.py imported here (no symprop needed by it) and driven with
fake `data` dicts as PrairieLearn passes them: generate() picks a variant by its seed,
grade() marks right answers, names mistakes, and carries errors forward by the
gradient's definition written out here (∂L/∂W2[1,1] = δ2[1]·a1[1])."""

import ast
import importlib.util
import io
import json
import zipfile

import pytest

import symprop
from helpers import EXAMPLES
from symprop.exam.prairielearn import prairielearn_zip
from symprop.exam.selection import asked
from symprop.exam.variants import draw


@pytest.fixture(scope="module")
def exam(tmp_path_factory):
    vs = draw(symprop.load(EXAMPLES / "two_layer_relu.toml"), 6, 1)
    z = zipfile.ZipFile(io.BytesIO(prairielearn_zip(vs, "ReLU <exam>", None, 1)))
    names = z.namelist()
    qid = names[0].split("/")[0]
    assert sorted(names) == sorted(f"{qid}/{n}" for n in ("info.json", "question.html", "server.py"))
    folder = tmp_path_factory.mktemp("pl") / qid
    z.extractall(folder.parent)
    server = (folder / "server.py").read_text()
    imported = {n.names[0].name.split(".")[0] for n in ast.walk(ast.parse(server))
                if isinstance(n, (ast.Import, ast.ImportFrom)) and getattr(n, "names", None)}
    assert imported <= {"base64", "json", "math"}, imported           # nothing of symprop
    spec = importlib.util.spec_from_file_location("pl_server", folder / "server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vs, module, folder


def fresh(seed):
    return {"variant_seed": seed, "params": {}, "correct_answers": {}, "submitted_answers": {},
            "partial_scores": {}}


def test_folder_files(exam):
    vs, server, folder = exam
    info = json.loads((folder / "info.json").read_text())
    assert info["type"] == "v3" and info["title"] == "ReLU <exam>" and len(info["uuid"]) == 36
    html = (folder / "question.html").read_text()
    assert "pl-number-input" in html and "{{{params.html}}}" in html


def test_generate_picks_a_variant_by_seed_with_exact_answers(exam):
    vs, server, _ = exam
    for seed in range(8):
        data = fresh(seed)
        server.generate(data)
        v = vs[seed % len(vs)]
        assert data["params"]["variant"] == v.number and "<table" in data["params"]["html"]
        want = asked(v.solution)
        assert [q["key"] for q in data["params"]["questions"]] == [f"q{i}" for i in range(1, len(want) + 1)]
        for a, q in zip(want, data["params"]["questions"]):
            got = data["correct_answers"][q["key"]]
            assert abs(got - float(a.value)) <= float(q["atol"]) and abs(got - float(a.value)) < 1e-12


def grade(server, seed, answers):
    data = fresh(seed)
    server.generate(data)
    keys = {q["key"]: None for q in data["params"]["questions"]}
    data["submitted_answers"] = {k: answers.get(k, data["correct_answers"][k]) for k in keys}
    server.grade(data)
    return data


def test_grade_right_mistake_and_carried_forward(exam):
    vs, server, _ = exam
    # all right
    data = grade(server, 0, {})
    assert data["score"] == 1 and all(p["score"] == 1 for p in data["partial_scores"].values())
    # a variant whose a1[1] is not 0, so that δ2 reaches ∂L/∂W2[1,1] = δ2[1]·a1[1]
    k = next(i for i, v in enumerate(vs) if v.solution.answers()["a1[1]"] != 0)
    v = vs[k]
    names = [a.name for a in asked(v.solution)]
    key = {n: f"q{i}" for i, n in enumerate(names, 1)}
    values = {n: float(x) for n, x in v.solution.answers().items()}
    # ½ forgotten: δ2 = 2(ŷ − y), twice the right one; feedback names the mistake, credit 0
    right = values["delta2[1]"]
    data = grade(server, k, {key["delta2[1]"]: 2 * right})
    p = data["partial_scores"][key["delta2[1]"]]
    assert p["score"] == 0 and "factor 2 too many" in p["feedback"]
    # a wrong δ2 carried forward: their ∂L/∂W2[1,1] = their δ2 · a1[1] earns the carried credit
    wrong = right + 0.75
    data = grade(server, k, {key["delta2[1]"]: wrong,
                             key["dL/dW2[1,1]"]: wrong * values["a1[1]"]})
    assert data["partial_scores"][key["delta2[1]"]]["score"] == 0
    g = data["partial_scores"][key["dL/dW2[1,1]"]]
    assert g["score"] == 1 and "carried forward" in g["feedback"]
    # the same gradient, wrong from their δ2 too: 0
    data = grade(server, k, {key["delta2[1]"]: wrong,
                             key["dL/dW2[1,1]"]: wrong * values["a1[1]"] + 0.5})
    assert data["partial_scores"][key["dL/dW2[1,1]"]]["score"] == 0
    n = len(names)
    assert abs(data["score"] - (n - 2) / n) < 1e-12
