"""bootstrap.py for Python 3.6 (Lambda's python3.6 runtime): the same file, annotations dropped.

bootstrap.py and sdk_endpoints.py start with `from __future__ import annotations`, which 3.6
does not know, and their annotations (`list[str] | None`) do not evaluate there. This launcher,
run as `python3.6 bootstrap_py36.py /abs/bootstrap.py --parent-pid N ...`, parses each file with
3.6's own `ast` (the syntax is 3.6's), removes the future import and every annotation, and runs
the result under the file's own name, so tracebacks and `__file__` are as on 3.7+.

STANDALONE, stdlib only, and written for 3.6: no `from __future__ import annotations` here, and
only annotations that 3.6 evaluates.
"""

import ast
import sys
import types


class _DropAnnotations(ast.NodeTransformer):
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.returns = None
        arguments = node.args
        for arg in [*arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]:
            if arg is not None:
                arg.annotation = None
        self.generic_visit(node)
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self.visit_FunctionDef(node)  # type: ignore[arg-type]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is None:  # `x: int` alone declares nothing at run time
            return ast.copy_location(ast.Pass(), node)
        return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if node.module == "__future__":
            return ast.copy_location(ast.Pass(), node)
        return node


def compile_file(path: str) -> types.CodeType:
    """The file's code without its annotations."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    tree = ast.fix_missing_locations(_DropAnnotations().visit(tree))
    return compile(tree, path, "exec", dont_inherit=True)


def load_module(name: str, path: str) -> types.ModuleType:
    """Import the file at `path` as module `name` (sdk_endpoints.py, from bootstrap.py)."""
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile_file(path), module.__dict__)
    return module


def main(argv: list) -> None:  # type: ignore[type-arg]
    """`bootstrap_py36.py /abs/bootstrap.py ARGS...`: run bootstrap.py as __main__, with
    load_module at hand for sdk_endpoints.py (bootstrap.py's _load_legacy_module)."""
    path = argv[1]
    sys.argv = argv[1:]
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__dict__["_load_legacy_module"] = load_module
    sys.modules["__main__"] = module
    exec(compile_file(path), module.__dict__)


if __name__ == "__main__":
    main(sys.argv)
