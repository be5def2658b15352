"""server.py of the PrairieLearn question (prairielearn.py copies this file's source with
the exam's data filled into DATA_B64). Self-contained: the standard library only, so
nothing of symprop is needed on the PrairieLearn server.

generate(data): picks one of the exam's precomputed variants by data["variant_seed"]
and sets params (the network as HTML, the questions) and correct_answers.
grade(data): for each question, in order: right within its tolerance (full credit);
else right from the student's own earlier answers, by the quantity's one-step
definition evaluated on them (error carried forward: the `carried` credit); else a
mistake's value (the feedback names it; `mistake_credit`); else 0.
"""

import base64
import json
import math

DATA_B64 = ""


def _data():
    return json.loads(base64.b64decode(DATA_B64).decode("utf-8")) if DATA_B64 else {"variants": []}


def _variant(data, exam):
    seed = data.get("variant_seed", 0)
    try:
        k = int(seed)
    except (TypeError, ValueError):
        k = sum(ord(c) for c in str(seed))
    return exam["variants"][k % len(exam["variants"])]


def generate(data):
    exam = _data()
    v = _variant(data, exam)
    data["params"]["variant"] = v["number"]
    data["params"]["html"] = v["html"]
    data["params"]["questions"] = [
        {"key": q["key"], "label": q["label"], "atol": q["tol"], "points": q["points"],
         "describe": q["describe"]} for q in v["questions"]]
    for q in v["questions"]:
        data["correct_answers"][q["key"]] = float(q["answer"])


def _eval(node, env):
    """A one-step definition shipped as a tree: ["n", "p/q"], ["s", name], [op, args...]."""
    op, args = node[0], node[1:]
    if op == "n":
        p, _, q = args[0].partition("/")
        return float(p) / float(q) if q else float(p)
    if op == "s":
        return env[args[0]]
    if op == "pw":                      # Piecewise: (value, condition) pairs
        for value, cond in args:
            if _eval(cond, env):
                return _eval(value, env)
        raise ValueError("no branch")
    vals = [_eval(a, env) for a in args]
    if op == "+":
        return sum(vals)
    if op == "*":
        return math.prod(vals)
    if op == "^":
        return vals[0] ** vals[1]
    if op in _F:
        return _F[op](*vals)
    raise ValueError(op)


_F = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sin": math.sin, "cos": math.cos,
      "abs": abs, "max": max, "min": min, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
      "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, "==": lambda a, b: a == b,
      "true": lambda: True, "and": lambda *a: all(a), "or": lambda *a: any(a)}


def _own(v, given):
    """Every quantity as the student's answers imply it: theirs where given, else their
    definition evaluated on the values so far (the true value where it has none)."""
    env = {}
    for name, value, definition in v["all"]:
        if name in given:
            env[name] = given[name]
            continue
        env[name] = float(value)
        if definition is not None:
            try:
                env[name] = _eval(definition, env)
            except (ArithmeticError, ValueError, KeyError, OverflowError, TypeError):
                pass
    return env


def grade(data):
    exam = _data()
    v = _variant(data, exam)
    by_key = {q["key"]: q for q in v["questions"]}
    given = {}
    for key, q in by_key.items():
        try:
            given[q["name"]] = float(data["submitted_answers"].get(key))
        except (TypeError, ValueError):
            pass
    total = weights = 0.0
    for key, q in by_key.items():
        weight = float(q["points"])
        weights += weight
        x = given.get(q["name"])
        tol = float(q["tol"])
        score, feedback = 0.0, ""
        if x is None:
            feedback = "No number given."
        elif abs(x - float(q["answer"])) <= tol:
            score, feedback = 1.0, "Right."
        else:
            others = {n: val for n, val in given.items() if n != q["name"]}
            own = _own(v, others).get(q["name"]) if q["ecf"] else None
            if own is not None and abs(x - own) <= max(tol, 1e-9 * abs(own)) and \
                    abs(own - float(q["answer"])) > tol:
                score = float(exam["credit"]["carried"])
                feedback = ("Right from your own earlier answers (error carried forward); the "
                            "earlier mistake is marked there.")
            else:
                for m in q["mistakes"]:
                    if abs(x - float(m["value"])) <= tol:
                        score, feedback = float(exam["mistake_credit"]), m["feedback"]
                        break
                else:
                    feedback = "Not right."
        data["partial_scores"][key] = {"score": score, "weight": weight, "feedback": feedback}
        total += score * weight
    data["score"] = total / weights if weights else 0.0
