package org.tensorflow.lite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * On-device training from Java (issue 4): the train / infer / save / restore signatures of
 * tests/models/stateful/training.tflite through runSignature. The golden sequence (infer, 12
 * train steps, infer) was run by the Python API (numlite.jvm.golden.training_sequence, itself
 * checked against ai-edge-litert and TensorFlow by tests/test_stateful_training.py); Java must
 * give the same bytes at every step, then save and restore the trained weights.
 */
public class TrainingTest {
  private static final List<Corpus.GoldenCase> SEQUENCE = Corpus.sequence("training");

  private static Map<String, Object> run(Interpreter interpreter, Corpus.GoldenCase call) {
    Map<String, Object> outputs = call.emptyOutputs();
    interpreter.runSignature(call.arrayInputs(), outputs, call.signature);
    return outputs;
  }

  private static byte[] bytes(Object value, DataType type) {
    if (value instanceof ByteBuffer) {
      ByteBuffer b = (ByteBuffer) value;
      byte[] out = new byte[b.position()];
      b.flip();
      b.get(out);
      b.rewind();
      return out;
    }
    return Corpus.bytesOf(value, type);
  }

  private static void assertSameOutputs(String what, Corpus.GoldenCase call, Map<String, Object> got) {
    for (Corpus.GoldenTensor t : call.outputs.values()) {
      assertArrayEquals(what + " " + t.name, t.bytes, bytes(got.get(t.name), t.type));
    }
  }

  private static Corpus.GoldenCase first(String signature) {
    return SEQUENCE.stream().filter(c -> c.signature.equals(signature)).findFirst().get();
  }

  private static Corpus.GoldenCase last(String signature) {
    Corpus.GoldenCase found = null;
    for (Corpus.GoldenCase c : SEQUENCE) {
      if (c.signature.equals(signature)) {
        found = c;
      }
    }
    return found;
  }

  /** Replays the whole golden sequence on a new interpreter; returns it trained. */
  private static Interpreter trained(List<Float> losses) {
    Interpreter interpreter = new Interpreter(SEQUENCE.get(0).modelFile());
    for (int step = 0; step < SEQUENCE.size(); step++) {
      Corpus.GoldenCase call = SEQUENCE.get(step);
      Map<String, Object> outputs = run(interpreter, call);
      assertSameOutputs("step " + step + " (" + call.signature + ")", call, outputs);
      if (call.signature.equals("train")) {
        losses.add(((ByteBuffer) outputs.get("loss")).getFloat(0));
      }
    }
    return interpreter;
  }

  @Test
  public void signatures() {
    try (Interpreter interpreter = new Interpreter(SEQUENCE.get(0).modelFile())) {
      String[] keys = interpreter.getSignatureKeys();
      Arrays.sort(keys);
      assertArrayEquals(new String[] {"infer", "restore", "save", "train"}, keys);
      assertArrayEquals(new String[] {"x", "y"}, sorted(interpreter.getSignatureInputs("train")));
      assertArrayEquals(
          new String[] {"logits", "probabilities"}, sorted(interpreter.getSignatureOutputs("infer")));
    }
  }

  private static String[] sorted(String[] names) {
    String[] copy = names.clone();
    Arrays.sort(copy);
    return copy;
  }

  @Test
  public void trainStepsGiveThePythonLossesAndTheLossGoesDown() {
    List<Float> losses = new java.util.ArrayList<>();
    try (Interpreter interpreter = trained(losses)) {
      assertEquals(12, losses.size());
      float early = (losses.get(0) + losses.get(1) + losses.get(2) + losses.get(3)) / 4;
      int n = losses.size();
      float late = (losses.get(n - 1) + losses.get(n - 2) + losses.get(n - 3) + losses.get(n - 4)) / 4;
      assertTrue("losses " + losses, late < 0.8f * early);
    }
  }

  @Test
  public void saveThenRestoreInAFreshInterpreter() throws IOException {
    File dir = Files.createTempDirectory("numlite-training").toFile();
    File checkpoint = new File(dir, "weights.ckpt");
    Corpus.GoldenCase before = first("infer");
    Corpus.GoldenCase after = last("infer");
    try (Interpreter interpreter = trained(new java.util.ArrayList<>())) {
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("checkpoint_path", checkpoint.getPath());
      interpreter.runSignature(inputs, new HashMap<>(), "save");
      assertTrue(checkpoint + " written", checkpoint.length() > 0);
    }
    try (Interpreter fresh = new Interpreter(before.modelFile())) {
      assertSameOutputs("untrained infer", before, run(fresh, before));
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("checkpoint_path", checkpoint.getPath().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Map<String, Object> restored = new HashMap<>();
      restored.put("w1", new float[4][8]);
      fresh.runSignature(inputs, restored, "restore");
      float[][] w1 = (float[][]) restored.get("w1");
      assertFalse("restored w1 is all zero", Arrays.stream(w1).allMatch(r -> allZero(r)));
      assertSameOutputs("infer after restore", after, run(fresh, after));
    } finally {
      checkpoint.delete();
      dir.delete();
    }
  }

  private static boolean allZero(float[] row) {
    for (float v : row) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  public void restoreOfAMissingCheckpointFailsAndKeepsTheWeights() {
    // (the path is a Java String: it enters the tensor with TFLite's terminating NUL byte)
    Corpus.GoldenCase before = first("infer");
    try (Interpreter interpreter = new Interpreter(before.modelFile())) {
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("checkpoint_path", new File("/nonexistent/numlite.ckpt").getPath());
      Map<String, Object> outputs = new HashMap<>();
      // a failed run of a signature other than the primary subgraph's is an ISE in TFLite
      IllegalStateException e =
          org.junit.Assert.assertThrows(
              IllegalStateException.class, () -> interpreter.runSignature(inputs, outputs, "restore"));
      assertTrue(e.getMessage(), e.getMessage().contains("Failed to find any matching files"));
      assertSameOutputs("infer after a failed restore", before, run(interpreter, before));
    }
  }
}
