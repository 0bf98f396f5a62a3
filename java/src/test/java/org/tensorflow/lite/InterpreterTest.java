package org.tensorflow.lite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Interpreter methods, options, lifecycle and error messages, on the test corpus. */
public class InterpreterTest {
  static final File MLP = Corpus.model("mlp.tflite");
  static final File MULTI = Corpus.model("multi_signature.tflite");
  static final String MLP_IN = "serving_default_features:0";
  static final String MLP_OUT = "StatefulPartitionedCall_1:0";

  static float[][] features(int batch) {
    float[][] x = new float[batch][8];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < 8; i++) {
        x[b][i] = (b + 1) * 0.1f * (i - 3);
      }
    }
    return x;
  }

  static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  static void assertMessage(String expected, Throwable t) {
    assertEquals(expected, t.getMessage());
  }

  static void assertContains(String part, Throwable t) {
    assertTrue("'" + t.getMessage() + "' should contain '" + part + "'",
        t.getMessage() != null && t.getMessage().contains(part));
  }

  // ---- construction -----------------------------------------------------------------------

  @Test
  public void constructorsFileAndBuffers() throws IOException {
    float[][] expected = new float[1][4];
    try (Interpreter it = new Interpreter(MLP)) {
      it.run(features(1), expected);
    }
    byte[] bytes = Files.readAllBytes(MLP.toPath());
    ByteBuffer model = direct(bytes.length);
    model.put(bytes);
    float[][] got = new float[1][4];
    try (Interpreter it = new Interpreter(model, new Interpreter.Options().setNumThreads(2))) {
      it.run(features(1), got);
    }
    assertArrayEquals(expected[0], got[0], 0f);
    try (RandomAccessFile f = new RandomAccessFile(MLP, "r");
        FileChannel channel = f.getChannel()) {
      MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
      try (Interpreter it = new Interpreter(mapped, null)) {
        it.run(features(1), got);
      }
    }
    assertArrayEquals(expected[0], got[0], 0f);
    try (Interpreter it = new Interpreter(MLP, null)) {
      assertEquals(1, it.getInputTensorCount());
    }
  }

  @Test
  public void heapModelBufferIsRejected() throws IOException {
    byte[] bytes = Files.readAllBytes(MLP.toPath());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Interpreter(ByteBuffer.wrap(bytes)));
    assertMessage(
        "Model ByteBuffer should be either a MappedByteBuffer of the model file, or a direct"
            + " ByteBuffer using ByteOrder.nativeOrder() which contains bytes of model content.",
        e);
  }

  @Test
  public void invalidModels() throws IOException {
    File junk = File.createTempFile("numlite", ".tflite");
    junk.deleteOnExit();
    Files.write(junk.toPath(), "not a flatbuffer at all".getBytes("UTF-8"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Interpreter(junk));
    assertContains(
        "Contents of " + junk.getAbsolutePath() + " does not encode a valid TensorFlow Lite model: ",
        e);
    File missing = new File(junk.getParentFile(), "numlite-missing-model.tflite");
    e = assertThrows(IllegalArgumentException.class, () -> new Interpreter(missing));
    assertContains("Could not open", e);
    ByteBuffer buffer = direct(64);
    buffer.put(new byte[64]);
    e = assertThrows(IllegalArgumentException.class, () -> new Interpreter(buffer));
    assertMessage("ByteBuffer is not a valid TensorFlow Lite model flatbuffer", e);
  }

  @Test
  public void delegatesThatCannotApplyAreErrors() {
    Delegate delegate = () -> 42L;
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Interpreter(MLP, new Interpreter.Options().addDelegate(delegate)));
    assertContains("Failed to apply delegate", e);
    assertThrows(
        IllegalArgumentException.class,
        () -> new Interpreter(MLP, new Interpreter.Options().addDelegateFactory(f -> delegate)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Interpreter(MLP, new Interpreter.Options().setUseNNAPI(true)));
  }

  @Test
  public void interpreterApiCreateAndFactory() throws IOException {
    try (InterpreterApi it = InterpreterApi.create(MLP, new InterpreterApi.Options())) {
      float[][] out = new float[2][4];
      it.run(features(2), out);
      assertEquals(1f, out[1][0] + out[1][1] + out[1][2] + out[1][3], 1e-5f);
    }
    byte[] bytes = Files.readAllBytes(MLP.toPath());
    ByteBuffer model = direct(bytes.length);
    model.put(bytes);
    try (InterpreterApi it = InterpreterApi.create(model, null)) {
      assertEquals(1, it.getOutputTensorCount());
    }
    @SuppressWarnings("deprecation")
    InterpreterFactory factory = new InterpreterFactory();
    try (InterpreterApi it = factory.create(MLP, null)) {
      assertEquals(1, it.getInputTensorCount());
    }
    assertThrows(
        IllegalStateException.class,
        () ->
            InterpreterApi.create(
                MLP,
                new InterpreterApi.Options()
                    .setRuntime(InterpreterApi.Options.TfLiteRuntime.FROM_SYSTEM_ONLY)));
  }

  @Test
  public void closeIsIdempotentAndUseAfterCloseThrows() {
    Interpreter it = new Interpreter(MLP);
    Tensor input = it.getInputTensor(0);
    it.close();
    it.close();
    String closed = "Internal error: The Interpreter has already been closed.";
    List<Runnable> uses =
        Arrays.asList(
            () -> it.run(features(1), new float[1][4]),
            () -> it.runForMultipleInputsOutputs(new Object[] {features(1)}, new HashMap<>()),
            () -> it.runSignature(Corpus.map("features", features(1)), new HashMap<>()),
            () -> it.runSignature(Corpus.map("features", features(1)), new HashMap<>(), "x"),
            it::allocateTensors,
            () -> it.resizeInput(0, new int[] {2, 8}),
            () -> it.resizeInput(0, new int[] {2, 8}, true),
            it::getInputTensorCount,
            it::getOutputTensorCount,
            () -> it.getInputIndex(MLP_IN),
            () -> it.getOutputIndex(MLP_OUT),
            () -> it.getInputTensor(0),
            () -> it.getOutputTensor(0),
            it::getSignatureKeys,
            () -> it.getSignatureInputs("serving_default"),
            () -> it.getSignatureOutputs("serving_default"),
            () -> it.getInputTensorFromSignature("features", null),
            () -> it.getOutputTensorFromSignature("output_0", null),
            it::getLastNativeInferenceDurationNanoseconds,
            it::resetVariableTensors,
            () -> it.setCancelled(true),
            input::asReadOnlyBuffer);
    for (Runnable use : uses) {
      IllegalStateException e = assertThrows(IllegalStateException.class, use::run);
      assertMessage(closed, e);
    }
  }

  // ---- options ---------------------------------------------------------------------------

  @Test
  public void optionsSettersGettersAndCopies() {
    InterpreterApi.Options api = new InterpreterApi.Options();
    assertEquals(-1, api.getNumThreads());
    assertFalse(api.getUseNNAPI());
    assertTrue(api.getUseXNNPACK());
    assertFalse(api.isCancellable());
    assertEquals(InterpreterApi.Options.TfLiteRuntime.FROM_APPLICATION_ONLY, api.getRuntime());
    assertNull(api.getAccelerationConfig());
    assertTrue(api.getDelegates().isEmpty());
    assertTrue(api.getDelegateFactories().isEmpty());
    Delegate d = () -> 1L;
    DelegateFactory f = flavor -> d;
    assertSame(
        api,
        api.setNumThreads(3)
            .setUseNNAPI(true)
            .setUseXNNPACK(false)
            .setCancellable(true)
            .addDelegate(d)
            .addDelegateFactory(f)
            .setRuntime(InterpreterApi.Options.TfLiteRuntime.PREFER_SYSTEM_OVER_APPLICATION)
            .setAccelerationConfig(o -> o.setNumThreads(4)));
    assertEquals(3, api.getNumThreads());
    assertTrue(api.getUseNNAPI());
    assertFalse(api.getUseXNNPACK());
    assertTrue(api.isCancellable());
    assertEquals(Arrays.asList(d), api.getDelegates());
    assertEquals(Arrays.asList(f), api.getDelegateFactories());
    assertThrows(UnsupportedOperationException.class, () -> api.getDelegates().add(d));
    InterpreterApi.Options copy = new InterpreterApi.Options(api);
    assertEquals(3, copy.getNumThreads());
    assertTrue(copy.isCancellable());
    assertEquals(api.getRuntime(), copy.getRuntime());
    assertSame(api.getAccelerationConfig(), copy.getAccelerationConfig());
    assertEquals(1, copy.getDelegates().size());

    Interpreter.Options o = new Interpreter.Options(api);
    assertEquals(3, o.getNumThreads());
    Interpreter.Options chained =
        new Interpreter.Options()
            .setNumThreads(1)
            .setUseXNNPACK(true)
            .setUseNNAPI(false)
            .setCancellable(true)
            .setAllowBufferHandleOutput(true)
            .setCompressQuantizationZeroPoints(true)
            .setRuntime(InterpreterApi.Options.TfLiteRuntime.FROM_APPLICATION_ONLY);
    @SuppressWarnings("deprecation")
    Interpreter.Options fp16 = chained.setAllowFp16PrecisionForFp32(true);
    assertSame(chained, fp16);
    assertTrue(chained.getCompressQuantizationZeroPoints());
    assertFalse(new Interpreter.Options().getCompressQuantizationZeroPoints());
    assertSame(chained, chained.addDelegate(d).addDelegateFactory(f));
    try (Interpreter it =
        new Interpreter(
            MLP, new Interpreter.Options().setAccelerationConfig(x -> x.setNumThreads(2)) == null
                ? null
                : new Interpreter.Options().setNumThreads(2))) {
      assertNotNull(it.getInputTensor(0));
    }
  }

  @Test
  public void runtimeInformation() {
    assertNotNull(TensorFlowLite.runtimeVersion());
    assertEquals("3", TensorFlowLite.schemaVersion());
    TensorFlowLite.init();
    assertArrayEquals(
        new DataType[] {
          DataType.FLOAT32, DataType.INT32, DataType.UINT8, DataType.INT64, DataType.STRING,
          DataType.BOOL, DataType.INT16, DataType.INT8
        },
        DataType.values());
    int[] sizes = {4, 4, 1, 8, -1, -1, 2, 1};
    for (int i = 0; i < sizes.length; i++) {
      assertEquals(DataType.values()[i].toString(), sizes[i], DataType.values()[i].byteSize());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataTypeUtils.fromC(0));
    assertMessage("DataType error: DataType 0 is not recognized in Java.", e);
  }

  // ---- tensors, indices, resize -----------------------------------------------------------

  @Test
  public void tensorsDescribeTheModel() {
    try (Interpreter it = new Interpreter(MLP)) {
      Tensor in = it.getInputTensor(0);
      assertEquals(DataType.FLOAT32, in.dataType());
      assertEquals(MLP_IN, in.name());
      assertArrayEquals(new int[] {1, 8}, in.shape());
      assertArrayEquals(new int[] {-1, 8}, in.shapeSignature());
      assertEquals(2, in.numDimensions());
      assertEquals(8, in.numElements());
      assertEquals(32, in.numBytes());
      assertEquals(0f, in.quantizationParams().getScale(), 0f);
      assertEquals(0, in.quantizationParams().getZeroPoint());
      assertTrue(in.index() >= 0);
      assertSame(in, it.getInputTensor(0));
      assertSame(in, it.getInputTensorFromSignature("features", null));
      Tensor out = it.getOutputTensor(0);
      assertEquals(MLP_OUT, out.name());
      assertArrayEquals(new int[] {1, 4}, out.shape());
      assertSame(out, it.getOutputTensorFromSignature("output_0", "serving_default"));
      assertEquals(0, it.getInputIndex(MLP_IN));
      assertEquals(0, it.getOutputIndex(MLP_OUT));
      assertEquals(3, it.getExecutionPlanLength());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> it.getInputIndex("WrongInputName"));
      assertMessage(
          "Input error: 'WrongInputName' is not a valid name for any input. Names of inputs and"
              + " their indexes are {" + MLP_IN + "=0}",
          e);
      e = assertThrows(IllegalArgumentException.class, () -> it.getOutputIndex("WrongName"));
      assertMessage(
          "Input error: 'WrongName' is not a valid name for any output. Names of outputs and"
              + " their indexes are {" + MLP_OUT + "=0}",
          e);
      e = assertThrows(IllegalArgumentException.class, () -> it.getInputTensor(1));
      assertMessage("Invalid input Tensor index: 1", e);
      e = assertThrows(IllegalArgumentException.class, () -> it.getOutputTensor(-1));
      assertMessage("Invalid output Tensor index: -1", e);
    }
  }

  @Test
  public void resizeAllocateAndShapes() {
    try (Interpreter it = new Interpreter(MLP)) {
      it.resizeInput(0, new int[] {5, 8});
      assertArrayEquals(new int[] {5, 8}, it.getInputTensor(0).shape());
      it.allocateTensors();
      assertArrayEquals(new int[] {5, 4}, it.getOutputTensor(0).shape());
      assertEquals(80, it.getOutputTensor(0).numBytes());
      it.resizeInput(0, new int[] {2, 8}, true);
      assertArrayEquals(new int[] {2, 8}, it.getInputTensor(0).shape());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> it.resizeInput(0, new int[] {2, 9}, true));
      assertContains("Internal error: Failed to resize 0-th input: ", e);
      assertContains(
          "ResizeInputTensorStrict only allows mutating unknown dimensions identified by -1", e);
      e = assertThrows(IllegalArgumentException.class, () -> it.resizeInput(3, new int[] {1}));
      assertMessage("Input error: Can not resize 3-th input for a model having 1 inputs.", e);
      // implicit resize from the input's shape, then the outputs follow
      float[][] out = new float[3][4];
      it.run(features(3), out);
      assertArrayEquals(new int[] {3, 8}, it.getInputTensor(0).shape());
      assertArrayEquals(new int[] {3, 4}, it.getOutputTensor(0).shape());
      for (float[] row : out) {
        assertEquals(1f, row[0] + row[1] + row[2] + row[3], 1e-5f);
      }
    }
  }

  @Test
  public void durationAndVariablesAndCancellation() {
    try (Interpreter it = new Interpreter(MLP)) {
      assertNull(it.getLastNativeInferenceDurationNanoseconds());
      it.run(features(1), new float[1][4]);
      assertTrue(it.getLastNativeInferenceDurationNanoseconds() > 0);
      assertThrows(IllegalArgumentException.class, () -> it.run(features(1), new float[2][4]));
      assertNull(it.getLastNativeInferenceDurationNanoseconds());
      it.resetVariableTensors();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> it.setCancelled(true));
      assertMessage(
          "Cannot cancel the inference. Have you called InterpreterApi.Options.setCancellable?", e);
    }
    try (Interpreter it = new Interpreter(MLP, new Interpreter.Options().setCancellable(true))) {
      it.setCancelled(true);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> it.run(features(1), new float[1][4]));
      assertMessage(
          "Internal error: Failed to run on the given Interpreter: Client requested cancel during"
              + " Invoke()",
          e);
      it.setCancelled(false);
      it.run(features(1), new float[1][4]);
    }
  }

  // ---- run: checks and messages -----------------------------------------------------------

  @Test
  public void runArgumentErrors() {
    try (Interpreter it = new Interpreter(MLP)) {
      IllegalArgumentException e;
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runForMultipleInputsOutputs(new Object[0], new HashMap<>()));
      assertMessage("Input error: Inputs should not be null or empty.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runForMultipleInputsOutputs(null, new HashMap<>()));
      assertMessage("Input error: Inputs should not be null or empty.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runForMultipleInputsOutputs(new Object[] {features(1)}, null));
      assertMessage("Input error: Outputs should not be null.", e);
      e = assertThrows(IllegalArgumentException.class, () -> it.run(null, new float[1][4]));
      assertMessage("Null inputs are allowed only if the Tensor is bound to a buffer handle.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runForMultipleInputsOutputs(new Object[] {features(1), features(1)},
              new HashMap<>()));
      assertMessage("Invalid input Tensor index: 1", e);
      Map<Integer, Object> outputs = new HashMap<>();
      outputs.put(5, new float[1][4]);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runForMultipleInputsOutputs(new Object[] {features(1)}, outputs));
      assertMessage("Invalid output Tensor index: 5", e);
    }
  }

  @Test
  public void conversionErrors() {
    try (Interpreter it = new Interpreter(MLP)) {
      IllegalArgumentException e;
      e = assertThrows(IllegalArgumentException.class, () -> it.run(new int[1][8], new float[1][4]));
      assertMessage(
          "Cannot convert between a TensorFlowLite tensor with type FLOAT32 and a Java object of"
              + " type [[I (which is compatible with the TensorFlowLite type INT32).",
          e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.run(new Float[1][8], new float[1][4]));
      assertMessage("DataType error: cannot resolve DataType of [[Ljava.lang.Float;", e);
      e = assertThrows(IllegalArgumentException.class, () -> it.run(2.0, new float[1][4]));
      assertMessage("DataType error: cannot resolve DataType of java.lang.Double", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.run(new double[1][8], new float[1][4]));
      assertMessage("DataType error: cannot resolve DataType of [[D", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.run(new float[0][8], new float[1][4]));
      assertMessage("Array lengths cannot be 0.", e);
      float[][] jagged = {new float[8], new float[7]};
      e = assertThrows(IllegalArgumentException.class, () -> it.run(jagged, new float[2][4]));
      assertMessage("Mismatched lengths (8 and 7) in dimension 1", e);
      e = assertThrows(IllegalArgumentException.class, () -> it.run(features(3), new float[2][4]));
      assertMessage(
          "Cannot copy from a TensorFlowLite tensor (" + MLP_OUT + ") with shape [3, 4] to a"
              + " Java object with shape [2, 4].",
          e);
      e = assertThrows(IllegalArgumentException.class, () -> it.run(features(3), new int[3][4]));
      assertMessage(
          "Cannot convert between a TensorFlowLite tensor with type FLOAT32 and a Java object of"
              + " type [[I (which is compatible with the TensorFlowLite type INT32).",
          e);
      // buffers never resize: the input is [3, 8] now
      e = assertThrows(IllegalArgumentException.class, () -> it.run(direct(28), direct(48)));
      assertMessage(
          "Cannot copy to a TensorFlowLite tensor (" + MLP_IN + ") with 96 bytes from a Java"
              + " Buffer with 28 bytes.",
          e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.run(FloatBuffer.allocate(7), direct(48)));
      assertMessage(
          "Cannot copy to a TensorFlowLite tensor (" + MLP_IN + ") with 96 bytes from a Java"
              + " Buffer with 28 bytes.",
          e);
      e = assertThrows(IllegalArgumentException.class, () -> it.run(direct(96), direct(44)));
      assertMessage(
          "Cannot copy from a TensorFlowLite tensor (" + MLP_OUT + ") with 48 bytes to a Java"
              + " Buffer with 44 bytes.",
          e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.run(java.nio.IntBuffer.allocate(24), direct(48)));
      assertContains("Cannot convert between a TensorFlowLite tensor with type FLOAT32 and a Java"
          + " object of type java.nio.HeapIntBuffer", e);
      // a Java scalar resizes the input to [] (then the model cannot be prepared)
      IllegalStateException s =
          assertThrows(IllegalStateException.class, () -> it.run(1.5f, FloatBuffer.allocate(4)));
      assertContains("Internal error: Unexpected failure when preparing tensor allocations: ", s);
    }
  }

  @Test
  public void buffersAndPositions() {
    try (Interpreter it = new Interpreter(MLP)) {
      float[][] expected = new float[2][4];
      it.run(features(2), expected);
      float[] flat = new float[16];
      for (int b = 0; b < 2; b++) {
        System.arraycopy(features(2)[b], 0, flat, 0 + 0, 0);
      }
      float[][] f2 = features(2);
      ByteBuffer in = direct(64);
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < 8; i++) {
          in.putFloat(f2[b][i]);
        }
      }
      // direct native-order input: copied from its start, position untouched
      int position = in.position();
      ByteBuffer out = direct(64); // larger than needed is fine
      it.run(in, out);
      assertEquals(position, in.position());
      assertEquals(32, out.position());
      out.flip();
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < 4; i++) {
          assertEquals(expected[b][i], out.getFloat(), 0f);
        }
      }
      // heap ByteBuffer: copied from its position, which advances
      ByteBuffer heap = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
      in.clear();
      heap.put(in);
      heap.rewind();
      FloatBuffer fout = FloatBuffer.allocate(9);
      it.run(heap, fout);
      assertEquals(64, heap.position());
      assertEquals(8, fout.position());
      for (int i = 0; i < 8; i++) {
        assertEquals(expected[i / 4][i % 4], fout.get(i), 0f);
      }
      // typed buffers, heap and direct
      FloatBuffer fin = FloatBuffer.wrap(new float[16]);
      in.rewind();
      fin.put(in.asFloatBuffer());
      fin.rewind();
      FloatBuffer dout = direct(32).asFloatBuffer();
      it.run(fin, dout);
      assertEquals(16, fin.position());
      assertEquals(8, dout.position());
      assertEquals(expected[1][3], dout.get(7), 0f);
      FloatBuffer din = in.asFloatBuffer();
      din.position(3); // direct native order: position ignored, not moved
      it.run(din, dout.clear());
      assertEquals(3, din.position());
      assertEquals(expected[1][3], dout.get(7), 0f);
      // an output buffer with too little room left
      ByteBuffer small = direct(48);
      small.position(40);
      assertThrows(BufferOverflowException.class, () -> it.run(features(2), small));
    }
  }

  @Test
  public void nullOutputsAreSkippedAndTensorsStayReadable() {
    try (Interpreter it = new Interpreter(MLP)) {
      float[][] expected = new float[1][4];
      it.run(features(1), expected);
      it.resizeInput(0, new int[] {1, 8});
      Map<Integer, Object> outputs = new HashMap<>();
      outputs.put(0, null);
      it.runForMultipleInputsOutputs(new Object[] {features(1)}, outputs);
      it.runForMultipleInputsOutputs(new Object[] {features(1)}, new HashMap<>());
      ByteBuffer view = it.getOutputTensor(0).asReadOnlyBuffer();
      assertTrue(view.isReadOnly());
      assertEquals(ByteOrder.nativeOrder(), view.order());
      assertEquals(16, view.capacity());
      for (int i = 0; i < 4; i++) {
        assertEquals(expected[0][i], view.getFloat(4 * i), 0f);
      }
      assertThrows(ReadOnlyBufferException.class, () -> view.putFloat(0, 1f));
      ByteBuffer input = it.getInputTensor(0).asReadOnlyBuffer();
      assertEquals(features(1)[0][7], input.getFloat(28), 0f);
    }
  }

  // ---- signatures --------------------------------------------------------------------------

  @Test
  public void signatureLists() {
    try (Interpreter it = new Interpreter(MULTI)) {
      assertArrayEquals(new String[] {"add", "sub"}, it.getSignatureKeys());
      assertArrayEquals(new String[] {"x", "y"}, it.getSignatureInputs("add"));
      assertArrayEquals(new String[] {"sum"}, it.getSignatureOutputs("add"));
      assertArrayEquals(new String[] {"minuend", "subtrahend"}, it.getSignatureInputs("sub"));
      assertArrayEquals(new String[] {"difference"}, it.getSignatureOutputs("sub"));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> it.getSignatureInputs("nope"));
      assertMessage("Input error: Signature nope not found.", e);
      assertTrue(it.getInputTensorFromSignature("x", "add").index() >= 0);
      assertEquals(-1, it.getInputTensorFromSignature("minuend", "sub").index());
      assertEquals(-1, it.getOutputTensorFromSignature("difference", "sub").index());
      assertArrayEquals(new int[] {2, 3},
          it.getInputTensorFromSignature("minuend", "sub").shapeSignature());
      e = assertThrows(IllegalArgumentException.class,
          () -> it.getInputTensorFromSignature(null, "add"));
      assertMessage("Invalid input tensor name provided (null)", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.getOutputTensorFromSignature(null, "add"));
      assertMessage("Invalid output tensor name provided (null)", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.getInputTensorFromSignature("z", "add"));
      assertMessage("Input error: input z not found.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.getOutputTensorFromSignature("z", "add"));
      assertMessage("Input error: output z not found.", e);
      String keyError =
          "Input error: SignatureDef signatureKey should not be null. null is only allowed if the"
              + " model has a single Signature. Available Signatures: [add, sub]";
      e = assertThrows(IllegalArgumentException.class,
          () -> it.getInputTensorFromSignature("x", null));
      assertMessage(keyError, e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("x", new float[] {1}), new HashMap<>()));
      assertMessage(keyError, e);
    }
  }

  @Test
  public void runSignatureOnPrimaryAndOtherSubgraphs() {
    try (Interpreter it = new Interpreter(MULTI)) {
      float[] sum = new float[3];
      it.runSignature(
          Corpus.map("x", new float[] {1, 2, 3}, "y", new float[] {10, 20, 30}),
          Corpus.map("sum", sum), "add");
      assertArrayEquals(new float[] {11, 22, 33}, sum, 0f);
      // run() by position: input 0 of subgraph 0 is y, input 1 is x
      int xIndex = it.getInputIndex(it.getInputTensorFromSignature("x", "add").name());
      Object[] inputs = new Object[2];
      inputs[xIndex] = new float[] {1, 1};
      inputs[1 - xIndex] = new float[] {5, 6};
      Map<Integer, Object> outputs = new HashMap<>();
      float[] out = new float[2];
      outputs.put(0, out);
      it.runForMultipleInputsOutputs(inputs, outputs);
      assertArrayEquals(new float[] {6, 7}, out, 0f);
    }
    try (Interpreter it = new Interpreter(MULTI)) {
      float[][] difference = new float[2][3];
      it.runSignature(
          Corpus.map(
              "minuend", new float[][] {{1, 2, 3}, {4, 5, 6}},
              "subtrahend", new float[] {1, 1, 1}),
          Corpus.map("difference", difference), "sub");
      assertArrayEquals(new float[] {0, 1, 2}, difference[0], 0f);
      assertArrayEquals(new float[] {3, 4, 5}, difference[1], 0f);
      assertTrue(it.getLastNativeInferenceDurationNanoseconds() > 0);
      assertArrayEquals(new int[] {2, 3},
          it.getOutputTensorFromSignature("difference", "sub").shape());
      IllegalArgumentException e;
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(new HashMap<>(), new HashMap<>(), "sub"));
      assertMessage("Input error: Inputs should not be null or empty.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("minuend", new float[2][3]), null, "sub"));
      assertMessage("Input error: Outputs should not be null.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("m", new float[2][3]), new HashMap<>(), "sub"));
      assertMessage("Input error: input m not found.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("minuend", new float[2][3], "subtrahend",
              new float[3]), Corpus.map("d", new float[2][3]), "sub"));
      assertMessage("Input error: output d not found.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("x", new float[2]), new HashMap<>(), "mul"));
      assertMessage("Input error: Signature mul not found.", e);
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("z", new float[2]), new HashMap<>(), "add"));
      assertMessage("Input error: input z not found.", e);
      // partial input map on subgraph 0: TFLite's quirk (array sized by the map)
      assertThrows(ArrayIndexOutOfBoundsException.class,
          () -> it.runSignature(Corpus.map(
              it.getInputTensor(1).name().contains("x") ? "x" : "y", new float[2]),
              new HashMap<>(), "add"));
    }
  }

  @Test
  public void runSignatureSingleSignatureDefaults() {
    try (Interpreter it = new Interpreter(MLP)) {
      assertArrayEquals(new String[] {"serving_default"}, it.getSignatureKeys());
      float[][] a = new float[2][4];
      float[][] b = new float[2][4];
      it.runSignature(Corpus.map("features", features(2)), Corpus.map("output_0", a));
      it.runSignature(Corpus.map("features", features(2)), Corpus.map("output_0", b), null);
      assertArrayEquals(a[1], b[1], 0f);
      it.runSignature(Corpus.map("features", features(2)), Corpus.map("output_0", null));
    }
  }

  @Test
  public void invokeFailuresOnPrimaryAndOtherSubgraphs() {
    File dtypes = Corpus.model("dtypes.tflite");
    try (Interpreter it = new Interpreter(dtypes)) {
      // uint8_ops is not subgraph 0: an invoke failure is an IllegalStateException
      IllegalStateException s = assertThrows(IllegalStateException.class,
          () -> it.runSignature(
              Corpus.map("index", new int[] {7}, "pixels", new byte[][] {{1, 2}, {3, 4}}),
              Corpus.map("gathered", new byte[1][2]), "uint8_ops"));
      assertContains("Internal error: Failed to run on the given Interpreter: ", s);
      assertNull(it.getLastNativeInferenceDurationNanoseconds());
      // bool_ops is subgraph 0: an IllegalArgumentException
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(
              Corpus.map("index", new int[] {9, 9}, "mask", new boolean[1][1][4]),
              Corpus.map("picked", new boolean[1][2]), "bool_ops"));
      assertContains("Internal error: Failed to run on the given Interpreter: ", e);
    }
  }
}
