"""numlite for Java: the org.tensorflow.lite Java API backed by numlite, through JPype.

Python is the host process: :func:`start_jvm` starts a JVM with numlite's Java classes on the
class path and registers the Python runtime as the backend, after which Java code (or Python
code through JPype) can use ``new org.tensorflow.lite.Interpreter(file)``. The ``numlite-java``
launcher (:mod:`numlite.jvm.launcher`) does the same for Java applications.
"""

import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile

__all__ = ["start_jvm", "runtime_classpath", "java_sources", "JavaBuildError"]

_HERE = pathlib.Path(__file__).resolve().parent
#: a jar shipped inside the package (wheels), else the repository's sources are compiled
PACKAGED_JAR = _HERE / "numlite-java.jar"


class JavaBuildError(RuntimeError):
    pass


def java_sources():
    """The Java API sources of a source checkout (None in an installed wheel)."""
    root = _HERE.parents[2] / "java" / "src" / "main" / "java"
    return root if root.is_dir() else None


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "numlite" / "java"


def _javac():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "javac")):
        return os.path.join(home, "bin", "javac")
    return shutil.which("javac")


def _compile(sources):
    files = sorted(sources.rglob("*.java"))
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(sources)).encode())
        digest.update(f.read_bytes())
    out = _cache_dir() / digest.hexdigest()[:16]
    if (out / ".complete").exists():
        return out
    javac = _javac()
    if javac is None:
        raise JavaBuildError("numlite needs a JDK (javac) to build its Java classes; install one "
                             "or set NUMLITE_JAR to a built numlite-java jar")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(dir=out.parent))
    proc = subprocess.run([javac, "-nowarn", "-encoding", "UTF-8", "--release", "11",
                           "-d", str(tmp)] + [str(f) for f in files],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise JavaBuildError("compiling numlite's Java classes failed:\n" + proc.stderr)
    (tmp / ".complete").touch()
    try:
        tmp.rename(out)
    except OSError:             # another process got there first
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def runtime_classpath():
    """Where numlite's Java classes are: $NUMLITE_JAR, the source checkout, or the packaged jar."""
    env = os.environ.get("NUMLITE_JAR")
    if env:
        return env
    sources = java_sources()
    if sources is not None:
        return str(_compile(sources))
    if PACKAGED_JAR.exists():
        return str(PACKAGED_JAR)
    raise JavaBuildError("numlite's Java classes were not found (no NUMLITE_JAR, no source "
                         "checkout, no packaged jar)")


def start_jvm(*jvm_args, classpath=(), jvm_path=None):
    """Start the JVM (once per process) with numlite's classes and register the Python backend.

    ``jvm_args`` are JVM options (``-Xmx1g``, ``-Dkey=value``, ``-ea`` ...); ``classpath`` entries
    come before numlite's own classes. Returns the ``org.tensorflow.lite`` package. Calling it
    again when the JVM runs only (re)registers the backend.
    """
    import jpype
    if not jpype.isJVMStarted():
        path = [str(p) for p in classpath] + [runtime_classpath()]
        kwargs = {"jvmpath": jvm_path} if jvm_path else {}
        jpype.startJVM(*jvm_args, classpath=path, convertStrings=False, **kwargs)
    register()
    return jpype.JPackage("org").tensorflow.lite


def register():
    """Register the Python runtime as the backend of the running JVM's Java API."""
    from jpype import JClass
    from .backend import Backend
    bridge = JClass("org.numlite.jvm.Bridge")
    if not bridge.isRegistered():
        bridge.register(Backend())
