"""The shape of the house (issue 15): no import cycles, one store interface, a CLI that
never asks which store it has.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from citymap.store.base import Store
from citymap.store.folder import FolderStore

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "citymap"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(nodes: list[ast.stmt] | list[ast.AST], package: str) -> Iterator[str]:
    """Every ``citymap…`` name imported by ``nodes``, at any depth (functions too), except
    under ``if TYPE_CHECKING:`` (annotations only: never run)."""
    for node in nodes:
        if isinstance(node, ast.If) and _type_checking(node):
            yield from _imports(node.orelse, package)
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{a.name}" for a in node.names)
        else:
            yield from _imports(list(ast.iter_child_nodes(node)), package)


def import_graph() -> dict[str, set[str]]:
    """Module → the citymap modules it imports (module level and inside functions)."""
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {m for m in _imports(tree.body, package) if m in mods and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_graph_sees_function_level_imports() -> None:
    graph = import_graph()
    # citymap.store.open_store imports the folder store inside the function
    assert "citymap.store.folder" in graph["citymap.store"]
    assert "citymap.workspace" in graph["citymap.store.folder"]


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


CLI = PACKAGE / "cli"
#: The modules that may know the PostGIS store by name: the ``store`` commands (push, pull,
#: init … need a database) and the environment that opens whichever store was asked for.
MAY_NAME_THE_STORE = {"store.py", "_env.py"}


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_cli_module_does_not_know_which_store(path: Path) -> None:
    if path.name in MAY_NAME_THE_STORE:
        return
    text = path.read_text(encoding="utf-8")
    for word in ("postgis", "PostgisStore", "citymap.store_object", "ctx.meta"):
        assert word.lower() not in text.lower(), f"{path.name} mentions {word}"


STORES: list[type] = [FolderStore]
try:
    from citymap.store.postgis import PostgisStore
except ImportError:  # pragma: no cover - psycopg missing
    pass
else:
    STORES.append(PostgisStore)

#: The members of the Store protocol (every implementation has each, typed).
MEMBERS = sorted(n for n in vars(Store) if not n.startswith("_"))


def _annotations(obj: object) -> dict[str, str]:
    return {k: str(v) for k, v in inspect.get_annotations(obj).items()}  # type: ignore[arg-type]


def test_members_are_found() -> None:
    assert {"load", "append_events", "write_layer", "attachments", "where"} <= set(MEMBERS)


@pytest.mark.parametrize("cls", STORES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("member", MEMBERS)
def test_store_boundary_is_typed_without_any(cls: type, member: str) -> None:
    proto = inspect.getattr_static(Store, member)
    impl = inspect.getattr_static(cls, member, None)
    if isinstance(proto, property):
        if impl is None:  # an attribute set in __init__ (PostgisStore.who)
            assert member in inspect.getsource(cls.__init__)  # type: ignore[misc]
            return
        assert isinstance(impl, property)
        ann = _annotations(impl.fget)
        assert "return" in ann
        assert not re.search(r"\bAny\b", ann["return"]), ann
        return
    assert callable(impl)
    ann = _annotations(impl)
    assert "return" in ann, f"{cls.__name__}.{member} has no return annotation"
    for name, text in ann.items():
        assert not re.search(r"\bAny\b", text), f"{cls.__name__}.{member}: {name}: {text}"
    want = [p.name for p in inspect.signature(proto).parameters.values()]
    got = [p.name for p in inspect.signature(impl).parameters.values()]
    assert got[:len(want)] == want, f"{cls.__name__}.{member}{got} is not Store.{member}{want}"
    extra = inspect.signature(impl).parameters
    assert all(extra[n].default is not inspect.Parameter.empty for n in got[len(want):])


def test_folder_store_satisfies_the_protocol(tmp_path: Path) -> None:
    from _ws_core import make_workspace

    root = make_workspace(tmp_path / "ws")
    store: Store = FolderStore(root)
    assert store.where == str(root) and store.output_base == root == store.folder
    ws = store.load()
    assert ws.root == root
    assert store.attachments().photos() == []
