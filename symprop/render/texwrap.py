"""Long lines of generated LaTeX broken where a line end reads as the space it replaces
(TeX's input buffer holds 200,000 characters; a sheet's lines stay under MAX_TEX_LINE)."""

__all__ = ["MAX_TEX_LINE", "wrap_lines"]

MAX_TEX_LINE = 1000     # characters per line of generated LaTeX (TeX's input buffer holds 200,000)


def _breaks(line):
    """Where `line` may be broken without changing what TeX reads: (index, kind) pairs,
    kind 'row' (a space after an align row's \\\\), 'space' (the space becomes the line
    end) or 'comment' ('%' and a line end put between two characters). None after an
    unescaped % (a comment: the rest of the line must stay on it)."""
    out, slashes, name = [], 0, False      # name: inside a control word (\\cdot)
    for i, ch in enumerate(line):
        if ch == "%" and slashes % 2 == 0:
            break
        if i and slashes % 2 == 0:
            if ch == " ":
                kind = "row" if line.endswith(("\\\\", "\\\\[2pt]"), 0, i) else "space"
                out.append((i, kind))
            elif line[i - 1] != " " and not (name and ch.isalpha()):
                out.append((i, "comment"))
        name = ch.isalpha() and (name or slashes % 2 == 1)
        slashes = slashes + 1 if ch == "\\" else 0
    return out


def _split(line, limit):
    pieces = []
    while len(line) > limit:
        cuts = [(i, k) for i, k in _breaks(line[:limit + 1])
                if 0 < i <= limit - (k == "comment") and line[i + 1:].strip()]     # '%' is one more
        if not cuts:
            break               # nothing breakable (a comment): TeX's buffer still holds it
        for kind in ("row", "space", "comment"):
            best = [i for i, k in cuts if k == kind]
            if best and (kind == "comment" or best[-1] > limit // 2):
                i = best[-1]
                break
        else:
            i, kind = max(cuts)
        if kind == "comment":
            pieces.append(line[:i] + "%")
            line = line[i:]
        else:
            pieces.append(line[:i])
            line = line[i + 1:]
    return pieces + [line]


def wrap_lines(tex, limit=MAX_TEX_LINE):
    """The same LaTeX with no line longer than `limit` characters: long lines are broken
    where a line end reads as the space it replaces (preferably between align rows), or
    with a '%' where there is no space."""
    out = []
    for line in tex.split("\n"):
        out.extend(_split(line, limit) if len(line) > limit else [line])
    return "\n".join(out)
