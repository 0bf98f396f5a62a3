"""The numlite-java launcher behaves like `java` for applications (subprocess tests)."""

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

import jpype  # noqa: F401,E402  (java extra: fails loudly when missing)

assert shutil.which("javac"), "a JDK is needed (make test installs Debian's default-jdk-headless)"

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL = ROOT / "tests" / "models" / "mlp.tflite"

APP = r"""
package app;
import java.io.File;
import org.tensorflow.lite.Interpreter;
public class Main {
  public static void main(String[] args) throws Exception {
    System.out.println("args=" + String.join("|", args) + " prop=" + System.getProperty("app.prop")
        + " ea=" + Main.class.desiredAssertionStatus());
    if (args.length > 0 && args[0].equals("model")) {
      try (Interpreter it = new Interpreter(new File(args[1]))) {
        float[][] out = new float[1][4];
        it.run(new float[1][8], out);
        System.out.println("sum=" + Math.round(out[0][0] + out[0][1] + out[0][2] + out[0][3]));
      }
    }
    if (args.length > 0 && args[0].equals("exit")) System.exit(Integer.parseInt(args[1]));
    if (args.length > 0 && args[0].equals("throw")) throw new IllegalStateException("boom");
    if (args.length > 0 && args[0].equals("thread")) {
      Thread t = new Thread(() -> {
        try { Thread.sleep(300); } catch (InterruptedException e) { }
        System.out.println("worker done");
      });
      t.start();
    }
  }
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from numlite import jvm
    api = jvm.runtime_classpath()
    out = tmp_path_factory.mktemp("app")
    src = out / "app" / "Main.java"
    src.parent.mkdir()
    src.write_text(APP)
    classes = out / "classes"
    subprocess.run(["javac", "-cp", api, "-d", str(classes), str(src)], check=True)
    jar = out / "app.jar"
    with zipfile.ZipFile(jar, "w") as z:
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: app.Main\n\n")
        z.write(classes / "app" / "Main.class", "app/Main.class")
    return {"classes": str(classes), "jar": str(jar), "dir": out}


def launch(*args, **kwargs):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("JDK_JAVA_OPTIONS", None)
    env.update(kwargs.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "numlite.jvm.launcher", *args],
                          capture_output=True, text=True, env=env, timeout=120, **kwargs)


def test_runs_main_with_classpath_properties_and_model(app):
    r = launch("-cp", app["classes"], "-Dapp.prop=v a l", "-ea", "-Xmx256m", "app.Main",
               "model", str(MODEL))
    assert r.returncode == 0, r.stderr
    assert "args=model|" + str(MODEL) + " prop=v a l ea=true" in r.stdout
    assert "sum=1" in r.stdout


def test_classpath_spellings_and_argfile(app, tmp_path):
    for flag in ("-classpath", "--class-path"):
        r = launch(flag, app["classes"], "app.Main", "x")
        assert r.returncode == 0 and "args=x" in r.stdout, r.stderr
    r = launch(f"--class-path={app['classes']}", "app.Main")
    assert r.returncode == 0, r.stderr
    argfile = tmp_path / "args"
    argfile.write_text(f'# options\n-cp "{app["classes"]}"\n"-Dapp.prop=from file"\n')
    r = launch(f"@{argfile}", "app.Main", "@not-expanded")
    assert r.returncode == 0, r.stderr
    assert "args=@not-expanded prop=from file" in r.stdout
    r = launch("app.Main", env={"CLASSPATH": app["classes"]})
    assert r.returncode == 0, r.stderr


def test_jar(app):
    r = launch("-jar", app["jar"], "a", "b")
    assert r.returncode == 0, r.stderr
    assert "args=a|b" in r.stdout


def test_exit_status_exceptions_and_threads(app):
    assert launch("-cp", app["classes"], "app.Main", "exit", "7").returncode == 7
    r = launch("-cp", app["classes"], "app.Main", "throw")
    assert r.returncode == 1
    assert 'Exception in thread "main" java.lang.IllegalStateException: boom' in r.stderr
    r = launch("-cp", app["classes"], "app.Main", "thread")
    assert r.returncode == 0 and "worker done" in r.stdout
    r = launch("-cp", app["classes"], "app.Nope")
    assert r.returncode == 1
    assert "Error: Could not find or load main class app.Nope" in r.stderr


def test_version_and_usage():
    r = launch("-version")
    assert r.returncode == 0
    assert "version" in r.stderr
    r = launch("--version")
    assert r.returncode == 0 and r.stdout
    assert launch().returncode == 1
    r = launch("-bogus", "app.Main")
    assert r.returncode == 1 and "Unrecognized option: -bogus" in r.stderr
