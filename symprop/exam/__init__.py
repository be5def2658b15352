"""Exam variants drawn from a problem's [randomize] table, their constraints, their
problem files, and the Moodle XML / GIFT exports. The top of the library.
"""
