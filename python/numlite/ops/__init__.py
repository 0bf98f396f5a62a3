"""numlite's kernels. Importing this package registers every op with ``registry``.

Every module (and subpackage) of this package is an op family and is imported
here, so adding a family is adding a file.
"""

import importlib
import pkgutil

from . import registry

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
