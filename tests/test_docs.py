"""The docs cannot rot: docs/*.md checked against the code they describe.

- problem-files.md: every key the reader accepts is in a key table, every key a
  table names is accepted (and an invented one is refused), every literal default
  is the one the reader applies, the function and loss tables are what
  docs/generate.py builds from the registry, the [randomize] options and
  constraints are the exam code's;
- every ```toml block in docs/*.md loads and solves (an [answers] block is checked
  against the problem block before it; a [randomize] block draws variants);
- cli.md names every subcommand and option argparse knows, and no other option;
- api.md documents every name in symprop.__all__, with the real signatures;
- the tutorial's shell commands run and exit as the tutorial says.
"""

import inspect
import pathlib
import re
import shlex
import sys
import tomllib
from decimal import Decimal

import pytest

import symprop
from symprop import cli
from symprop.errors import SympropError
from symprop.exam.constraints import CONSTRAINTS, read_constraints
from symprop.exam.randomize import drawn_values
from symprop.model import reader
from symprop.model.functions import ACTIVATIONS, GRAPH_FUNCTIONS
from symprop.model.losses import LOSSES

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
sys.path.insert(0, str(DOCS))
import generate  # noqa: E402  (docs/generate.py)

PAGES = sorted(DOCS.glob("*.md"))


def text(name):
    return (DOCS / name).read_text(encoding="utf-8")


def key_table(name, page="problem-files.md"):
    """{key: (type, default, meaning)} of the table after `<!-- keys: name -->`."""
    body = text(page)
    marker = f"<!-- keys: {name} -->\n"
    assert marker in body, f"{page} has no key table '{name}'"
    rows = {}
    for line in body.split(marker, 1)[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        m = re.fullmatch(r"`([^`]+)`", cells[0])
        assert m, f"key table '{name}': first cell {cells[0]!r} is not a `key`"
        rows[m[1]] = tuple(cells[1:])
    assert rows, f"key table '{name}' is empty"
    return rows


def toml_blocks(page):
    return re.findall(r"```toml\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.S)


LAYERED = {
    "learning_rate": 1,
    "data": {"x": [1, 2], "y": 1},
    "layers": [{"weights": [[1, -1]], "activation": "relu"}],
}
GRAPH = {
    "learning_rate": 1,
    "params": {"w": 2},
    "graph": {"z": "w*x", "output": "z"},
    "data": {"x": 3, "y": 1},
}

CIRCUIT = {                                      # a graph without parameters
    "steps": 0,
    "graph": {"q": "x + t", "f": "q*x", "output": "f"},
    "data": {"x": 3, "t": -1, "y": 1},
}


def accepted(data):
    try:
        symprop.Problem.from_dict(data)
    except SympropError as exc:
        return exc
    return None


# -- problem files: keys ------------------------------------------------------

@pytest.mark.parametrize("table", ["top", "layers", "sample", "graph", "randomize", "groups",
                                   "pool", "constraints", "answers"])
def test_every_key_has_its_type_default_and_meaning(table):
    for key, cells in key_table(table).items():
        assert len(cells) >= 2 and all(cells), f"key table '{table}': {key} has an empty cell"


def test_top_level_keys_are_the_readers():
    documented = set(key_table("top"))
    assert documented == reader._TOP_KEYS, (
        f"undocumented: {sorted(reader._TOP_KEYS - documented)}; "
        f"documented but refused: {sorted(documented - reader._TOP_KEYS)}")


def test_layer_keys_are_the_readers():
    assert set(key_table("layers")) == reader._LAYER_KEYS


def test_documented_keys_are_accepted_and_invented_ones_refused():
    # a layered sample: x and y
    for key in key_table("sample"):
        assert key in LAYERED["data"]
    assert accepted(LAYERED) is None
    bad = {**LAYERED, "data": {**LAYERED["data"], "z": 1}}
    assert "unknown key" in str(accepted(bad))
    # [graph]: output is the one fixed key; a node is any other name
    assert set(key_table("graph")) == {"output", "<node name>"}
    assert accepted(GRAPH) is None
    assert "missing" in str(accepted({**GRAPH, "graph": {"z": "w*x"}}))
    # invented keys are refused at every level the docs list
    assert "unknown key" in str(accepted({**LAYERED, "learning_rat": 1}))
    bad = {**LAYERED, "layers": [{**LAYERED["layers"][0], "activations": "relu"}]}
    assert "unknown key" in str(accepted(bad))
    # [randomize]: values and constraints
    assert set(key_table("randomize")) == {"values", "constraints"}
    for key in key_table("randomize"):
        assert accepted({**LAYERED, "randomize": {key: {}}}) is None
    assert accepted({**LAYERED, "randomize": {"value": {}}}) is not None


def _without(data, key):
    return {k: v for k, v in data.items() if k != key}


@pytest.mark.parametrize("key", sorted(reader._TOP_KEYS))
def test_literal_defaults_are_the_readers(key):
    """A default written as a TOML literal (`1`, `"mean"`) gives the same Problem as
    leaving the key out."""
    kind, default, meaning = key_table("top")[key]
    m = re.fullmatch(r"`([^`]+)`", default)
    if not m:
        return                                   # "—", "none: required ..."
    value = tomllib.loads(f"v = {m[1]}", parse_float=Decimal)["v"]
    bases = [b for b in (LAYERED, GRAPH, CIRCUIT) if key not in b
             and not (key == "params" and "layers" in b)]   # [params] is refused there
    if key in ("layers", "graph"):
        bases = []                               # one of the two is always given
    for base in bases:
        plain = symprop.Problem.from_dict(base)
        written = symprop.Problem.from_dict({**_without(base, key), key: value})
        assert written == plain, f"{key} = {m[1]} is not the reader's default"


def test_layer_activation_default():
    default = key_table("layers")["activation"][1]
    layer = {"weights": [[1, -1]]}
    problem = symprop.Problem.from_dict({**LAYERED, "layers": [layer]})
    assert f'`"{problem.network.layers[0].activation}"`' == default


# -- problem files: the registry tables ---------------------------------------

def test_generated_tables_are_up_to_date():
    body = text("problem-files.md")
    assert generate.render(body) == body, "run: .venv/bin/python docs/generate.py"


def test_every_function_and_loss_is_in_the_tables():
    body = text("problem-files.md")
    for name in set(ACTIVATIONS) | set(GRAPH_FUNCTIONS):
        assert f"| `{name}` |" in body, name
    for name, loss in LOSSES.items():
        assert f"| `{name}` | `{loss.text.replace('|', chr(92) + '|')}` |" in body, name


def test_generated_tables_fail_when_a_record_is_missing(monkeypatch):
    """The check above can fail: a new activation makes the doc out of date."""
    body = text("problem-files.md")
    extra = dict(generate.FUNCTIONS)
    extra["relu6"] = generate.FUNCTIONS["relu"].__class__(
        **{**vars(generate.FUNCTIONS["relu"]), "name": "relu6"})
    monkeypatch.setattr(generate, "FUNCTIONS", extra)
    monkeypatch.setattr(generate, "ACTIVATIONS", {**ACTIVATIONS, "relu6": extra["relu6"]})
    assert generate.render(body) != body


# -- [randomize] ---------------------------------------------------------------

EXAM = {**LAYERED, "randomize": {"values": {"W1": {"choices": [-1, 1, 2]}}}}


def test_constraints_are_the_exam_codes():
    assert set(key_table("constraints")) == CONSTRAINTS


def test_constraint_defaults_are_the_exam_codes():
    """A constraint with a literal default gives the same variants as leaving it out."""
    plain = symprop.variants(symprop.Problem.from_dict(EXAM), 3, 7)
    for name, (kind, default, meaning) in key_table("constraints").items():
        m = re.fullmatch(r"`([^`]+)`", default)
        if not m:
            continue
        value = tomllib.loads(f"v = {m[1]}")["v"]
        spec = {**EXAM["randomize"], "constraints": {name: value}}
        assert read_constraints(symprop.Problem.from_dict({**EXAM, "randomize": spec})) == {name: value}
        drawn = symprop.variants(symprop.Problem.from_dict({**EXAM, "randomize": spec}), 3, 7)
        assert drawn == plain, f"{name} = {m[1]} is not the default"
    bad = {**EXAM["randomize"], "constraints": {"max_denominators": 3}}
    with pytest.raises(SympropError, match="unknown constraint"):
        read_constraints(symprop.Problem.from_dict({**EXAM, "randomize": bad}))


def test_pool_keys_and_groups_are_the_exam_codes():
    for key in key_table("pool"):
        entry = {"range": [0, 1], "step": 1} if key in ("range", "step") else {key: [1, 2]}
        spec = {"values": {"W1": entry}}
        assert drawn_values(symprop.Problem.from_dict({**LAYERED, "randomize": spec}))
    with pytest.raises(SympropError):
        drawn_values(symprop.Problem.from_dict(
            {**LAYERED, "randomize": {"values": {"W1": {"choice": [1]}}}}))
    biased = {**LAYERED, "layers": [{**LAYERED["layers"][0], "bias": 0}]}
    for group in key_table("groups"):
        base = GRAPH if group == "params" else biased
        spec = {"values": {group: {"choices": [1, 2]}}}
        slots = drawn_values(symprop.Problem.from_dict({**base, "randomize": spec}))[0][0]
        assert slots, group


# -- answer files --------------------------------------------------------------

def test_answer_file_keys():
    assert set(key_table("answers")) == {"answers"}
    with pytest.raises(SympropError, match="unknown key"):
        symprop.loads_answers('answer = 1\n[answers]\nloss = 1\n')


def test_answer_forms_parse():
    body = text("problem-files.md")
    table = body.split("Accepted values:", 1)[1].split("\n\n", 2)[1]
    forms = re.findall(r"`([^`]+)`", "\n".join(l.split("|")[1] for l in table.splitlines()[2:]))
    assert len(forms) >= 8
    for form in forms:
        symprop.loads_answers(f"[answers]\nloss = {form}\n")


# -- every TOML example in the docs --------------------------------------------

BLOCKS = [(page.name, i, block) for page in PAGES for i, block in enumerate(toml_blocks(page.name))]


def test_docs_have_examples():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("page,i,block", BLOCKS, ids=[f"{p}-{i}" for p, i, _ in BLOCKS])
def test_toml_example(page, i, block):
    data = tomllib.loads(block, parse_float=Decimal)
    if "answers" in data:
        problems = [b for b in toml_blocks(page)[:i] if "[answers]" not in b]
        assert problems, f"{page}: an [answers] block needs a problem block before it"
        report = symprop.check(symprop.loads(problems[-1]), symprop.loads_answers(block))
        assert report.results
        return
    problem = symprop.loads(block, source=f"{page} block {i}")
    solution = symprop.solve(problem)
    assert solution.answers()
    if "randomize" in data:
        assert len(symprop.variants(problem, 2, 1)) == 2


# -- CLI ------------------------------------------------------------------------

def _subparsers(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def test_cli_reference_names_every_command_and_option():
    body = text("cli.md")
    parser = cli._parser()
    every = body.split("## Options of every command", 1)[1].split("\n## ", 1)[0]
    known = set()
    for action in parser._actions:
        known.update(action.option_strings)
    for name, sub in _subparsers(parser).items():
        assert f"## `symprop {name}" in body, f"docs/cli.md has no section for {name}"
        section = body.split(f"## `symprop {name}", 1)[1].split("\n## ", 1)[0]
        for action in sub._actions:
            known.update(action.option_strings)
            for option in action.option_strings:
                if option in ("-h", "--help"):
                    continue
                assert f"`{option}" in section or f"`{option}" in every, f"docs/cli.md, {name}: {option} is not documented"
    named = set(re.findall(r"(?<![\w/\[-])(--?[a-z][a-z-]*)", body.replace("python -m", "")))
    assert named <= known | {"-"}, f"docs/cli.md names options symprop does not have: {named - known}"


# -- API -----------------------------------------------------------------------

def test_api_page_documents_every_public_name():
    body = text("api.md")
    for name in symprop.__all__:
        assert f"`{name}" in body or f"symprop.{name}" in body, f"docs/api.md: {name} is undocumented"


def test_api_page_shows_the_real_signatures():
    body = text("api.md")
    for name in symprop.__all__:
        obj = getattr(symprop, name)
        if inspect.isfunction(obj):
            shown = f"symprop.{name}{inspect.signature(obj)}"
            assert shown in body, f"docs/api.md: expected the signature {shown}"
    for cls, methods in [(symprop.Solution, ["answers", "items", "to_json", "to_latex", "to_pdf",
                                             "quantity", "loss_change"]),
                         (symprop.Derivation, ["expand", "size"]),
                         (symprop.Report, ["summary", "to_json"])]:
        for m in methods:
            shown = f".{m}{inspect.signature(getattr(cls, m))}".replace("(self, ", "(").replace("(self)", "()")
            assert shown in body, f"docs/api.md: expected {cls.__name__}{shown}"
    shown = f"Problem.with_values{inspect.signature(symprop.Problem.with_values)}".replace("(self, ", "(")
    assert shown in body
    assert "Problem.from_dict(data, *, source=None)" in body


def test_api_page_python_blocks_run(tmp_path, monkeypatch):
    """The ```python blocks of api.md and tutorial.md run, top to bottom, in a folder
    holding the examples and the tutorial's files."""
    _tutorial_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    for page in ("api.md", "tutorial.md"):
        scope = {}
        for block in re.findall(r"```python\n(.*?)```", text(page), re.S):
            exec(compile(block, page, "exec"), scope)


# -- the tutorial --------------------------------------------------------------

def _tutorial_files(folder):
    """Write every ```toml block of the tutorial that starts with `# file: NAME`."""
    import shutil

    shutil.copytree(DOCS.parent / "examples", folder / "examples", dirs_exist_ok=True)
    for block in toml_blocks("tutorial.md"):
        m = re.match(r"# file: (\S+)\n", block)
        if m:
            (folder / m[1]).write_text(block, encoding="utf-8")


def _commands(page):
    """(argv, expected exit code) of every `symprop ...` line in ```sh blocks; a trailing
    `# exit N` gives the code (default 0)."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text(page), re.S):
        for line in block.splitlines():
            line = line.strip()
            if not line.startswith("symprop "):
                continue
            m = re.search(r"#\s*exit (\d+)", line)
            out.append((shlex.split(line.split("#", 1)[0])[1:], int(m[1]) if m else 0))
    return out


def test_tutorial_commands_run(tmp_path, monkeypatch, capsys):
    import shutil

    _tutorial_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    commands = _commands("tutorial.md")
    assert len(commands) >= 5
    for argv, code in commands:
        if shutil.which("pdflatex") is None and ({"--pdf", "exam"} & set(argv)):
            continue                              # PDFs need TeX (exit 3 without it)
        assert cli.main(argv) == code, f"symprop {' '.join(argv)}: {capsys.readouterr().err}"


# -- links between the pages ---------------------------------------------------

def _slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_pages_resolve():
    root = DOCS.parent
    for page in PAGES + [root / "README.md"]:
        for target, anchor in re.findall(r"\]\(([\w./-]*\.md|)(?:#([\w-]+))?\)", page.read_text(encoding="utf-8")):
            path = (page.parent / target) if target else page
            assert path.exists(), f"{page.name}: link to missing {target}"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
                assert anchor in {_slug(h) for h in headings}, f"{page.name}: no #{anchor} in {path.name}"


def test_generate_script_check_mode():
    import subprocess

    done = subprocess.run([sys.executable, str(DOCS / "generate.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
