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
  canvas-qti.zip (do not unzip it). It creates one quiz, "{category}", with a
  question group per variant ("Variant N", every question of that variant picked) of
  numerical questions whose tolerance is an answer range (answer +- tolerance), each
  worth its points. The quiz as imported holds every variant: keep one group per quiz
  (copy the quiz, delete the other groups; or assign the copies to sections), or move
  the groups to question banks. Canvas scores every matching numerical answer at 100 %,
  so the mistake values are not in this package (the answer PDF and answers.json list
  them).
""",
    "prairielearn.zip": """\
PrairieLearn (prairielearn.zip)
  Unzip into your course repository's questions/ folder: it holds one question folder
  (info.json, question.html, server.py; the variants are inside server.py). Add the
  folder's name to an assessment's zones. generate() picks one of this exam's variants
  by the variant seed; students see the network and one number box per question.
  grade() accepts each answer within its tolerance, names the mistake when the answer
  is a mistake's value ({credit}% credit), and gives error carried forward: an answer
  right from the student's own earlier answers (by each quantity's one-step
  definition) earns the carried credit. Nothing of symprop is needed on the server.
""",
}


def readme(problem, vs, seed, names, settings):
    """The text of README.txt for the files in `names`."""
    category = category_name(problem.title)
    questions = fields(vs[0], settings) if vs else []
    asked = ", ".join(f.asked.name for f in questions[:12]) + (", …" if len(questions) > 12 else "")
    credit = int(settings.mistake_credit * 100)
    out = [f"{line(problem.title, 200)}: an exam of {len(vs)} variants (seed {seed}). {MARK}.", "",
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
