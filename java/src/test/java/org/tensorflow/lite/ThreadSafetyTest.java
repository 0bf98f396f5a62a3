package org.tensorflow.lite;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/** One interpreter shared by threads (calls serialised), several interpreters in parallel. */
public class ThreadSafetyTest {
  static final int THREADS = 8;
  static final int CALLS = 1000;

  private static int runMany(Interpreter it, int thread) {
    int checked = 0;
    float[] sum = new float[3];
    for (int c = 0; c < CALLS; c++) {
      float base = thread * 10000 + c;
      float[] x = {base, base + 1, base + 2};
      float[] y = {thread, -c, 0.5f};
      it.runSignature(Corpus.map("x", x, "y", y), Corpus.map("sum", sum), "add");
      for (int i = 0; i < 3; i++) {
        assertEquals("thread " + thread + " call " + c, x[i] + y[i], sum[i], 0f);
      }
      checked++;
    }
    return checked;
  }

  @Test
  public void oneInterpreterEightThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (Interpreter it = new Interpreter(Corpus.model("multi_signature.tflite"))) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        final int thread = t;
        results.add(pool.submit(() -> runMany(it, thread)));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get();
      }
      assertEquals(THREADS * CALLS, total);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  public void interpretersInParallel() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger done = new AtomicInteger();
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int thread = t;
        results.add(pool.submit(() -> {
          try (Interpreter it = new Interpreter(Corpus.model("multi_signature.tflite"))) {
            float[][] difference = new float[2][3];
            for (int c = 0; c < 200; c++) {
              float[][] m = {{thread, c, 1}, {2, 3, 4}};
              it.runSignature(Corpus.map("minuend", m, "subtrahend", new float[] {1, 1, 1}),
                  Corpus.map("difference", difference), "sub");
              assertEquals(c - 1f, difference[0][1], 0f);
            }
            done.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : results) {
        f.get();
      }
      assertEquals(4, done.get());
    } finally {
      pool.shutdown();
    }
  }
}
