"""prairielearn.zip: one PrairieLearn question folder for the whole exam.

    <qid>/info.json       uuid (from the exam's title and seed), title, topic, type v3
    <qid>/question.html   the network (params.html) and a pl-number-input per question
    <qid>/server.py       plserver.py's source with the exam's data in it (base64 JSON)

The data are the precomputed variants: the problem as HTML, each question's answer,
absolute tolerance, points and mistake values with their feedback, and every
quantity's value and one-step definition (the checker's Definitions) as a small tree
server.py evaluates with the math module, which is how grade() gives error carried
forward from the student's own earlier answers. A definition with a function the tree
does not know is left out (that quantity gets no carried-forward credit).
"""

import base64
import io
import json
import uuid
import zipfile
from pathlib import Path

import sympy as sp

from ..checker.mistakes import Definitions
from ..model.numeric import decimal
from ..render.texnames import spelling, tex_name
from .lmstext import category_name, fields, problem_html

__all__ = ["prairielearn_zip", "tree", "server_source", "exam_data"]

_FUNCS = {sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.sin: "sin", sp.cos: "cos",
          sp.Abs: "abs", sp.Max: "max", sp.Min: "min"}
_REL = {sp.StrictGreaterThan: ">", sp.GreaterThan: ">=", sp.StrictLessThan: "<",
        sp.LessThan: "<=", sp.Equality: "=="}


def tree(e):
    """A SymPy expression as nested lists server.py evaluates; ValueError if it cannot."""
    if e is sp.true:
        return ["true"]
    if isinstance(e, sp.Symbol):
        return ["s", e.name]
    if e.is_Rational:
        return ["n", str(e.p) if e.q == 1 else f"{e.p}/{e.q}"]
    if e.is_Float or isinstance(e, sp.NumberSymbol):
        return ["n", repr(float(e))]
    if e.is_Add:
        return ["+"] + [tree(a) for a in e.args]
    if e.is_Mul:
        return ["*"] + [tree(a) for a in e.args]
    if e.is_Pow:
        return ["^", tree(e.base), tree(e.exp)]
    if isinstance(e, sp.Piecewise):
        return ["pw"] + [[tree(v), tree(c)] for v, c in e.args]
    if type(e) in _REL:
        return [_REL[type(e)], tree(e.lhs), tree(e.rhs)]
    if isinstance(e, (sp.And, sp.Or)):
        return ["and" if isinstance(e, sp.And) else "or"] + [tree(a) for a in e.args]
    if e.func in _FUNCS:
        return [_FUNCS[e.func]] + [tree(a) for a in e.args]
    raise ValueError(f"no tree for {type(e).__name__}")


def _definition(defs, name):
    try:
        d = defs.definition(name)
        return tree(d) if d is not None else None
    except (ValueError, TypeError, KeyError):
        return None


def _variant_data(v, settings):
    defs = Definitions(v.solution)
    with spelling(v.solution):
        questions = [{"key": f"q{f.number}", "name": f.asked.name,
                      "label": r"\(" + tex_name(f.asked.name) + r"\) =",
                      "answer": f.answer, "tol": f.tolerance, "points": repr(float(f.asked.points)),
                      "describe": f.asked.tolerance.describe(), "ecf": True,
                      "mistakes": [{"value": a.decimal, "feedback": a.feedback}
                                   for a in f.alternatives]}
                     for f in fields(v, settings)]
        html = problem_html(v.solution)
    everything = [[name, decimal(value, 17), _definition(defs, name)]
                  for _, _, name, value in v.solution.items() if decimal(value, 17) is not None]
    return {"number": v.number, "html": html, "questions": questions, "all": everything}


def exam_data(vs, settings):
    s = settings if settings is not None else vs[0].problem.exam
    return {"credit": {k: str(getattr(s.credit, k)) for k in ("carried",)},
            "mistake_credit": str(s.mistake_credit),
            "variants": [_variant_data(v, settings) for v in vs]}


def server_source(data):
    """plserver.py's source with `data` filled in."""
    source = (Path(__file__).parent / "plserver.py").read_text(encoding="utf-8")
    b64 = base64.b64encode(json.dumps(data, sort_keys=True).encode("utf-8")).decode("ascii")
    return source.replace('DATA_B64 = ""', f'DATA_B64 = "{b64}"', 1)


QUESTION_HTML = """\
<pl-question-panel>
  {{{params.html}}}
  <p>Variant {{params.variant}}. Give decimals; each answer is accepted within its tolerance.</p>
</pl-question-panel>
{{#params.questions}}
<pl-number-input answers-name="{{key}}" label="{{label}}" comparison="absolute" atol="{{atol}}"
  suffix="({{points}} points; {{describe}})"></pl-number-input>
{{/params.questions}}
"""


def prairielearn_zip(vs, category, settings, seed):
    """The question folder, zipped (entries with a fixed date: same exam, same bytes)."""
    name = category_name(category)
    qid = "symprop_" + uuid.uuid5(uuid.NAMESPACE_URL, f"symprop:{name}:{seed}").hex[:12]
    info = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"symprop:{name}:{seed}")),
            "title": name, "topic": "Backpropagation", "tags": ["symprop"], "type": "v3",
            "singleVariant": False}
    files = {"info.json": json.dumps(info, indent=2, ensure_ascii=False) + "\n",
             "question.html": QUESTION_HTML, "server.py": server_source(exam_data(vs, settings))}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for fname, text in files.items():
            zi = zipfile.ZipInfo(f"{qid}/{fname}", date_time=(2020, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, text.encode("utf-8"))
    return buf.getvalue()
