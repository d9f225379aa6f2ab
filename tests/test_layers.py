"""The architecture, checked: domain layers depend one way and no module imports form a circle.

accounts <- contacts <- courses <- certificates: a domain module (anything but views, urls,
admin and management commands) may import only its own app and the apps before it. Views may
read any app. Module-level imports of project modules must not form a cycle.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["lms", "accounts", "contacts", "courses", "certificates", "api"]
# Pages compose several apps; the guide lets them read any app's selectors.
COMPOSING = {"views", "urls", "admin", "management", "announcements"}


def project_modules():
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path


def module_level_imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return {m for m in found if m.split(".")[0] in LAYERS}


def test_domain_layers_depend_one_way():
    wrong = []
    for name, path in project_modules():
        app = name.split(".")[0]
        if app == "lms" or COMPOSING & set(name.split(".")):
            continue
        allowed = set(LAYERS[: LAYERS.index(app) + 1])
        for imported in module_level_imports(name, path):
            if imported.split(".")[0] not in allowed:
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_no_import_cycles():
    modules = dict(project_modules())
    graph = {
        name: {m for m in module_level_imports(name, path) if m in modules and m != name}
        for name, path in modules.items()
    }
    cycles = []
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
