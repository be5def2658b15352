"""Exam exports read back by real readers, whatever the title holds.

moodle.xml is parsed by xml.etree and its category path split the way Moodle's
question/format.php splits it; the TOML inside answers.json by tomllib and
symprop.loads; questions.gift by the gift-pegjs parser (npm, run by node) and by
a transcription of Moodle's GIFT importer (question/format/gift/format.php:
escapedchar_pre/post, the $CATEGORY line, the ::name:: and the {#answer:tolerance}).
The numbers read back are compared with the exact answers."""

import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import tomli_w

import symprop
from helpers import EXAMPLES, ROOT
from symprop.exam.exports import answers_json, gift, moodle_xml, tolerance
from symprop.exam.selection import asked
from symprop.exam.variants import draw, problem_toml

HOSTILE = [
    "ESC \x1b[31mred\x1b[0m and C0 \x00\x01\x02\x03\x04\x05\x06\x07\x08 end",
    "first line\nsecond line\r\nthird\x0bfourth\x0c",
    "<script>alert('x')</script> & <b>bold</b> ]]> -->",
    "a/b",
    "/leading and trailing/",
    "a//b///c",
    "x: y",
    "{#1} and {1:NUMERICAL:=5:1} and {=a ~b}",
    "~= tilde equals # hash",
    "back\\slash \\: \\n \\\\ \\{ end\\",
    "&&058; &&092; &&010 Tom && Jerry &amp;",
    "tab\tdel\x7f nel\x85 ls\u2028 ps\u2029 ok",
    "résumé ∂L/∂w 😀 " + "long title " * 180,               # 2000 characters, the loader's limit
]
LONG = "very long " * 300                                    # 3000 characters (category only)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(title):
    """What a title should read as in an export: control characters as spaces, runs of
    whitespace as one space, trimmed."""
    return " ".join(CONTROL.sub(" ", title).split())


def same_name(got, title, limit=120):
    """A name read back equals the title on one line, or (when cut) starts with it."""
    want = one_line(title)
    got = got.replace("\u200b", "")                 # zero-width breaks in '&&058;'-like runs
    if len(want) <= limit:
        return got == want
    return got.endswith("…") and len(got) <= limit and want.startswith(got[:-1])


def with_title(name, title, extra=""):
    text = (EXAMPLES / name).read_text()
    text = re.sub(r'^title = ".*"$', lambda _: tomli_w.dumps({"title": title}).strip(), text,
                  count=1, flags=re.MULTILINE)
    return symprop.loads(text + extra)


SIGMOID_RANDOMIZE = '\n[randomize.values]\nx = {choices = ["0.1", "0.5", "1/3"]}\n'


def sigmoid_text():
    """two_layer_sigmoid with x drawn, gradients only (closed forms after an update step
    nest the whole net, and drawing distinct variants of them is slow)."""
    return (EXAMPLES / "two_layer_sigmoid.toml").read_text().replace("steps = 1", "steps = 0")


def sigmoid_problem(title="Two-layer sigmoid network"):
    text = re.sub(r'^title = ".*"$', lambda _: tomli_w.dumps({"title": title}).strip(),
                  sigmoid_text(), count=1, flags=re.MULTILINE)
    return symprop.loads(text + SIGMOID_RANDOMIZE)


def quantities(v):
    """What the exam asks (the default [exam] selection, tests/test_exam_settings.py)."""
    return [(a.name, a.value) for a in asked(v.solution)]


def reference(exact):
    """The exact value as a Fraction: itself for a rational, else 40 certified digits
    (symprop.model.numeric.decimal, checked against evalf in test_numeric; evalf itself is
    exponential on the nested closed forms after an update step)."""
    if exact.is_Rational:
        return Fraction(int(exact.p), int(exact.q))
    return Fraction(Decimal(symprop.model.numeric.decimal(exact, 40)))


def close_to(text, exact):
    """A 15-significant-digit decimal (in fixed-point) against the exact value."""
    assert re.fullmatch(r"-?\d+(\.\d+)?", text), text          # fixed point, never 5e-05
    got, want = Fraction(Decimal(text)), reference(exact)
    if want == 0:
        return got == 0
    exponent = Decimal(want.numerator) / Decimal(want.denominator)
    return abs(got - want) <= Fraction(6) * Fraction(10) ** (abs(exponent).adjusted() - 15)


def expected_tolerance(exact, digits=4):
    """Half a unit in the `digits`-th significant digit, from the exact value (for 0: in
    the `digits`-th decimal)."""
    want = reference(exact)
    if want == 0:
        return Fraction(5) * Fraction(10) ** (-digits - 1)
    exponent = abs(Decimal(want.numerator) / Decimal(want.denominator)).adjusted()
    return Fraction(5) * Fraction(10) ** (exponent - digits)


def within(text, exact, tol):
    """A decimal string within `tol` (a Fraction) of the exact value."""
    return abs(Fraction(Decimal(text)) - reference(exact)) <= tol


def moodle_split(path):
    """question/format.php split_category_path (without its PARAM_TEXT cleaning)."""
    return [part.replace("//", "/").strip(" \t\n\r\0\x0b")
            for part in re.split(r"(?<!/)/(?!/)", path)]


# --- Moodle's GIFT importer, transcribed ------------------------------------------

_ESCAPES = ["\\:", "\\#", "\\=", "\\{", "\\}", "\\~", "\\n"]
_HOLDERS = ["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"]


def moodle_pre(text):
    text = text.replace("\\\\", "&&092;")
    for escape, holder in zip(_ESCAPES, _HOLDERS):
        text = text.replace(escape, holder)
    return text.replace("&&092;", "\\")


def moodle_post(text):
    for holder, char in zip(_HOLDERS, ":#={}~\n"):
        text = text.replace(holder, char)
    return text


def moodle_gift(text):
    """The questions Moodle's GIFT importer reads: readquestions + readquestion for the
    category switch and numerical questions with a name, [html] text and answer:tolerance."""
    blocks, current = [], []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    out = []
    for lines in blocks:
        lines = [" " if l.startswith("//") else l for l in lines]
        t = moodle_pre("\n".join(lines).strip())
        if t.startswith("$CATEGORY:"):
            out.append({"category": t[10:].strip()})
            continue
        assert t.startswith("::")
        t = t[2:]
        end = t.index("::")
        name, t = moodle_post(t[:end]), t[end + 2:].strip()
        start, finish = t.index("{"), t.index("}")
        assert t.endswith("}") and finish == len(t) - 1, "the answer must close the question"
        answer, stem = t[start + 1:finish].strip(), t[:start]
        assert stem.startswith("[html]") and answer.startswith("#")
        answers = []
        for part in answer[1:].split("="):          # format.php: explode("=", ...)
            part = part.strip()
            if not part:
                continue
            weight = 100
            m = re.match(r"%(-?[0-9.]+)%", part)      # answerweightparser
            if m:
                weight, part = float(m[1]), part[m.end():]
            feedback = ""
            if "#" in part:                            # commentparser
                part, feedback = part.split("#", 1)
            number, tol = part.split(":")
            answers.append({"answer": number.strip(), "tolerance": tol.strip(), "weight": weight,
                            "feedback": moodle_post(feedback).strip()})
        out.append({"name": name, "text": moodle_post(stem[len("[html]"):]).strip(),
                    "answer": answers[0]["answer"], "tolerance": answers[0]["tolerance"],
                    "answers": answers})
    return out


class _Strong(html.parser.HTMLParser):
    """The text inside the first <strong> of an HTML fragment (entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.text, self.done = 0, "", False

    def handle_starttag(self, tag, attrs):
        if tag == "strong" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "strong" and self.depth:
            self.depth, self.done = 0, True

    def handle_data(self, data):
        if self.depth:
            self.text += data


def strong_text(fragment):
    parser = _Strong()
    parser.feed(fragment)
    parser.close()
    return parser.text


@pytest.fixture(scope="module", params=range(len(HOSTILE)), ids=lambda i: f"title{i}")
def hostile(request):
    title = HOSTILE[request.param]
    problem = with_title("two_layer_relu.toml", title)
    assert problem.title == title
    return title, draw(problem, 3, 7)


# --- moodle.xml -------------------------------------------------------------------

NUMBER = r"-?(?:(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?)"      # Moodle's NUMBER_REGEX
# question/type/multianswer/questiontype.php, transcribed (PHP's variable-width lookbehind
# (?<!\\\\|&|&amp;) as three fixed-width ones)
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_START = r"\{([0-9]*):(NUMERICAL|NM):"
CLOZE = re.compile(_START + f"({_ALTERNATIVE}(?:~{_ALTERNATIVE})*)" + r"\}", re.S)


def cloze_fields(text):
    """Moodle's multianswer parser on a question text: [(weight, [(fraction, answer,
    tolerance, feedback)])] for each NUMERICAL subquestion."""
    out = []
    for m in CLOZE.finditer(text):
        rest, alternatives = m[3], []
        while rest:
            a = re.match(_ALTERNATIVE, rest, re.S)
            fraction = 1 if a[1] == "=" else (float(a[2]) / 100 if a[2] is not None else 0)
            n = re.fullmatch("(" + NUMBER + ")(?::(" + NUMBER + "))?", a[3])
            assert n, a[3]
            alternatives.append((fraction, n[1], n[2], html.unescape(a[5] or "")))
            rest = rest[a.end():]
            assert rest == "" or rest.startswith("~"), rest
            rest = rest[1:]
        out.append((int(m[1] or 1), alternatives))
    return out


def check_moodle(data, vs, title, category, digits=3):
    root = ET.fromstring(data.encode("utf-8"))
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    path = moodle_split(questions[0].find("category/text").text)
    assert path[:3] == ["$course$", "top", "symprop"] and len(path) == 4, path
    assert same_name(path[3], category)
    assert len(questions) == len(vs) + 1
    for v, q in zip(vs, questions[1:]):
        assert q.get("type") == "cloze"
        name = q.find("name/text").text
        assert name.endswith(f": variant {v.number}") and same_name(name.rsplit(": variant", 1)[0], category)
        text = q.find("questiontext/text").text
        assert strong_text(text) == one_line(title)
        # every cloze subquestion Moodle's ANSWER_START_REGEX would find, and only ours
        starts = re.findall(r"\{([0-9]*):([A-Z_]+):", text)
        fields = cloze_fields(text)
        items = quantities(v)
        assert len(starts) == len(fields) == len(items) > 0
        for (quantity, exact), (weight, alternatives) in zip(items, fields):
            (fraction, value, tol, _), *wrong = alternatives
            tol_wanted = expected_tolerance(exact, digits)
            assert fraction == 1 and weight == 1
            assert close_to(value, exact), quantity
            assert re.fullmatch(r"\d+(\.\d+)?", tol) and Fraction(Decimal(tol)) == tol_wanted
            for fraction, value, t, feedback in wrong:        # mistakes: never a right value
                assert fraction == 0 and t == tol and feedback.startswith("Likely mistake: ")
                assert not within(value, exact, tol_wanted), (quantity, value)
            values = [Fraction(Decimal(w[1])) for w in wrong]
            assert all(abs(a - b) > tol_wanted for i, a in enumerate(values) for b in values[i + 1:])


def test_moodle_xml_reads_back_with_hostile_titles(hostile):
    title, vs = hostile
    check_moodle(moodle_xml(vs, title), vs, title, title)


def test_moodle_xml_with_a_3000_character_category_and_closed_forms():
    vs = draw(sigmoid_problem(), 3, 2)
    check_moodle(moodle_xml(vs, LONG), vs, "Two-layer sigmoid network", LONG)
    assert any(not exact.is_Rational for v in vs for _, exact in quantities(v))


def test_a_slash_in_the_title_is_one_category():
    vs = draw(with_title("two_layer_relu.toml", "a/b"), 1, 1)
    text = ET.fromstring(moodle_xml(vs, "a/b")).find("question/category/text").text
    assert moodle_split(text) == ["$course$", "top", "symprop", "a/b"]
    assert moodle_split(ET.fromstring(moodle_xml(vs, "/x/")).find("question/category/text").text)[3] == "/x/"


# --- answers.json ------------------------------------------------------------------

def norm(value):
    """A raw problem value with every decimal (TOML float or exact decimal string) as a
    Fraction: the writer may turn a Decimal no float holds into its exact string."""
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, Decimal) or (isinstance(value, str) and
                                      re.fullmatch(r"-?\d+\.\d+(?:[eE][-+]?\d+)?", value)):
        return Fraction(Decimal(value))
    return value


def check_answers_json(vs, seed):
    data = json.loads(json.dumps(answers_json(vs, seed), ensure_ascii=False))
    for v, entry in zip(vs, data["variants"]):
        want = {k: x for k, x in v.problem.raw.items() if k != "randomize"}
        assert norm(tomllib.loads(entry["problem"], parse_float=Decimal)) == norm(want)
        again = symprop.loads(entry["problem"])
        assert again.title == v.problem.title and again.notes == v.problem.notes
        assert again.learning_rate == v.problem.learning_rate
        assert symprop.solve(again).answers() == v.solution.answers()
        for name, exact in v.solution.answers().items():
            back = sp.sympify(entry["answers"][name]["exact"])
            if exact.is_Rational:
                assert back == exact, name
            else:                        # the same closed form, maybe regrouped by sympify
                assert symprop.model.numeric.decimal(back, 30) == symprop.model.numeric.decimal(exact, 30), name


def test_answers_json_problems_read_back_exactly(hostile):
    title, vs = hostile
    check_answers_json(vs, 7)


def test_answers_json_keeps_long_decimals_fractions_and_closed_forms_exact():
    """A 25-digit decimal (no float holds it), a float that does (1e-7), a fraction string
    and notes full of escapes all read back to the same values."""
    text = sigmoid_text()
    text = text.replace("learning_rate = 0.1", "learning_rate = 0.1234567890123456789012345")
    text = text.replace("y = [0.9, 0.1]", 'y = [1e-7, "2/3"]')
    text = text.replace('title = "Two-layer sigmoid network"',
                        'title = "Two-layer sigmoid network"\n'
                        'notes = "\\u001b[2J \\\\ \\" \\n\\t ~ # {} \\u0000"')
    problem = symprop.loads(text + SIGMOID_RANDOMIZE)
    assert problem.learning_rate == sp.Rational("0.1234567890123456789012345")
    assert problem.notes == '\x1b[2J \\ " \n\t ~ # {} \x00'
    vs = draw(problem, 3, 4)
    for v in vs:
        back = tomllib.loads(problem_toml(v.problem), parse_float=Decimal)
        assert back["learning_rate"] in (Decimal("0.1234567890123456789012345"),
                                         "0.1234567890123456789012345")
        assert back["data"]["y"][0] == Decimal("1e-7")
    check_answers_json(vs, 4)


def test_problem_toml_of_a_python_built_problem():
    raw = {"title": "built in Python", "loss": "half_sse", "learning_rate": Fraction(1, 3),
           "data": {"x": [Fraction(1, 2), 2], "y": Fraction(3, 4)},
           "layers": [{"weights": [[sp.Rational(1, 3), Fraction(-1, 8)]], "activation": "identity"}]}
    problem = symprop.Problem.from_dict(raw)
    again = symprop.loads(problem_toml(problem))
    assert again.learning_rate == sp.Rational(1, 3)
    assert again.network.layers[0].weights == ((sp.Rational(1, 3), sp.Rational(-1, 8)),)
    assert symprop.solve(again).answers() == symprop.solve(problem).answers()


# --- GIFT ---------------------------------------------------------------------------

GIFT_PEGJS = "gift-pegjs@1.0.2"
PARSE_JS = """
const {parse} = require(process.argv[2]);
const text = require('fs').readFileSync(process.argv[3], 'utf8');
process.stdout.write(JSON.stringify(parse(text)));
"""


@pytest.fixture(scope="module")
def gift_parser():
    """node and the gift-pegjs module, installed with npm into a cache folder (.venv/node,
    or SYMPROP_NODE_CACHE) the first time; skipped with the reason where that fails."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed: the GIFT reader test runs gift-pegjs on it")
    default = ROOT / ".venv" / "node" if (ROOT / ".venv").is_dir() else \
        Path(tempfile.gettempdir()) / "symprop-node"
    cache = Path(os.environ.get("SYMPROP_NODE_CACHE", default))
    module = cache / "node_modules" / "gift-pegjs"
    version = GIFT_PEGJS.split("@")[1]

    def installed():
        try:
            return json.loads((module / "package.json").read_text())["version"] == version
        except (OSError, ValueError, KeyError):
            return False

    if not installed():
        if npm is None:
            pytest.skip("npm is not installed: it installs the GIFT reader gift-pegjs")
        try:
            result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache),
                                     GIFT_PEGJS], capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm install {GIFT_PEGJS} did not finish in 300 s (registry unreachable?)")
        if result.returncode != 0 or not installed():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"npm could not install {GIFT_PEGJS}: {last}")
    script = cache / "parse-gift.js"
    script.write_text(PARSE_JS)
    return node, script, module


def parse_gift(gift_parser, text, tmp_path):
    node, script, module = gift_parser
    path = tmp_path / "questions.gift"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([node, str(script), str(module), str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def check_gift(gift_parser, tmp_path, vs, title, category, digits=3):
    text = "// Generated by symprop\n" + gift(vs, category)
    items = [(v, q, exact) for v in vs for q, (_, exact) in enumerate(quantities(v), start=1)]
    lines = [l for l in text.split("\n") if l.strip()]
    assert len(lines) == 2 + len(items)                          # every question on one line
    parsed = parse_gift(gift_parser, text, tmp_path)             # gift-pegjs
    moodle = moodle_gift(text)                                   # Moodle's importer
    assert parsed[0]["type"] == "Category" and "category" in moodle[0]
    # gift-pegjs hands the $CATEGORY line over raw; Moodle then applies escapedchar_pre
    for category_text in (moodle_pre(parsed[0]["title"].strip()), moodle[0]["category"]):
        path = moodle_split(category_text)
        assert path[:3] == ["$course$", "top", "symprop"] and len(path) == 4, path
        assert same_name(path[3], category)
    assert len(parsed) == len(moodle) == 1 + len(items)
    mistakes = 0
    for (v, number, exact), p, m in zip(items, parsed[1:], moodle[1:]):
        suffix = f" v{v.number} q{number}"
        for name in (p["title"], m["name"]):
            assert name.endswith(suffix) and same_name(name[:-len(suffix)], category), name
        assert p["type"] == "Numerical" and p["stem"]["format"] == "html"
        for stem in (p["stem"]["text"], m["text"]):
            assert strong_text(stem) == one_line(title)
        tol_wanted = expected_tolerance(exact, digits)
        choices = p["choices"] if isinstance(p["choices"], list) else [{"text": p["choices"],
                                                                        "weight": None}]
        assert len(choices) == len(m["answers"])
        right, *wrong = choices
        assert right["text"]["type"] == "range" and right["weight"] is None
        assert close_to(m["answer"], exact)
        assert abs(Fraction(right["text"]["number"]) - Fraction(Decimal(m["answer"]))) <= \
            abs(Fraction(right["text"]["number"])) * Fraction(1, 10 ** 15)
        for tol in (Fraction(Decimal(m["tolerance"])), Fraction(right["text"]["range"])):
            assert abs(tol - tol_wanted) <= tol_wanted * Fraction(1, 10 ** 12)
        assert re.fullmatch(r"\d+(\.\d+)?", m["tolerance"])
        for c, a in zip(wrong, m["answers"][1:]):               # mistakes, 0 %, named
            assert c["weight"] == 0 and a["weight"] == 0
            assert c["feedback"]["text"].startswith("Likely mistake: ") and \
                a["feedback"].startswith("Likely mistake: ")
            assert not within(a["answer"], exact, tol_wanted)
            assert abs(Fraction(c["text"]["number"]) - Fraction(Decimal(a["answer"]))) <= \
                abs(Fraction(Decimal(a["answer"]))) * Fraction(1, 10 ** 14)
            mistakes += 1
    assert mistakes >= len(vs)


def test_gift_reads_back_with_hostile_titles(gift_parser, tmp_path, hostile):
    title, vs = hostile
    check_gift(gift_parser, tmp_path, vs, title, title)


def test_gift_with_a_3000_character_category_and_closed_forms(gift_parser, tmp_path):
    vs = draw(sigmoid_problem("σ net: {#1} a/b"), 2, 3)
    check_gift(gift_parser, tmp_path, vs, "σ net: {#1} a/b", LONG)


def test_a_colon_in_the_gift_category_stays_a_colon():
    """Moodle does not unescape the $CATEGORY line: '\\:' there would read as '&&058;'."""
    vs = draw(with_title("two_layer_relu.toml", "x: y"), 1, 1)
    category = moodle_gift(gift(vs, "x: y"))[0]["category"]
    assert moodle_split(category)[3] == "x: y"


# --- tolerances ------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2/5", "0.00005"), ("-2/5", "0.00005"), ("113/10000000000", "0.000000000005"),
    ("12345678", "5000"), ("0", "0.00005"), ("1", "0.0005"), ("999/1000", "0.00005"),
    ("1000", "0.5"), ("1/1000", "0.0000005"), ("100000000000000000000", "50000000000000000"),
])
def test_tolerance_is_half_a_unit_in_the_fourth_digit_in_fixed_point(value, expected):
    assert tolerance(sp.Rational(value)) == expected
