"""Command line: ``python -m numlite ops [--markdown]`` lists the ops numlite runs.

The list is read from the kernel registry, so it is what the runtime accepts: every
builtin op with the module (op family) of each kernel serving it (integer variants
first, with the predicate that selects them), then the custom ops and Select TF ops.
docs/ops.md is this command's ``--markdown`` output.
"""

import argparse
import sys

from . import __version__


def _families(rows):
    return "; ".join(module.rsplit(".", 1)[-1] + (f" (when {when})" if when else "")
                     for module, when in rows)


def _custom_ops():
    """[(code, what)] for the custom codes numlite resolves (Flex ops by name)."""
    from .ops import registry
    from .ops.flex import FLEX_PREFIX, supported_ops
    codes = {code: "Select TF op (checkpoint)" for code in registry.supported_custom()}
    codes.update({FLEX_PREFIX + op: "Select TF op" for op in supported_ops()})
    return sorted(codes.items())


def list_ops(markdown=False, out=sys.stdout):
    from .ops import registry
    builtins = registry.describe_builtins()
    custom = _custom_ops()
    if not markdown:
        print(f"numlite {__version__}: {len(builtins)} builtin ops, {len(custom)} custom ops",
              file=out)
        width = max(len(name) for name in builtins)
        for name, rows in builtins.items():
            print(f"  {name:{width}s}  {_families(rows)}", file=out)
        print("custom ops:", file=out)
        for code, what in custom:
            print(f"  {code:{width}s}  {what}", file=out)
        return
    print("# Supported ops\n", file=out)
    print(f"Written by `python -m numlite ops --markdown` (numlite {__version__}) from the "
          "kernel registry; a test keeps this file equal to that output.\n", file=out)
    print(f"## Builtin ops ({len(builtins)})\n", file=out)
    print("Kernel modules are under `python/numlite/ops/`. A module marked *when "
          "quantized_node* serves the nodes whose input is an int8/uint8/int16 quantized "
          "tensor; the other nodes go to the unmarked module.\n", file=out)
    print("| Op | Kernels |\n|---|---|", file=out)
    for name, rows in builtins.items():
        print(f"| {name} | {_families(rows)} |", file=out)
    print(f"\n## Custom ops ({len(custom)})\n", file=out)
    print("| Custom code | What |\n|---|---|", file=out)
    for code, what in custom:
        print(f"| {code} | {what} |", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numlite", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ops = commands.add_parser("ops", help="list the supported ops")
    ops.add_argument("--markdown", action="store_true", help="as docs/ops.md")
    args = parser.parse_args(argv)
    if args.command == "ops":
        list_ops(markdown=args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
