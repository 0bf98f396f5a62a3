"""Static hash tables: HASHTABLE, HASHTABLE_IMPORT, HASHTABLE_FIND, HASHTABLE_SIZE.

What the converter makes of ``tf.lookup.StaticHashTable``: the SavedModel's
initializer subgraph (run by CALL_ONCE) holds HASHTABLE + HASHTABLE_IMPORT of
the constant keys and values; the signatures hold HASHTABLE (same table id) +
HASHTABLE_FIND / HASHTABLE_SIZE. Tables live in ``runtime.hashtables`` keyed by
HashtableOptions.table_id, shared by every subgraph of one interpreter.

Semantics follow LiteRT's builtin kernels: key/value types are INT64 -> STRING
or STRING -> INT64 only; a table is imported once (later imports are no-ops,
the converter may leave an import in the signature too); for duplicate keys the
first one wins; FIND gives the first element of the default-value tensor for
missing keys and fails on a table never imported; SIZE is an INT64 [1].

HASHTABLE is registered foldable: it creates its table when prepared (LiteRT
creates it on first run; nothing can tell the difference) and its output is the
constant table id, so FIND/IMPORT/SIZE bind the table at prepare.
"""

import numpy as np

from ..model import types
from .common import KernelError, expect_io, options_field
from .registry import builtin

_PAIRS = ((types.INT64, types.STRING), (types.STRING, types.INT64))
_PAIRS_TEXT = ("(params->key_dtype == kTfLiteInt64 && params->value_dtype == kTfLiteString) || "
               "(params->key_dtype == kTfLiteString && params->value_dtype == kTfLiteInt64) "
               "was not true.")


class Table:
    """One static hash table: typed keys -> values, filled once by import_()."""

    __slots__ = ("table_id", "key_type", "value_type", "initialized", "size", "_dict",
                 "_keys", "_values")

    def __init__(self, table_id, key_type, value_type):
        self.table_id, self.key_type, self.value_type = table_id, key_type, value_type
        self.initialized = False
        self.size = 0
        self._dict = None       # string keys: {bytes: value}
        self._keys = None       # numeric keys: sorted unique keys ...
        self._values = None     # ... and their values

    def import_(self, keys, values):
        if self.initialized:            # LiteRT: later imports are ignored
            return
        keys = keys.reshape(-1)
        values = values.reshape(-1)
        if self.key_type == types.STRING:
            table = {}
            for k, v in zip(keys.tolist(), values.tolist()):
                table.setdefault(k, v)  # first one wins, as std::unordered_map::insert
            self._dict = table
            self.size = len(table)
        else:
            unique, first = np.unique(keys, return_index=True)
            self._keys = unique
            self._values = values[first]
            self.size = int(unique.size)
        self.initialized = True

    def find(self, keys, default, out_dtype):
        if not self.initialized:
            raise KernelError("hashtable need to be initialized before using")
        if self._dict is not None:
            get = self._dict.get
            found = [get(k, default) for k in keys.reshape(-1).tolist()]
            result = np.array(found, dtype=out_dtype) if found else np.zeros(0, out_dtype)
            return result.reshape(keys.shape)
        if not self.size:
            return np.full(keys.shape, default, dtype=out_dtype)
        where = np.searchsorted(self._keys, keys)
        np.minimum(where, self.size - 1, out=where)
        hit = self._keys[where] == keys
        out = np.full(keys.shape, default, dtype=out_dtype)
        out[hit] = self._values[where[hit]]
        return out


def _table_reader(node, spec):
    """``(known table or None, lookup(handle) -> Table)`` for a table-handle input."""
    if spec.type not in (types.RESOURCE, types.INT32):
        raise KernelError(f"{node.op_name}: the table input is {types.type_name(spec.type)}, "
                          "expected RESOURCE or INT32")
    if spec.shape is not None and tuple(spec.shape) != (1,):
        raise KernelError(f"{node.op_name}: the table input has shape {list(spec.shape)}, "
                          "expected [1]")
    tables = node.runtime.hashtables

    def lookup(table_id):
        table = tables.get(table_id)
        if table is None:
            raise KernelError(f"{node.op_name}: hash table {table_id} does not exist: no "
                              "HASHTABLE op has created it (lookup != nullptr was not true)")
        return table

    def from_handle(handle):
        return lookup(int(handle.reshape(-1)[0]))

    known = None
    if spec.value is not None:
        known = lookup(int(np.asarray(spec.value).reshape(-1)[0]))
    return known, from_handle


def _check_table_types(node, table, key_type, value_type):
    if (table.key_type, table.value_type) != (key_type, value_type):
        raise KernelError(f"{node.op_name}: hash table {table.table_id} maps "
                          f"{types.type_name(table.key_type)} to "
                          f"{types.type_name(table.value_type)}, not "
                          f"{types.type_name(key_type)} to {types.type_name(value_type)}")


def _check_pair(node, key_type, value_type):
    if (key_type, value_type) not in _PAIRS:
        raise KernelError(f"{node.op_name}: keys {types.type_name(key_type)} and values "
                          f"{types.type_name(value_type)} are not supported (INT64 -> STRING or "
                          f"STRING -> INT64)\n{_PAIRS_TEXT}")


@builtin("HASHTABLE")
def prepare_hashtable(node):
    """Create table ``table_id`` (if no HASHTABLE has) and output its id as an int32 [1]."""
    expect_io(node, 0, 1)
    out = node.outputs[0]
    if out.type not in (types.RESOURCE, types.INT32):
        raise KernelError(f"HASHTABLE: the output is {types.type_name(out.type)}, expected "
                          "RESOURCE")
    table_id = options_field(node, "table_id", 0)
    key_type = options_field(node, "key_dtype", 0)
    value_type = options_field(node, "value_dtype", 0)
    _check_pair(node, key_type, value_type)
    tables = node.runtime.hashtables
    if table_id not in tables:
        tables[table_id] = Table(table_id, key_type, value_type)
    handle = np.full((1,), table_id, dtype=np.int32)
    handle.flags.writeable = False

    def run():
        return handle
    return run, [(1,)]


@builtin("HASHTABLE_IMPORT", foldable=False)
def prepare_hashtable_import(node):
    """Fill the table from keys/values of the same shape, once."""
    handle, keys, values = expect_io(node, 3, 0)
    _check_pair(node, keys.type, values.type)
    if keys.shape is not None and values.shape is not None \
            and tuple(keys.shape) != tuple(values.shape):
        raise KernelError(f"HASHTABLE_IMPORT: keys shape {list(keys.shape)} and values shape "
                          f"{list(values.shape)} differ")
    known, from_handle = _table_reader(node, handle)
    if known is not None:
        _check_table_types(node, known, keys.type, values.type)
    key_type, value_type = keys.type, values.type

    def run(handle_array, key_array, value_array):
        table = known if known is not None else from_handle(handle_array)
        if known is None:
            _check_table_types(node, table, key_type, value_type)
        if key_array.shape != value_array.shape:
            raise KernelError(f"HASHTABLE_IMPORT: keys shape {list(key_array.shape)} and "
                              f"values shape {list(value_array.shape)} differ")
        table.import_(key_array, value_array)
        return ()
    return run, []


@builtin("HASHTABLE_FIND", foldable=False)
def prepare_hashtable_find(node):
    """Values of the keys (keys' shape), the default value's first element where missing."""
    handle, keys, default = expect_io(node, 3, 1)
    out = node.outputs[0]
    if default.type != out.type:
        raise KernelError(f"HASHTABLE_FIND: the default value is {types.type_name(default.type)} "
                          f"but the output is {types.type_name(out.type)}")
    _check_pair(node, keys.type, out.type)
    known, from_handle = _table_reader(node, handle)
    if known is not None:
        _check_table_types(node, known, keys.type, out.type)
    key_type, value_type, out_dtype = keys.type, out.type, out.dtype

    def run(handle_array, key_array, default_array):
        table = known if known is not None else from_handle(handle_array)
        if known is None:
            _check_table_types(node, table, key_type, value_type)
        if not default_array.size:
            raise KernelError("HASHTABLE_FIND: the default value tensor is empty")
        return table.find(key_array, default_array.reshape(-1)[0], out_dtype)
    return run, [keys.shape]


@builtin("HASHTABLE_SIZE", foldable=False)
def prepare_hashtable_size(node):
    """The number of entries, as an INT64 [1]."""
    handle, = expect_io(node, 1, 1)
    if node.outputs[0].type != types.INT64:
        raise KernelError(f"HASHTABLE_SIZE: the output is "
                          f"{types.type_name(node.outputs[0].type)}, expected INT64")
    known, from_handle = _table_reader(node, handle)

    def run(handle_array):
        table = known if known is not None else from_handle(handle_array)
        return np.array([table.size], dtype=np.int64)
    return run, [(1,)]
