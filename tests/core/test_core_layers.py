"""The layers of Głos hold: no import cycle among the modules of ``bot/``, ``handlers/``, ``mail/`` and
``storage/``, and no module imports a layer above its own (the ``layers`` contract in ``pyproject.toml``, which
``lint-imports`` — ``make lint`` — checks too). The graph is grimp's, the library import-linter is built on; it
counts imports under ``TYPE_CHECKING`` and inside functions, so a cycle cannot hide there.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "mail", "storage")


def contract_layers(pyproject: Path = ROOT / "pyproject.toml") -> list[grimp.Layer]:
    """The ``layers`` contract of import-linter, highest first, as grimp layers (``a : b`` are siblings that may
    import each other, ``a | b`` siblings that may not)."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]
    [contract] = [contract for contract in config["contracts"] if contract["id"] == "layers"]
    layers = []
    for line in contract["layers"]:
        independent = "|" in line
        names = [name.strip() for name in line.replace("|", ":").split(":")]
        layers.append(grimp.Layer(*names, independent=independent))
    return layers


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import cycles of ``graph``: every strongly connected set of more than one module (Tarjan, without
    recursion), plus modules importing themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(sorted(graph.find_modules_directly_imported_by(root)))))
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child == module:
                    found.append([module])
                elif child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_there_is_no_import_cycle(graph: grimp.ImportGraph) -> None:
    assert cycles(graph) == []


def test_no_module_imports_a_layer_above_its_own(graph: grimp.ImportGraph) -> None:
    assert graph.find_illegal_dependencies_for_layers(layers=contract_layers()) == set()


def test_every_module_of_bot_has_a_layer(graph: grimp.ImportGraph) -> None:
    """A new top-level module or package of ``bot/`` must be placed in a layer, or the contract cannot see it."""
    placed = {name for layer in contract_layers() for name in layer.module_tails}
    top = {".".join(module.split(".")[:2]) for module in graph.modules if module.startswith("bot.")}
    assert top - placed == set()


def test_the_checks_catch_a_cycle_and_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The two checks above are not vacuous: a package whose ground floor imports a service, which imports the
    ground floor back, fails both."""
    package = tmp_path / "layered"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ground.py").write_text("from layered import services\n")
    (package / "services.py").write_text("from layered import ground\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_packages = ["layered"]\n'
        '[[tool.importlinter.contracts]]\nid = "layers"\nname = "x"\ntype = "layers"\n'
        'layers = ["layered.services", "layered.ground"]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    small = grimp.build_graph("layered", cache_dir=None)
    assert cycles(small) == [["layered.ground", "layered.services"]]
    illegal = small.find_illegal_dependencies_for_layers(layers=contract_layers(tmp_path / "pyproject.toml"))
    assert {(dependency.importer, dependency.imported) for dependency in illegal} == {
        ("layered.ground", "layered.services")
    }


# What the core never imports: the adapters and the libraries that speak a transport. Only the composition root
# (the top layer of the contract: the CLI and glos serve's workers) wires them in.
TRANSPORTS = ("handlers", "mail", "telegram", "imapclient", "smtplib", "aiosmtplib", "aiosmtpd", "imaplib")


def core_modules(graph: grimp.ImportGraph) -> set[str]:
    """Every module of ``bot/`` and ``storage/`` below the composition root — all of them, no exemption."""
    root = contract_layers()[0].module_tails
    return {
        module
        for module in graph.modules
        if module.split(".")[0] in ("bot", "storage") and ".".join(module.split(".")[:2]) not in root
    }


def test_the_core_imports_no_transport() -> None:
    """The core never imports a transport; adapters depend on the core, not the reverse (the graph counts imports
    inside functions and under ``TYPE_CHECKING`` too)."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=True, cache_dir=None)
    offenders = sorted(
        f"{module} -> {imported}"
        for module in core_modules(graph)
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in TRANSPORTS
    )
    assert offenders == []


CHANNELS = ("handlers", "mail", "bot.console", "bot.web")
STORE = ("storage", "sqlalchemy", "sqlmodel")


def test_channels_reach_the_store_only_through_services() -> None:
    """No channel imports a storage module or the SQL toolkit itself (the ``channels-no-store`` contract): the
    update ledger, reply tokens, quarantine records, the results cache and the send pace are services'."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=True, cache_dir=None)
    offenders = sorted(
        f"{module} -> {imported}"
        for module in graph.modules
        if any(module == channel or module.startswith(channel + ".") for channel in CHANNELS)
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in STORE
    )
    assert offenders == []
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    [contract] = [contract for contract in config["contracts"] if contract["id"] == "channels-no-store"]
    assert (tuple(contract["source_modules"]), tuple(contract["forbidden_modules"])) == (CHANNELS, STORE)


def test_the_composition_root_is_the_cli_and_the_workers() -> None:
    """The modules allowed to import adapters are few and named: a new one must be argued for here."""
    assert set(contract_layers()[0].module_tails) == {
        "bot.cli",
        "bot.cli_args",  # the command line's --config placement, shared by the two below
        "bot.cli_entry",  # the glos program: imports bot.cli only for the subcommands that need it
        "bot.cli_light",  # its small Typer apps: glos --help and glos tally without the application
        "bot.cli_scheduler",
        "bot.cli_tally",
        "bot.demo",
        "bot.workers",
    }


def dynamic_imports(path: Path) -> list[str]:
    """Imports by name in ``path`` (``importlib.import_module``, ``__import__``): they hide an edge from the
    import graph, so nothing in Głos uses them. ``importlib.resources`` (package data) is fine."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "importlib":
            found += [f"from importlib import {alias.name}" for alias in node.names if alias.name != "resources"]
        elif isinstance(node, ast.Import):
            found += [f"import {alias.name}" for alias in node.names if alias.name == "importlib"]
        elif isinstance(node, ast.Name) and node.id == "__import__":
            found.append("__import__")
        elif isinstance(node, ast.Attribute) and node.attr == "import_module":
            found.append("import_module")
    return found


def test_nothing_is_imported_by_name() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {found}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        for found in dynamic_imports(path)
    ]
    assert offenders == []


def test_the_transport_guard_sees_importlib(tmp_path: Path) -> None:
    """The guard is not vacuous: an adapter loaded by name is caught."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "import importlib\n"
        "from importlib import import_module, resources\n"
        'importlib.import_module("handlers.launch")\n'
        '__import__("mail.channel")\n'
    )
    assert dynamic_imports(sneaky) == [
        "import importlib",
        "from importlib import import_module",
        "import_module",
        "__import__",
    ]


def test_the_lint_contract_guards_the_same_core() -> None:
    """``make lint``'s forbidden contract covers every layer below the composition root but the adapters."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    [contract] = [contract for contract in config["contracts"] if contract["id"] == "core-no-transport"]
    below_root = {name for layer in contract_layers()[1:] for name in layer.module_tails}
    assert set(contract["source_modules"]) == below_root - {"handlers", "mail"}
    assert set(contract["forbidden_modules"]) == set(TRANSPORTS)
