"""The self-check page without a browser: what the page calls inside Pyodide
(symprop.web.browser), run here in CPython against the command line on the same files;
what the builder packs; the front end's rules (relative paths, no CDN, user text as
text); `symprop web`'s refusals. tests/test_web.py drives the real page in Chromium."""

import json
import re
import zipfile
from pathlib import Path

import pytest

from helpers import EXAMPLES
from symprop.cli import main
from symprop.web import browser, build

STATIC = Path(build.__file__).parent / "static"
SEED = EXAMPLES / "two_layer_sigmoid.toml"
SEED_ANSWERS = EXAMPLES / "answers" / "two_layer_sigmoid.toml"


def cli_json(capsys, *args):
    code = main(list(args))
    return code, json.loads(capsys.readouterr().out)


def cli_error(capsys, *args):
    assert main(list(args)) == 2
    return capsys.readouterr().err.strip()


def test_examples_are_the_bundled_ones_with_their_answers():
    examples = {e["name"]: e for e in json.loads(browser.examples())}
    assert "two_layer_sigmoid" in examples
    assert examples["two_layer_sigmoid"]["problem"] == SEED.read_text(encoding="utf-8")
    assert examples["two_layer_sigmoid"]["answers"] == SEED_ANSWERS.read_text(encoding="utf-8")
    assert examples["two_layer_sigmoid"]["title"] == "Two-layer sigmoid network"


def test_open_problem_gives_network_quantities_and_the_worked_solution():
    r = json.loads(browser.open_problem(SEED.read_text(encoding="utf-8"), "two_layer_sigmoid.toml"))
    assert r["ok"] and r["network"] == {"sizes": [3, 2, 2], "activations": ["sigmoid", "sigmoid"]}
    names = [q["name"] for q in r["quantities"]]
    assert names[:3] == ["z1[1]", "z1[2]", "a1[1]"] and "loss" in names and "final.loss" in names
    assert r["quantities"][0]["tex"] == "z^{(1)}_{1}"
    headings = [b for b in r["blocks"] if b.startswith("#")]
    assert headings[:3] == ["### Two-layer sigmoid network", "#### Problem", "#### Forward pass"]
    assert "#### After the update" in headings
    assert any("0.170528" in b for b in r["blocks"])        # the loss, as the Jupyter display shows it


def test_answer_file_verdicts_match_symprop_check(capsys):
    code, expected = cli_json(capsys, "check", str(SEED), str(SEED_ANSWERS), "--format", "json")
    browser.open_problem(SEED.read_text(encoding="utf-8"))
    r = json.loads(browser.check_answers(answers_text=SEED_ANSWERS.read_text(encoding="utf-8")))
    assert [(row["name"], row["given"], row["verdict"], row["reason"]) for row in r["rows"]] == \
        [(e["name"], e["given"], e["verdict"], e["reason"] or e["diagnosis"]) for e in expected["results"]]
    assert r["summary"] == expected["summary"]


def test_typed_answers_accept_decimal_commas_and_skip_blanks():
    browser.open_problem(SEED.read_text(encoding="utf-8"))
    r = json.loads(browser.check_answers(json.dumps({"z1[1]": "0,4", "z1[2]": "  ", "a1[1]": "0.5987"})))
    assert [(row["name"], row["given"], row["verdict"]) for row in r["rows"]] == \
        [("z1[1]", "0.4", "exact"), ("a1[1]", "0.5987", "rounded")]


def test_typed_answer_errors_are_one_line():
    browser.open_problem(SEED.read_text(encoding="utf-8"))
    r = json.loads(browser.check_answers(json.dumps({"z1[1]": "__import__('os')"})))
    assert not r["ok"] and r["error"].startswith("symprop: error: your answers, key 'answers.z1[1]': ")
    assert "\n" not in r["error"]
    r = json.loads(browser.check_answers(json.dumps({"z1[1]": ""})))
    assert r["error"] == "symprop: error: your answers: no answers: type at least one value"
    r = json.loads(browser.check_answers(json.dumps({"nonsense": "1"})))
    assert r["error"].startswith("symprop: error: your answers, key 'answers.nonsense': unknown quantity")


def test_malformed_problem_gives_the_cli_line(tmp_path, capsys):
    for text in ['title = "x"\nloss = 3\n', "[[layers]\n", 'loss = "half_sse"\n[data]\nx = [1]\n']:
        path = tmp_path / "bad.toml"
        path.write_text(text)
        expected = cli_error(capsys, "solve", str(path))
        r = json.loads(browser.open_problem(text, str(path)))
        assert not r["ok"] and r["error"] == expected, text
        assert json.loads(browser.worked_tex())["error"] == "symprop: error: open a problem first"


def test_answer_file_errors_give_the_cli_line(tmp_path, capsys):
    answers = tmp_path / "answers.toml"
    answers.write_text('[answers]\n"nonsense[9]" = 1\n')
    expected = cli_error(capsys, "check", str(SEED), str(answers))
    browser.open_problem(SEED.read_text(encoding="utf-8"))
    r = json.loads(browser.check_answers(answers_text=answers.read_text(), source=str(answers)))
    assert r["error"] == expected


def test_worked_tex_is_the_answer_sheet():
    browser.open_problem(SEED.read_text(encoding="utf-8"))
    tex = json.loads(browser.worked_tex())["tex"]
    assert r"\documentclass" in tex and tex.rstrip().endswith(r"\end{document}")


def test_symprop_zip_holds_the_package_and_its_examples_only():
    names = zipfile.ZipFile(__import__("io").BytesIO(build.symprop_zip())).namelist()
    assert "symprop/__init__.py" in names and "symprop/web/browser.py" in names
    assert "symprop/examples/two_layer_sigmoid.toml" in names
    assert "symprop/examples/answers/two_layer_sigmoid.toml" in names
    assert not [n for n in names if "__pycache__" in n or "/static/" in n or n.endswith(".pyc")]


def test_front_end_uses_relative_paths_and_writes_user_text_as_text():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert refs and all(not re.match(r"[a-z]+:|/", r) or r == "data:," for r in refs), refs
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    for text in (html, js, (STATIC / "style.css").read_text(encoding="utf-8")):
        assert "http://" not in text.replace('"http://www.w3.org/2000/svg"', "") and "https://" not in text
    assert set(build.FRONT) == {p.name for p in STATIC.iterdir()}


def test_web_command_refusals(tmp_path, capsys):
    assert main(["web", "--out", str(tmp_path / "site"), "--port", "8001"]) == 2
    assert capsys.readouterr().err.strip() == "symprop: error: --port applies only with --serve"
    (tmp_path / "mine.html").write_text("not symprop's")
    assert main(["web", "--out", str(tmp_path)]) == 2        # refused before anything is downloaded
    assert "holds files symprop did not write (mine.html)" in capsys.readouterr().err
    assert (tmp_path / "mine.html").read_text() == "not symprop's"


def test_web_help(capsys):
    with pytest.raises(SystemExit):
        main(["web", "--help"])
    out = capsys.readouterr().out
    assert "--serve" in out and "file://" in out and "exit codes:" in out


def test_serve_gives_the_folder_with_wasm_as_application_wasm(tmp_path):
    import threading
    import time
    import urllib.request

    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    urls = []
    threading.Thread(target=build.serve, args=(tmp_path,), kwargs={"port": 0, "ready": urls.append},
                     daemon=True).start()
    while not urls:
        time.sleep(0.02)
    assert urls[0].startswith("http://127.0.0.1:")
    with urllib.request.urlopen(urls[0] + "pyodide.asm.wasm", timeout=10) as r:
        assert r.headers["Content-Type"] == "application/wasm" and r.read() == b"\0asm\1\0\0\0"
    with urllib.request.urlopen(urls[0], timeout=10) as r:
        assert b"<title>t</title>" in r.read()


def test_the_page_runs_symprop_unpatched():
    """No stand-in modules: symprop itself imports without python-flint and fcntl and
    works with a 32-bit decimal (tests/test_portable.py, tests/test_fast_optional.py),
    so the page's boot code imports it and nothing else."""
    boot = (STATIC / "app.js").read_text(encoding="utf-8").split("const BOOT = `", 1)[1].split("`;", 1)[0]
    assert boot.strip() == "import symprop.web.browser"
    assert not hasattr(build, "pydecimal_zip")
