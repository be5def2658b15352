"""Reading a class's answers: symprop's own CSV, or Moodle's quiz "Responses" export.

symprop's CSV: a column `id` (the roster's ids), optionally `name`, and one column per
asked quantity, named by its flat name as in answers.json (`loss`, `delta2[1]`,
`dL/dW1[1,2]`). Every asked quantity needs its column (a blank cell is a blank answer).

Moodle (Quiz → Results → Responses, "Download table data as CSV"): columns such as
"Surname", "First name", "ID number", "Email address", "State", …, "Grade/10.00",
"Response 1" (and "Right answer 1" when shown). A cloze question's response is
Moodle's summary of its parts, "part 1: 0.5; part 2: 0.25; …" (qtype_multianswer's
summarise_response): part k is the k-th asked quantity. The student is found by
"ID number" (the roster's id), else by "Email address" against the roster's `email`
column. The "Overall average" row Moodle adds at the end is skipped.

A cell that is not a number is not an error here: the grader marks it unreadable.
Structural problems (missing columns, unknown or repeated ids) are RosterErrors
naming the file and the row.
"""

import re

from ..errors import did_you_mean
from .roster import RosterError, csv_rows

__all__ = ["parse_responses"]

_RESPONSE = re.compile(r"^Response (\d+)$", re.IGNORECASE)
_PART = re.compile(r"(?:^|;\s*)part (\d+):\s*", re.IGNORECASE)


def parse_responses(text, source, names, roster, fields=None):
    """{student id: {flat name: text}} and the format ("symprop" or "moodle");
    `names`: the asked flat names in question order; `roster`: {id: Student};
    `fields`: every quantity with a decimal in worksheet order (a cloze question that
    has a field per quantity, as moodle.xml wrote before the [exam] selection reached
    it: a summary with that many parts is read by these)."""
    header, rows = csv_rows(text, source, "responses file")
    if any(_RESPONSE.match(h) for h in header):
        return _moodle(header, rows, source, names, roster, fields), "moodle"
    return _plain(header, rows, source, names, roster), "symprop"


def _claim(out, sid, i, rows_of, source, roster):
    if sid not in roster:
        hint = did_you_mean(sid, list(roster))
        raise RosterError(f"id '{sid[:40]}' is not in the class's roster.csv{hint}",
                          source=source, key=f"row {i}")
    if sid in out:
        raise RosterError(f"id '{sid[:40]}' is also in row {rows_of[sid]}", source=source,
                          key=f"row {i}")
    rows_of[sid] = i


def _plain(header, rows, source, names, roster):
    lower = [h.lower() for h in header]
    if "id" not in lower:
        raise RosterError("no 'id' column (or Moodle's 'Response 1'); the header has: "
                          f"{', '.join(header)[:200]}", source=source, key="row 1")
    known = set(names) | {"id", "name"}
    for h in header:
        if h.count("[") != h.count("]"):
            raise RosterError(f"column '{h[:60]}' is cut at a comma: quote a name with a comma "
                              '(write "dL/dW1[1,2]" in quotes, as spreadsheets do)', source=source,
                              key="row 1")
        if h not in known and h.lower() not in ("id", "name"):
            raise RosterError(f"column '{h[:60]}' is not an asked quantity{did_you_mean(h, names)}; "
                              f"asked: {', '.join(names[:12])}", source=source, key="row 1")
    missing = [n for n in names if n not in header]
    if missing:
        raise RosterError(f"no column for {', '.join(missing[:8])}{' …' if len(missing) > 8 else ''} "
                          "(a blank cell is a blank answer; the column must be there)",
                          source=source, key="row 1")
    if len(set(header)) != len(header):
        twice = next(h for h in header if header.count(h) > 1)
        raise RosterError(f"column '{twice}' appears twice", source=source, key="row 1")
    at = lower.index("id")
    out, rows_of = {}, {}
    for i, row in rows:
        sid = row[at].strip()
        if not sid:
            raise RosterError("empty id", source=source, key=f"row {i}")
        _claim(out, sid, i, rows_of, source, roster)
        out[sid] = {n: row[header.index(n)] for n in names}
    return out


def _moodle(header, rows, source, names, roster, fields=None):
    lower = [h.strip().lower() for h in header]
    responses = sorted((int(_RESPONSE.match(h)[1]), k) for k, h in enumerate(header)
                       if _RESPONSE.match(h))
    if "id number" in lower:
        at, by = lower.index("id number"), None
    elif "email address" in lower:
        at = lower.index("email address")
        by = {s.extra.get("email", s.extra.get("Email", "")).strip().lower(): s.id
              for s in roster.values()}
        by.pop("", None)
    else:
        raise RosterError("a Moodle responses file needs an 'ID number' or 'Email address' "
                          "column to find the students", source=source, key="row 1")
    out, rows_of = {}, {}
    for i, row in rows:
        key = row[at].strip()
        if not key and row[0].strip().lower().startswith("overall average"):
            continue
        if not key:
            raise RosterError(f"empty {header[at]}", source=source, key=f"row {i}")
        sid = by.get(key.lower(), key) if by is not None else key
        _claim(out, sid, i, rows_of, source, roster)
        if len(responses) == 1:
            out[sid] = _parts(row[responses[0][1]], names, fields)
        elif len(responses) == len(names):
            out[sid] = {n: row[k] for n, (_, k) in zip(names, responses)}
        else:
            raise RosterError(f"{len(responses)} 'Response' columns for {len(names)} asked "
                              "quantities: expected one (a cloze question) or one per quantity",
                              source=source, key="row 1")
    return out


def _parts(cell, names, fields=None):
    """{flat name: text} of a cloze summary "part 1: 0.5; part 2: 0.25"; '-' or an empty
    cell (not answered) gives blanks."""
    cell = cell.strip()
    found = {}
    marks = list(_PART.finditer(cell))
    if fields and len(fields) != len(names) and len(marks) == len(fields):
        return {n: v for n, v in _parts(cell, fields).items() if n in names} | \
            {n: "" for n in names if n not in fields}
    for m, nxt in zip(marks, marks[1:] + [None]):
        k = int(m[1])
        value = cell[m.end():nxt.start() if nxt else len(cell)].strip().rstrip(";").strip()
        if 1 <= k <= len(names):
            found[names[k - 1]] = value
    return {n: found.get(n, "") for n in names}
