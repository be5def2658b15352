"""README.txt of an exam folder: which file goes where in each LMS, and what students see."""

from ..output.files import MARK
from .lmstext import category_name, fields, line

__all__ = ["readme"]

_SECTIONS = {
    "moodle.xml": """\
Moodle (moodle.xml)
  Question bank > Import > format "Moodle XML" > upload moodle.xml. The questions land
  in the category  {category}  (under "symprop"; with --category-per-variant one
  subcategory per variant). Each variant is one Embedded answers (Cloze) question with
  a numerical field per asked quantity. In the quiz: Add > from question bank > a
  random question from that category, so each student gets one variant.
  Students see the network (a table of weights per layer and the matrices), then one
  box per quantity; after submitting, a wrong answer that is a known mistake's value
  shows the mistake ("Likely mistake: the activation derivative f'(z) was left out of
  delta") and earns the mistake credit ({credit}% here).
""",
    "questions.gift": """\
Moodle, GIFT (questions.gift)
  Question bank > Import > format "GIFT format" > upload questions.gift. One numerical
  question per asked quantity of each variant (named "<title> v<variant> q<question>"),
  with the same mistake feedback as the cloze questions. Use it when you want one
  quantity per quiz page; moodle.xml keeps a variant together.
""",
    "canvas-qti.zip": """\
Canvas (canvas-qti.zip)
  Course > Settings > Import Course Content > content type "QTI .zip file" > upload
  canvas-qti.zip (do not unzip it). It creates one quiz, "{category}", with a question
  group per variant ("Variant N", pick 1), numerical questions with the tolerance as an
  exact-answer margin. Canvas numerical questions give no per-answer feedback for wrong
  values, so the mistake values are not in this package; the answer PDF lists them.
  To give every student a different variant with every question of it, keep the
  groups and set "pick 1" only if the variant has a single question; otherwise
  assign variants with sections or use one quiz per variant.
""",
    "prairielearn.zip": """\
PrairieLearn (prairielearn.zip)
  Unzip into your course repository's questions/ folder: it holds one question folder
  (info.json, question.html, server.py, data.json). Add it to an assessment's zones by
  its folder name. generate() picks one of this exam's variants from the bundled data
  by the variant seed; grade() accepts each answer within its tolerance, names a
  mistake when the answer is a mistake's value, and gives error carried forward: an
  answer that is right from the student's own earlier answers (by each quantity's
  one-step definition) earns the carried credit. Nothing needs symprop on the server.
""",
}


def readme(problem, vs, seed, names, settings):
    """The text of README.txt for the files in `names`."""
    category = category_name(problem.title)
    questions = fields(vs[0], settings) if vs else []
    asked = ", ".join(f.asked.name for f in questions[:12]) + (", …" if len(questions) > 12 else "")
    credit = int(settings.mistake_credit * 100)
    out = [f"{line(problem.title, 200)}: an exam of {len(vs)} variants (seed {seed}), {MARK}.", "",
           f"Asked in every variant ({len(questions)} questions): {asked}", "",
           "Files:",
           "  questions.pdf / answers.pdf  the sheets to print: questions, and the worked "
           "solution with the exam key",
           "  answers.json                 every variant's problem file, every answer, and the "
           "key (points, tolerance, mistake values)", ""]
    for name, text in _SECTIONS.items():
        if name in names:
            out.append(text.format(category=category, credit=credit))
    return "\n".join(out)
