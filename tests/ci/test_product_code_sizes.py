"""The house rule on size (issue 11 §6): no product file over 300 lines, no function over 40, in webapp/ and jobs/."""

from __future__ import annotations

import ast

from webapp.config import PROJECT_ROOT

MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 40


def _product_files():
    for package in ("webapp", "jobs"):
        yield from sorted((PROJECT_ROOT / package).rglob("*.py"))


def test_no_product_file_is_over_300_lines():
    too_long = {}
    for path in _product_files():
        lines = len(path.read_text().splitlines())
        if lines > MAX_FILE_LINES:
            too_long[str(path.relative_to(PROJECT_ROOT))] = lines
    assert not too_long, f"files over {MAX_FILE_LINES} lines: {too_long}"


def test_no_function_is_over_40_lines():
    too_long = {}
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long[f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.name}"] = lines
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"
