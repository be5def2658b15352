"""An exam's mistake alternatives computed in a second process while this one builds the
answer sheets: on a 2-core machine the alternatives (exam/alternatives.py) and the sheets
were the two halves of the Python work before the answer sheet's pdflatex could start.

Prefetch(variants, settings) forks a child (where fork exists, for MIN_VARIANTS variants
or more, and only from a process with one thread: a fork copies no other thread, and a
lock one of them held would never be released) that computes, variant by variant, what
lmstext.fields computes, `alternatives(v.solution, questions)` of the same questions, and
sends each through a pipe. `alternatives(v)` is fields' `computed`: it waits for that
variant's result and returns it; with no child, a child that stopped, or other questions,
None, and fields computes them itself. The values are the same either way: the same
computation on the same solution (the child is a copy of this process), pickled.
"""

import multiprocessing
import threading

from .alternatives import alternatives
from .lmstext import questions_of

__all__ = ["Prefetch", "MIN_VARIANTS"]

MIN_VARIANTS = 8


class Prefetch:
    def __init__(self, variants, settings):
        self.index = {id(v): i for i, v in enumerate(variants)}
        self.got, self.conn, self.proc = {}, None, None
        if (len(variants) < MIN_VARIANTS or threading.active_count() > 1
                or "fork" not in multiprocessing.get_all_start_methods()):
            return
        ctx = multiprocessing.get_context("fork")
        self.conn, there = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_child, args=(variants, settings, there), daemon=True)
        self.proc.start()
        there.close()

    def alternatives(self, variant):
        """fields' `computed` for this variant."""
        i = self.index.get(id(variant))

        def computed(questions):
            while i is not None and i not in self.got and self.conn is not None:
                try:
                    k, names, found = self.conn.recv()
                except (EOFError, OSError):        # the child stopped: compute here
                    self.close()
                    break
                self.got[k] = (names, found)
            hit = self.got.pop(i, None)
            return hit[1] if hit is not None and hit[0] == [q.name for q in questions] else None
        return computed

    def close(self):
        """Stop the child (done or not) and close the pipe."""
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.terminate()
            self.proc.join()
            self.proc = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _child(variants, settings, conn):
    try:
        for i, v in enumerate(variants):
            questions = questions_of(v, settings)
            conn.send((i, [q.name for q in questions], alternatives(v.solution, questions)))
    except Exception:                  # the parent computes what is missing (and raises)
        pass
    finally:
        conn.close()
