"""Builtin options tables turned into namedtuples, one class per table."""

from collections import namedtuple

from .options_table import BUILTIN_OPTIONS, BUILTIN_OPTIONS_2

#: offset added to BuiltinOptions2 union indices so both unions share one key space
OPTIONS_2_BASE = 1000


def _classes():
    classes = {}
    for base, table in ((0, BUILTIN_OPTIONS), (OPTIONS_2_BASE, BUILTIN_OPTIONS_2)):
        for index, (name, fields) in table.items():
            cls = namedtuple(name, [f[1] for f in fields])
            classes[base + index] = (cls, fields)
    return classes


_CLASSES = _classes()


def parse_options(options_type, table):
    """Read one options table (a flatbuffer.Table or None) into its namedtuple."""
    entry = _CLASSES.get(options_type)
    if entry is None:
        return None
    cls, fields = entry
    values = []
    for fid, name, code, default in fields:
        if table is None:
            values.append(default if code[0] != "[" else ())
        elif code[0] == "[":
            arr = table.numbers(fid, code[1], f"{cls.__name__}.{name}")
            values.append(() if arr is None else tuple(arr.tolist()))
        elif code == "s":
            values.append(table.string(fid, f"{cls.__name__}.{name}") or "")
        elif code == "T":
            values.append(None)
        else:
            values.append(table.scalar(fid, code, default))
    return cls(*values)


def default_options(options_type):
    """The options an operator has when its table is absent (all defaults)."""
    return parse_options(options_type, None)
