"""The package's import layering, as ARCHITECTURE.md draws it, checked over `ast`:
a module imports only from its own layer or lower ones (lazy imports inside
functions count too), so an import cycle or an upward import fails CI."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "symprop"

# Lowest first. A part is a subpackage (or a top-level module); parts on one row may
# not import each other.
LAYERS = [
    ["errors"],
    ["budget"],
    ["output"],
    ["model"],
    ["core"],
    ["fast"],
    ["render"],
    ["checker"],
    ["exam"],
    ["__init__"],
    ["web"],
    ["commands"],
    ["cli"],
    ["__main__"],
]
# Inside a layer, edges that are also forbidden: the renderers, the checker and the
# exam code read the Solution, not the engine or the tape being built.
FORBIDDEN = {
    ("render", "core.engine"), ("render", "core.tape"), ("render", "core.arith"),
    ("render", "core.verify"), ("render", "core.derive"), ("render", "fast"),
    ("checker", "core.engine"), ("checker", "core.tape"),
}
RANK = {part: i for i, row in enumerate(LAYERS) for part in row}


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        yield ".".join(rel.parts), path


def imports(dotted, path):
    """The symprop modules `dotted` imports, as dotted names relative to symprop."""
    tree = ast.parse(path.read_text())
    package = dotted.split(".")[:-1] if not path.name == "__init__.py" else dotted.split(".")[:-1]
    if path.name == "__init__.py":
        package = dotted.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                here = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                base = here + (node.module.split(".") if node.module else [])
                if node.module:
                    yield ".".join(base), node.lineno
                else:
                    for alias in node.names:
                        yield ".".join(base + [alias.name]), node.lineno
            elif node.module and node.module.split(".")[0] == "symprop":
                yield ".".join(node.module.split(".")[1:]), node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "symprop":
                    yield ".".join(alias.name.split(".")[1:]), node.lineno


def part(dotted):
    head = dotted.split(".")[0] if dotted else "__init__"
    return head


def violations():
    out = []
    for dotted, path in modules():
        src = part(dotted)
        for target, line in imports(dotted, path):
            dst = part(target)
            if dst == src or dst not in RANK and target in ("", "__version__"):
                continue
            if dst not in RANK:
                dst = "__init__" if target in ("__version__",) else dst
            if dst not in RANK:
                out.append(f"{path.relative_to(ROOT.parent)}:{line}: imports unknown part {target!r}")
                continue
            if RANK[dst] > RANK[src] or (RANK[dst] == RANK[src] and dst != src):
                out.append(f"{path.relative_to(ROOT.parent)}:{line}: {src} imports {target} "
                           f"(a layer above or beside it)")
            for a, b in FORBIDDEN:
                if src == a and (target == b or target.startswith(b + ".")):
                    out.append(f"{path.relative_to(ROOT.parent)}:{line}: {src} imports {target} "
                               f"(forbidden: {a} reads the Solution)")
    return out


def test_every_module_belongs_to_a_declared_part():
    """A new subpackage or top-level module must be placed in LAYERS (and ARCHITECTURE.md)."""
    unknown = {part(d) for d, _ in modules()} - set(RANK)
    assert not unknown, f"not in LAYERS: {sorted(unknown)}"


def test_no_upward_or_sideways_import():
    """Each import goes down the layers (or stays inside its own part)."""
    found = violations()
    assert not found, "\n".join(found)


def test_the_checker_catches_an_upward_import(tmp_path, monkeypatch):
    """The check itself can fail: a core module importing a renderer is reported."""
    fake = tmp_path / "symprop"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "bad.py").write_text("def f():\n    from ..render import textout\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", fake)
    assert any("core imports render" in v for v in violations())


@pytest.mark.parametrize("dotted,path", list(modules()), ids=[d for d, _ in modules()])
def test_no_module_is_longer_than_350_lines(dotted, path):
    """Small modules: a newcomer reads one in a sitting."""
    lines = len(path.read_text().splitlines())
    assert lines <= 350, f"{path.name}: {lines} lines"


def test_architecture_names_every_module():
    """ARCHITECTURE.md is how a newcomer finds where a change belongs: each module of a
    subpackage is named (as `module`) in its part's row of the table."""
    doc = (ROOT.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line for line in doc.splitlines()
            if line.startswith("| `")}
    missing = []
    for package in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").exists()):
        row = rows.get(package.name, "")
        missing += [f"{package.name}/{m.stem}" for m in sorted(package.glob("*.py"))
                    if m.stem != "__init__" and f"`{m.stem}`" not in row]
    assert not missing, f"not in ARCHITECTURE.md's table: {missing}"
