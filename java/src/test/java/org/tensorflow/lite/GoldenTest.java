package org.tensorflow.lite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * Every signature of every corpus model, run through the Java API with the inputs the Python API
 * was given (numlite.jvm.golden): outputs must be byte-identical to the Python API's, with
 * arrays, with direct ByteBuffers and through run()/runForMultipleInputsOutputs.
 */
@RunWith(Parameterized.class)
public class GoldenTest {
  @Parameters(name = "{0}")
  public static List<Object[]> cases() {
    List<Object[]> out = new ArrayList<>();
    for (Corpus.GoldenCase c : Corpus.goldenCases()) {
      if (c.javaTypes) {
        out.add(new Object[] {c});
      }
    }
    return out;
  }

  private final Corpus.GoldenCase golden;

  public GoldenTest(Corpus.GoldenCase golden) {
    this.golden = golden;
  }

  private void checkOutputs(Map<String, Object> outputs) {
    for (Corpus.GoldenTensor t : golden.outputs.values()) {
      Object value = outputs.get(t.name);
      byte[] got;
      if (value instanceof ByteBuffer) {
        ByteBuffer b = (ByteBuffer) value;
        assertEquals(golden + " " + t.name + " position", t.bytes.length, b.position());
        got = new byte[t.bytes.length];
        b.flip();
        b.get(got);
      } else {
        got = Corpus.bytesOf(value, t.type);
      }
      assertArrayEquals(golden + " output " + t.name, t.bytes, got);
    }
  }

  @Test
  public void runSignatureWithArrays() {
    try (Interpreter interpreter = new Interpreter(golden.modelFile())) {
      Map<String, Object> outputs = golden.emptyOutputs();
      interpreter.runSignature(golden.arrayInputs(), outputs, golden.signature);
      checkOutputs(outputs);
      for (Corpus.GoldenTensor t : golden.outputs.values()) {
        Tensor tensor = interpreter.getOutputTensorFromSignature(t.name, golden.signature);
        assertArrayEquals(golden + " shape of " + t.name, t.shape, tensor.shape());
        assertEquals(t.type, tensor.dataType());
      }
      assertTrue(interpreter.getLastNativeInferenceDurationNanoseconds() > 0);
    }
  }

  private static void assertTrue(boolean b) {
    org.junit.Assert.assertTrue(b);
  }

  @Test
  public void runSignatureWithDirectBuffers() {
    try (Interpreter interpreter = new Interpreter(golden.modelFile())) {
      // arrays first: they resize unknown dimensions, buffers never do
      Map<String, Object> first = new HashMap<>();
      for (Corpus.GoldenTensor t : golden.outputs.values()) {
        first.put(t.name, null); // null outputs are skipped
      }
      interpreter.runSignature(golden.arrayInputs(), first, golden.signature);
      Map<String, Object> inputs = new HashMap<>();
      for (Corpus.GoldenTensor t : golden.inputs.values()) {
        inputs.put(t.name, t.direct());
      }
      Map<String, Object> outputs = new HashMap<>();
      for (Corpus.GoldenTensor t : golden.outputs.values()) {
        outputs.put(t.name, ByteBuffer.allocateDirect(t.bytes.length).order(Corpus.NATIVE));
      }
      interpreter.runSignature(inputs, outputs, golden.signature);
      checkOutputs(outputs);
      for (Corpus.GoldenTensor t : golden.outputs.values()) {
        ByteBuffer view =
            interpreter.getOutputTensorFromSignature(t.name, golden.signature).asReadOnlyBuffer();
        byte[] got = new byte[view.remaining()];
        view.get(got);
        assertArrayEquals(golden + " asReadOnlyBuffer " + t.name, t.bytes, got);
      }
    }
  }

  @Test
  public void runWithIndices() {
    try (Interpreter interpreter = new Interpreter(golden.modelFile())) {
      String[] names = golden.inputs.keySet().toArray(new String[0]);
      if (interpreter.getInputTensorFromSignature(names[0], golden.signature).index() < 0) {
        // run() only reaches the primary subgraph; other signatures' tensors have no index
        assertEquals(-1, interpreter.getOutputTensorFromSignature(
            golden.outputs.keySet().iterator().next(), golden.signature).index());
        return;
      }
      assertEquals(names.length, interpreter.getInputTensorCount());
      assertEquals(golden.outputs.size(), interpreter.getOutputTensorCount());
      Object[] inputs = new Object[names.length];
      for (Corpus.GoldenTensor t : golden.inputs.values()) {
        int index = interpreter.getInputTensorFromSignature(t.name, golden.signature).index();
        int position = -1;
        for (int i = 0; i < interpreter.getInputTensorCount(); i++) {
          if (interpreter.getInputTensor(i).index() == index) {
            position = i;
          }
        }
        assertEquals(position, interpreter.getInputIndex(interpreter.getInputTensor(position).name()));
        inputs[position] = t.array();
      }
      Map<Integer, Object> outputs = new HashMap<>();
      Map<String, Object> byName = new HashMap<>();
      for (Corpus.GoldenTensor t : golden.outputs.values()) {
        int index = interpreter.getOutputTensorFromSignature(t.name, golden.signature).index();
        for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
          if (interpreter.getOutputTensor(i).index() == index) {
            // a scalar has no Java array form: its output goes to a direct buffer
            Object array = t.shape.length == 0
                ? ByteBuffer.allocateDirect(t.bytes.length).order(ByteOrder.nativeOrder())
                : t.emptyArray();
            outputs.put(i, array);
            byName.put(t.name, array);
          }
        }
      }
      if (inputs.length == 1 && outputs.size() == 1) {
        interpreter.run(inputs[0], outputs.values().iterator().next());
      } else {
        interpreter.runForMultipleInputsOutputs(inputs, outputs);
      }
      checkOutputs(byName);
    }
  }

  @Test
  public void inputTensorsDescribeTheGoldenInputs() {
    try (Interpreter interpreter = new Interpreter(golden.modelFile())) {
      interpreter.runSignature(golden.arrayInputs(), new HashMap<>(), golden.signature);
      for (Corpus.GoldenTensor t : golden.inputs.values()) {
        Tensor tensor = interpreter.getInputTensorFromSignature(t.name, golden.signature);
        assertEquals(t.type, tensor.dataType());
        assertArrayEquals(t.shape, tensor.shape());
        assertEquals(t.shape.length, tensor.numDimensions());
        assertEquals(t.numElements(), tensor.numElements());
        assertEquals(t.bytes.length, tensor.numBytes());
        int[] signature = tensor.shapeSignature();
        assertEquals(Arrays.toString(signature), t.shape.length, signature.length);
      }
    }
  }
}
