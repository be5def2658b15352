"""The epilog of every `--help`: examples, then the exit codes (the real ones of cli.main)."""

EXIT_CODES = """\
exit codes:
  0    done (check: every answer right; solve --verify: every gradient agrees)
  1    check: an answer is wrong or missing; solve --verify: a gradient disagrees
  2    bad input: a problem or answer file, an option, a limit of the budget, an output
       file symprop will not replace (one line on stderr names the file and the key)
  3    --pdf without pdflatex: the .tex is written instead (not with -o -)
  130  interrupted (Ctrl-C)"""

_EXAMPLES = {
    "symprop": """\
examples:
  symprop examples                              list the bundled examples
  symprop examples two_layer_sigmoid            write two_layer_sigmoid.toml here
  symprop new demo --kind layered               a commented starter problem, demo.toml
  symprop solve demo.toml                       the worked solution in the terminal
  symprop solve demo.toml --pdf                 the answer sheet, output/demo.pdf
  symprop COMMAND --help                        each command's options and examples""",
    "solve": """\
examples:
  symprop solve demo.toml                       the worked solution in the terminal
  symprop solve demo.toml --verify              and check every gradient with sympy.diff
  symprop solve demo.toml --format json -o demo.json   every quantity, exact and decimal
  symprop solve demo.toml --pdf                 the answer sheet, output/demo.pdf
  symprop solve demo.toml --pdf --questions     the question sheet, output/demo-questions.pdf
  symprop solve demo.toml --tex -o -            the sheet's LaTeX on standard output
  cat demo.toml | symprop solve - --pdf -o - > demo.pdf   standard input and output""",
    "check": """\
examples:
  symprop check demo.toml answers.toml          mark the [answers] table
  symprop check demo.toml answers.toml --pdf    and write output/answers-feedback.pdf
  symprop check demo.toml - < answers.toml      the answers from standard input
  (with --pdf -o -, the PDF goes to standard output and the report to standard error)""",
    "exam": """\
examples:
  symprop examples two_layer_relu               a problem with a [randomize] table
  symprop exam two_layer_relu.toml --variants 30 --seed 2026 --out exam/
  symprop exam two_layer_relu.toml --split --gift -q
  symprop exam two_layer_relu.toml --roster students.csv --out class/   a sheet per student""",
    "grade": """\
examples:
  symprop grade class/ responses.csv            grades.csv, feedback PDFs, class-report.pdf
  symprop grade class/ moodle-responses.csv --out class/marks --no-pdf""",
    "new": """\
examples:
  symprop new demo                              demo.toml: a 2-2-1 ReLU network, ½ SSE
  symprop new demo --kind graph --activation tanh --loss l1
  symprop new xor --kind training-set --activation sigmoid --loss bce
  symprop new circ --kind circuit -o problems/circuit.toml
  symprop new demo --kind layered -o -          the starter on standard output""",
    "examples": """\
examples:
  symprop examples                              the bundled examples and their titles
  symprop examples skip_connection              write skip_connection.toml here
  symprop examples skip_connection --answers    its hand solution, skip_connection-answers.toml
  symprop examples circuit -o -                 on standard output""",
    "web": """\
examples:
  symprop web                                   the self-check page, output/web/
  symprop web --out site/ --serve               write it, then serve it on localhost:8000
  symprop web --out /var/www/course/check --force   into a course's web space
  (serve the folder over HTTP: browsers do not run Pyodide from a file:// page)""",
}


def epilog(command):
    return _EXAMPLES[command] + "\n\n" + EXIT_CODES
