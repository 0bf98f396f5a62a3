"""``numlite-java``: a ``java``-compatible launcher whose JVM runs with numlite behind the
TensorFlow Lite Java API.

    numlite-java [options] <mainclass> [args...]
    numlite-java [options] -jar <jarfile> [args...]

Python hosts the JVM (JPype), registers numlite's runtime, then calls ``main(String[])``.
Understood like ``java``: ``-cp``/``-classpath``/``--class-path``, ``-D...``, ``-X...``,
``-XX:...``, ``-ea``/``-da``/``-esa``/``-dsa``, ``-verbose:...``, ``-javaagent:...``,
``--add-opens``/``--add-exports``/``--add-reads``/``--add-modules``/``--enable-native-access``,
``@argfiles``, ``JDK_JAVA_OPTIONS``, ``-jar``, ``-version``/``--version``/``-showversion``/
``--show-version`` (answered by the real ``java``), ``-help``. The exit status is that of
``System.exit``, 1 after an uncaught exception (reported like ``java`` does), else 0.
Gradle can use it as the ``executable`` of its Test and JavaExec tasks.
"""

import os
import shlex
import shutil
import subprocess
import sys
import zipfile

USAGE = """Usage: numlite-java [options] <mainclass> [args...]
           (to execute a class)
   or  numlite-java [options] -jar <jarfile> [args...]
           (to execute a jar file)
Runs a Java program in a JVM hosted by Python, with numlite behind org.tensorflow.lite.
Options: -cp/-classpath/--class-path <path>, -D<name>=<value>, -X..., -ea, -da, @argfiles,
         -version, --version, -showversion, --show-version, -help
"""

# options followed by a separate value, passed to the JVM as "<opt>=<value>"
_JVM_VALUE_OPTIONS = {"--add-opens", "--add-exports", "--add-reads", "--add-modules",
                      "--enable-native-access", "--limit-modules", "--patch-module"}
_JVM_FLAG_PREFIXES = ("-D", "-X", "-ea", "-da", "-esa", "-dsa", "-enableassertions",
                      "-disableassertions", "-enablesystemassertions",
                      "-disablesystemassertions", "-verbose", "-javaagent:", "-agentlib:",
                      "-agentpath:", "--add-opens=", "--add-exports=", "--add-reads=",
                      "--add-modules=", "--enable-native-access=", "--illegal-access=",
                      "--limit-modules=", "--patch-module=")
_IGNORED = {"-server", "-client", "-d64", "--disable-@files"}


class UsageError(Exception):
    pass


def read_argfile(path):
    """Arguments of a java @argfile: whitespace separated, quotes, # comments, \\ escapes."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    lexer.escape = "\\"
    return list(lexer)


def expand_argfiles(args):
    """Expand @argfiles among the launcher options (not among the program's arguments)."""
    out = []
    i = 0
    expanding = True
    while i < len(args):
        a = args[i]
        if expanding and a == "--disable-@files":
            expanding = False
        elif expanding and a.startswith("@@"):
            out.append(a[1:])
        elif expanding and a.startswith("@") and len(a) > 1:
            out.extend(read_argfile(a[1:]))
            i += 1
            continue
        elif not a.startswith("-") or a in ("-jar",):
            # the main class (or -jar <file>): what follows belongs to the program
            out.append(a)
            if a == "-jar" and i + 1 < len(args):
                out.append(args[i + 1])
                i += 1
            out.extend(args[i + 1:])
            return out
        elif a in ("-cp", "-classpath", "--class-path") or a in _JVM_VALUE_OPTIONS:
            out.append(a)
            if i + 1 < len(args):
                out.append(args[i + 1])
                i += 1
            i += 1
            continue
        out.append(a)
        i += 1
    return out


class Command:
    def __init__(self):
        self.classpath = None
        self.jvm_options = []
        self.main_class = None
        self.jar = None
        self.args = []
        self.version = None         # "-version", "--version", "-showversion", "--show-version"
        self.help = False


def parse(argv):
    env = os.environ.get("JDK_JAVA_OPTIONS")
    args = (shlex.split(env) if env else []) + list(argv)
    args = expand_argfiles(args)
    cmd = Command()
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-cp", "-classpath", "--class-path"):
            if i + 1 >= len(args):
                raise UsageError(f"Error: {a} requires class path specification")
            cmd.classpath = args[i + 1]
            i += 2
            continue
        if a.startswith("--class-path="):
            cmd.classpath = a.split("=", 1)[1]
        elif a in ("-version", "--version"):
            cmd.version = a
            return cmd
        elif a in ("-showversion", "--show-version"):
            cmd.version = a
        elif a in ("-help", "-h", "-?", "--help"):
            cmd.help = True
            return cmd
        elif a in _JVM_VALUE_OPTIONS:
            if i + 1 >= len(args):
                raise UsageError(f"Error: {a} requires a value")
            cmd.jvm_options.append(f"{a}={args[i + 1]}")
            i += 2
            continue
        elif a in _IGNORED:
            pass
        elif a.startswith(_JVM_FLAG_PREFIXES):
            cmd.jvm_options.append(a)
        elif a == "-jar":
            if i + 1 >= len(args):
                raise UsageError("Error: -jar requires jar file specification")
            cmd.jar = args[i + 1]
            cmd.args = args[i + 2:]
            return cmd
        elif a.startswith("-"):
            raise UsageError(f"Unrecognized option: {a}\n"
                             "Error: Could not create the Java Virtual Machine.\n"
                             "Error: A fatal exception has occurred. Program will exit.")
        else:
            cmd.main_class = a
            cmd.args = args[i + 1:]
            return cmd
        i += 1
    return cmd


def real_java():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def print_version(option):
    java = real_java()
    if java is None:
        stream = sys.stdout if option.startswith("--") else sys.stderr
        print("numlite-java: no java found to report the JVM version", file=stream)
        return 1
    flag = "--version" if option.startswith("--") else "-version"
    return subprocess.call([java, flag])


def jar_manifest(path):
    """Main-Class and Class-Path (resolved next to the jar) of a jar's manifest."""
    try:
        with zipfile.ZipFile(path) as z:
            text = z.read("META-INF/MANIFEST.MF").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None, []
    attrs = {}
    key = None
    for line in text.splitlines():
        if line.startswith(" ") and key:
            attrs[key] += line[1:]
        elif ":" in line:
            key, value = line.split(":", 1)
            attrs[key.strip()] = value.strip()
    base = os.path.dirname(os.path.abspath(path))
    extra = [os.path.join(base, p) for p in attrs.get("Class-Path", "").split()]
    return attrs.get("Main-Class"), extra


def _split_classpath(cp):
    entries = []
    for entry in cp.split(os.pathsep):
        if entry.endswith("/*") or entry == "*":      # java's wildcard: every jar of a folder
            folder = entry[:-1] or "."
            try:
                entries.extend(os.path.join(folder, f) for f in sorted(os.listdir(folder))
                               if f.lower().endswith(".jar"))
            except OSError:
                pass
        elif entry:
            entries.append(entry)
    return entries


def run(cmd):
    """Start the JVM, run the main class; returns the exit status."""
    import jpype

    from . import start_jvm

    if cmd.jar is not None:
        if not os.path.isfile(cmd.jar):
            print(f"Error: Unable to access jarfile {cmd.jar}", file=sys.stderr)
            return 1
        main_class, extra = jar_manifest(cmd.jar)
        if not main_class:
            print(f"no main manifest attribute, in {cmd.jar}", file=sys.stderr)
            return 1
        classpath = [cmd.jar] + extra
    else:
        main_class = cmd.main_class
        cp = cmd.classpath if cmd.classpath is not None else os.environ.get("CLASSPATH", ".")
        classpath = _split_classpath(cp)
    start_jvm(*cmd.jvm_options, classpath=classpath)

    from jpype import JArray, JClass, JString

    name = main_class.replace("/", ".")
    try:
        cls = JClass(name)
    except Exception as e:  # noqa: BLE001
        cause = getattr(e, "getCause", lambda: None)()
        print(f"Error: Could not find or load main class {name}", file=sys.stderr)
        print(f"Caused by: java.lang.ClassNotFoundException: {name}"
              if cause is None else f"Caused by: {cause}", file=sys.stderr)
        return 1
    status = 0
    try:
        cls.main(JArray(JString)(cmd.args))
    except jpype.JException as e:
        _report_uncaught(e)
        status = 1
    except AttributeError:
        print(f"Error: Main method not found in class {name}, please define the main method as:"
              "\n   public static void main(String[] args)", file=sys.stderr)
        status = 1
    except BaseException as e:  # noqa: BLE001 - a Python error behind a proxy call
        System = JClass("java.lang.System")
        System.err.println(f'Exception in thread "main" {type(e).__name__}: {e}')
        status = 1
    return status


def _report_uncaught(e):
    from jpype import JClass
    System = JClass("java.lang.System")
    System.err.print_('Exception in thread "main" ')
    e.printStackTrace()
    System.err.flush()


def _finish(status):
    """Wait for the program's non-daemon threads (as java does), then exit with ``status``."""
    import jpype
    try:
        from jpype import JClass
        JClass("java.lang.System").out.flush()
        JClass("java.lang.System").err.flush()
        jpype.shutdownJVM()
    except Exception:  # noqa: BLE001
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        cmd = parse(argv)
    except UsageError as e:
        print(e, file=sys.stderr)
        return 1
    except OSError as e:
        print(f"Error: could not open `{e.filename}'", file=sys.stderr)
        return 1
    if cmd.help:
        sys.stdout.write(USAGE)
        return 0
    if cmd.version in ("-version", "--version"):
        return print_version(cmd.version)
    if cmd.version:
        print_version("-version" if cmd.version == "-showversion" else "--version")
    if cmd.main_class is None and cmd.jar is None:
        sys.stderr.write(USAGE)
        return 1
    _finish(run(cmd))


if __name__ == "__main__":
    sys.exit(main())
