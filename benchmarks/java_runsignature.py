"""Cost of runSignature from Java against SignatureRunner from Python (not a test).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/java_runsignature.py

Measures, in one process (Python hosts the JVM):
  * a one-op model (ADD of tests/models/multi_signature.tflite, two float[4] inputs): the
    median time per call of Python's SignatureRunner and of Java's runSignature (called in a
    Java loop), and the difference: what the Java API adds per call;
  * a 4 MB float input (1M float32, same model): Java with float[] in/out and with direct
    ByteBuffers in/out, against Python with numpy arrays.
The Java timing loop is compiled on the fly (javac) so no Java beyond numlite's is needed.
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))

from numlite import Interpreter  # noqa: E402
from numlite import jvm  # noqa: E402

MODEL = ROOT / "tests" / "models" / "multi_signature.tflite"

JAVA = r"""
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;

public class JavaBench {
  /** Median ns per runSignature over `rounds` rounds of `calls` calls, n floats per input. */
  public static long[] floats(String model, int n, int calls, int rounds) {
    try (Interpreter it = new Interpreter(new File(model))) {
      float[] x = new float[n], y = new float[n], sum = new float[n];
      for (int i = 0; i < n; i++) { x[i] = i; y[i] = 2 * i; }
      Map<String, Object> in = new HashMap<>(); in.put("x", x); in.put("y", y);
      Map<String, Object> out = new HashMap<>(); out.put("sum", sum);
      long[] t = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        long s = System.nanoTime();
        for (int c = 0; c < calls; c++) it.runSignature(in, out, "add");
        t[r] = (System.nanoTime() - s) / calls;
      }
      if (sum[n - 1] != 3 * (n - 1)) throw new AssertionError("wrong result " + sum[n - 1]);
      return t;
    }
  }

  public static long[] buffers(String model, int n, int calls, int rounds) {
    try (Interpreter it = new Interpreter(new File(model))) {
      it.resizeInput(0, new int[] {n});
      it.resizeInput(1, new int[] {n});
      ByteBuffer x = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
      ByteBuffer y = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
      ByteBuffer sum = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
      for (int i = 0; i < n; i++) { x.putFloat(4 * i, i); y.putFloat(4 * i, 2 * i); }
      Map<String, Object> in = new HashMap<>(); in.put("x", x); in.put("y", y);
      Map<String, Object> out = new HashMap<>(); out.put("sum", sum);
      long[] t = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        long s = System.nanoTime();
        for (int c = 0; c < calls; c++) { sum.clear(); it.runSignature(in, out, "add"); }
        t[r] = (System.nanoTime() - s) / calls;
      }
      if (sum.getFloat(4 * (n - 1)) != 3f * (n - 1)) throw new AssertionError("wrong result");
      return t;
    }
  }
}
"""


def python_runner(n, calls, rounds):
    it = Interpreter(model_path=str(MODEL))
    run = it.get_signature_runner("add")
    x = np.arange(n, dtype=np.float32)
    y = 2 * x
    times = []
    for _ in range(rounds):
        s = time.perf_counter_ns()
        for _ in range(calls):
            out = run(x=x, y=y)
        times.append((time.perf_counter_ns() - s) // calls)
    assert out["sum"][-1] == 3 * (n - 1)
    return times


def compile_bench(classpath):
    out = pathlib.Path(tempfile.mkdtemp(prefix="numlite-bench-"))
    (out / "JavaBench.java").write_text(JAVA)
    subprocess.run(["javac", "-cp", classpath, "-d", str(out), str(out / "JavaBench.java")],
                   check=True)
    return out


def fmt(ns):
    return f"{ns / 1000:8.1f} µs" if ns < 10_000_000 else f"{ns / 1e6:8.2f} ms"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--small-calls", type=int, default=2000)
    p.add_argument("--big-calls", type=int, default=20)
    args = p.parse_args()
    if os.environ.get("OPENBLAS_CORETYPE"):
        print("note: OPENBLAS_CORETYPE is set; run with env -u OPENBLAS_CORETYPE "
              "-u OPENBLAS_L2_SIZE for representative numbers", file=sys.stderr)
    classes = compile_bench(jvm.runtime_classpath())
    jvm.start_jvm(classpath=[str(classes)])
    from jpype import JClass
    bench = JClass("JavaBench")
    model = str(MODEL)

    rows = []
    n_small, n_big = 4, 1 << 20          # 16 bytes, 4 MB per input
    for label, n, calls in (("one-op ADD, float[4]", n_small, args.small_calls),
                            ("4 MB float input", n_big, args.big_calls)):
        # warm up both sides
        python_runner(n, max(1, calls // 10), 1)
        bench.floats(model, n, max(1, calls // 10), 1)
        py = statistics.median(python_runner(n, calls, args.rounds))
        jf = statistics.median(list(bench.floats(model, n, calls, args.rounds)))
        jb = statistics.median(list(bench.buffers(model, n, calls, args.rounds)))
        rows.append((label, py, jf, jb))

    print(f"{'case':24} {'Python runner':>14} {'Java float[]':>14} {'Java direct BB':>15}"
          f" {'added (float[])':>16} {'added (BB)':>12}")
    for label, py, jf, jb in rows:
        print(f"{label:24} {fmt(py):>14} {fmt(jf):>14} {fmt(jb):>15} {fmt(jf - py):>16}"
              f" {fmt(jb - py):>12}")


if __name__ == "__main__":
    main()
