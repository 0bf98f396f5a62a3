"""What the corpus generators (gen_*_models.py) share: the ``@model`` registry decorator,
the ``--out``/``--only`` command line, the ``inputs.json`` manifest and the closing report.
No TensorFlow here: only the standard library."""

import argparse
import json
import pathlib
import sys

ONLY_HELP = "generate only these files (no README)"


def registrar(models):
    """A ``@model(name, description)`` decorator adding builders to ``models`` in order."""
    def model(name, description):
        def register(fn):
            models[name] = (fn, description)
            return fn
        return register
    return model


def command_line(doc, out, only_help=ONLY_HELP):
    """The generators' parser (``doc``'s first line as its description); callers may add
    arguments before parse()."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=out)
    parser.add_argument("--only", nargs="*", help=only_help)
    return parser


def parse(parser, argv):
    """Parsed arguments, with the output directory created."""
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def load_manifest(out):
    """The ``inputs.json`` feeds of the corpus in ``out`` ({} when there is none yet)."""
    path = out / "inputs.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save_manifest(out, manifest, models):
    """Write the manifest, keeping only (and ordered as) the registered ``models``."""
    manifest = {k: manifest[k] for k in models if k in manifest}
    (out / "inputs.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def finish(args, readme, failures):
    """Write README.md (``readme()``) on a full run, print the failures; the exit code."""
    if not args.only:
        (args.out / "README.md").write_text(readme())
    for failure in failures:
        print("ERROR:", failure, file=sys.stderr)
    return 1 if failures else 0
