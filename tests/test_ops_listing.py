"""`python -m numlite ops`, docs/ops.md, and test coverage of every op the registry claims."""

import io
import pathlib
import re
import subprocess
import sys

from numlite.__main__ import list_ops
from numlite.ops import registry

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTS = pathlib.Path(__file__).resolve().parent


def test_docs_ops_md_is_the_command_output():
    out = io.StringIO()
    list_ops(markdown=True, out=out)
    assert (ROOT / "docs" / "ops.md").read_text() == out.getvalue(), (
        "docs/ops.md is stale: python -m numlite ops --markdown > docs/ops.md")


def test_command_lists_every_registered_op():
    proc = subprocess.run([sys.executable, "-m", "numlite", "ops"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    listed = set(re.findall(r"^  ([A-Z][A-Z0-9_]+)\s", proc.stdout, re.M))
    assert listed == set(registry.supported_builtins())
    assert "FlexAsString" in proc.stdout and "FlexStringToNumber" in proc.stdout


def _ops_named_in_tests():
    """Op names quoted in the differential tests ("ADD", 'ADD') and the ops of the
    converter-made corpora (their README op lists, written by the generators)."""
    named = set()
    for path in TESTS.glob("test_*.py"):
        named |= set(re.findall(r"[\"']([A-Z][A-Z0-9_]+)[\"']", path.read_text()))
    for readme in (TESTS / "models").rglob("README.md"):
        named |= set(re.findall(r"\b([A-Z][A-Z0-9_]{2,})\b", readme.read_text()))
    return named


def test_every_supported_builtin_op_has_a_differential_test():
    missing = sorted(set(registry.supported_builtins()) - _ops_named_in_tests())
    assert not missing, f"ops with no test naming them: {missing}"
