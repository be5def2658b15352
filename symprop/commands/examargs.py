"""`symprop exam`'s options for what is asked and the LMS exports (issue 15), kept
beside cli.py so that the parser stays short."""

__all__ = ["add_exam_options"]


def add_exam_options(exam):
    """--ask, --moodle, --category-per-variant, --qti and --prairielearn."""
    exam.add_argument("--ask", action="append", metavar="PATTERN",
                      help="ask this quantity or pattern (repeatable; e.g. \"dL/dW2[*]\"); "
                           "replaces the [exam] table's ask list")
    exam.add_argument("--moodle", action="store_true",
                      help="write moodle.xml (always written; accepted for clarity)")
    exam.add_argument("--category-per-variant", action="store_true",
                      help="in moodle.xml, one subcategory per variant")
    exam.add_argument("--qti", action="store_true", help="also write canvas-qti.zip (Canvas, QTI 1.2)")
    exam.add_argument("--prairielearn", action="store_true",
                      help="also write prairielearn.zip (a PrairieLearn question folder)")
