package org.tensorflow.lite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Conversions of every Java type the API accepts, on dtypes.tflite and strings.tflite. */
public class ConversionTest {
  static final File DTYPES = Corpus.model("dtypes.tflite");
  static final File STRINGS = Corpus.model("strings.tflite");

  static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  @Test
  public void floatToBoolIntLongUint8() {
    try (Interpreter it = new Interpreter(DTYPES)) {
      float[] x = {0f, 1.5f, 2.7f, -0f};
      boolean[] toBool = new boolean[4];
      int[] toInt32 = new int[4];
      long[] toInt64 = new long[4];
      byte[] toUint8 = new byte[4];
      it.runSignature(
          Corpus.map("x", x),
          Corpus.map("to_bool", toBool, "to_int32", toInt32, "to_int64", toInt64,
              "to_uint8", toUint8),
          "float_casts");
      assertArrayEquals(new boolean[] {false, true, true, false}, toBool);
      assertArrayEquals(new int[] {0, 1, 2, 0}, toInt32);
      assertArrayEquals(new long[] {0, 1, 2, 0}, toInt64);
      assertArrayEquals(new byte[] {0, 1, 2, 0}, toUint8);
      assertEquals(DataType.BOOL, it.getOutputTensorFromSignature("to_bool", "float_casts")
          .dataType());
      assertEquals(4, it.getOutputTensorFromSignature("to_bool", "float_casts").numBytes());
      // typed buffers for outputs (heap), ByteBuffer for the bool output
      IntBuffer ib = IntBuffer.allocate(4);
      LongBuffer lb = LongBuffer.allocate(4);
      ByteBuffer bb = ByteBuffer.allocate(4);
      it.runSignature(Corpus.map("x", x), Corpus.map("to_int32", ib, "to_int64", lb,
          "to_bool", bb), "float_casts");
      assertEquals(4, ib.position());
      assertEquals(2, ib.get(2));
      assertEquals(2L, lb.get(2));
      assertEquals(1, bb.get(1));
      // boolean outputs cannot be typed buffers; a ByteBuffer output of the wrong size fails
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("x", x), Corpus.map("to_int32", new long[4]),
              "float_casts"));
      assertEquals(
          "Cannot convert between a TensorFlowLite tensor with type INT32 and a Java object of"
              + " type [J (which is compatible with the TensorFlowLite type INT64).",
          e.getMessage());
    }
  }

  @Test
  public void int32AndInt64() {
    try (Interpreter it = new Interpreter(DTYPES)) {
      int[][] a = {{1, 2, 3}, {4, 5, 6}};
      int[] b = {10, 20, 30};
      int[][] sum = new int[2][3];
      int[][] product = new int[2][3];
      float[][] asFloat = new float[2][3];
      it.runSignature(Corpus.map("a", a, "b", b),
          Corpus.map("sum", sum, "product", product, "as_float", asFloat), "int32_ops");
      assertArrayEquals(new int[] {14, 25, 36}, sum[1]);
      assertArrayEquals(new int[] {40, 100, 180}, product[1]);
      assertArrayEquals(new float[] {4, 5, 6}, asFloat[1], 0f);
      // the same through IntBuffers: direct (no position change) and heap (position advances)
      IntBuffer da = direct(24).asIntBuffer();
      da.put(new int[] {1, 2, 3, 4, 5, 6});
      IntBuffer hb = IntBuffer.wrap(new int[] {10, 20, 30});
      IntBuffer out = IntBuffer.allocate(6);
      it.runSignature(Corpus.map("a", da, "b", hb), Corpus.map("sum", out), "int32_ops");
      assertEquals(6, da.position());
      assertEquals(3, hb.position());
      assertEquals(36, out.get(5));

      long[] x = {1L << 40, -3};
      long[] y = {2, 5};
      long[] lsum = new long[2];
      long[][] stacked = new long[2][2];
      int[] asInt32 = new int[2];
      it.runSignature(Corpus.map("a", x, "b", y),
          Corpus.map("sum", lsum, "stacked", stacked, "as_int32", asInt32), "int64_ops");
      assertArrayEquals(new long[] {(1L << 40) + 2, 2}, lsum);
      assertArrayEquals(new long[] {1L << 40, -3}, stacked[0]);
      assertArrayEquals(new long[] {2, 5}, stacked[1]);
      assertEquals(-3, asInt32[1]);
      LongBuffer la = LongBuffer.wrap(new long[] {7, 8});
      LongBuffer lout = direct(16).asLongBuffer();
      it.runSignature(Corpus.map("a", la, "b", LongBuffer.wrap(new long[] {1, 1})),
          Corpus.map("sum", lout), "int64_ops");
      assertEquals(9L, lout.get(1));
      assertEquals(2, lout.position());
    }
  }

  @Test
  public void uint8AndBool() {
    try (Interpreter it = new Interpreter(DTYPES)) {
      byte[][] pixels = {{1, 2}, {(byte) 200, (byte) 255}};
      int[] index = {1, 0};
      byte[][] gathered = new byte[2][2];
      byte[][] transposed = new byte[2][2];
      int[][] asInt32 = new int[2][2];
      byte[] flat = new byte[4];
      it.runSignature(Corpus.map("pixels", pixels, "index", index),
          Corpus.map("gathered", gathered, "transposed", transposed, "as_int32", asInt32,
              "flat", flat),
          "uint8_ops");
      assertArrayEquals(pixels[1], gathered[0]);
      assertArrayEquals(new byte[] {2, (byte) 255}, transposed[1]);
      assertArrayEquals(new int[] {200, 255}, asInt32[1]); // UINT8, not int8
      assertArrayEquals(new byte[] {1, 2, (byte) 200, (byte) 255}, flat);
      Tensor p = it.getInputTensorFromSignature("pixels", "uint8_ops");
      assertEquals(DataType.UINT8, p.dataType());
      assertEquals(1, DataType.UINT8.byteSize());

      boolean[][][] mask = {{{true, false, true, false}}, {{false, false, true, true}}};
      int[] pick = {0, 3};
      boolean[][] picked = new boolean[2][2];
      int[][] maskInt = new int[2][4];
      boolean[][][] expanded = new boolean[2][4][1];
      boolean[][] joined = new boolean[2][8];
      it.runSignature(Corpus.map("mask", mask, "index", pick),
          Corpus.map("picked", picked, "as_int32", maskInt, "expanded", expanded,
              "joined", joined),
          "bool_ops");
      assertArrayEquals(new boolean[] {true, false}, picked[0]);
      assertArrayEquals(new boolean[] {false, true}, picked[1]);
      assertArrayEquals(new int[] {0, 0, 1, 1}, maskInt[1]);
      assertTrue(expanded[1][3][0]);
      // boolean input through a ByteBuffer (raw bytes), bool output through a ByteBuffer
      ByteBuffer raw = direct(8);
      raw.put(new byte[] {1, 0, 0, 0, 0, 1, 0, 1});
      ByteBuffer out = ByteBuffer.allocate(4);
      it.runSignature(Corpus.map("mask", raw, "index", pick), Corpus.map("picked", out),
          "bool_ops");
      assertArrayEquals(new byte[] {1, 0, 0, 1}, out.array());
      // a short[] is INT16, never BOOL; a Byte scalar is UINT8
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(Corpus.map("mask", new short[2][1][4], "index", pick),
              new HashMap<>(), "bool_ops"));
      assertEquals(
          "Cannot convert between a TensorFlowLite tensor with type BOOL and a Java object of"
              + " type [[[S (which is compatible with the TensorFlowLite type INT16).",
          e.getMessage());
    }
  }

  @Test
  public void stringsOutAndIn() {
    try (Interpreter it = new Interpreter(STRINGS)) {
      String[] text = new String[3];
      it.runSignature(Corpus.map("x", new float[] {1.5f, -2f, 0f}), Corpus.map("text", text),
          "as_string_default");
      for (int i = 0; i < 3; i++) {
        assertEquals(new float[] {1.5f, -2f, 0f}[i], Float.parseFloat(text[i]), 0f);
      }
      assertEquals(DataType.STRING,
          it.getOutputTensorFromSignature("text", "as_string_default").dataType());
      // byte[] rows are strings of exact bytes (2-D string tensor)
      byte[][][] rows = {
        {"1".getBytes(StandardCharsets.UTF_8), "-2".getBytes(StandardCharsets.UTF_8)},
        {"30".getBytes(StandardCharsets.UTF_8), "4".getBytes(StandardCharsets.UTF_8)}
      };
      int[][] ints = new int[2][2];
      it.runSignature(Corpus.map("text", rows), Corpus.map("int32", ints), "to_int32");
      assertArrayEquals(new int[] {30, 4}, ints[1]);
      Tensor in = it.getInputTensorFromSignature("text", "to_int32");
      assertArrayEquals(new int[] {2, 2}, in.shape());
      assertEquals(-1, in.index());
      // string bytes in the tensor: TFLite's layout
      ByteBuffer data = in.asReadOnlyBuffer();
      assertEquals(4, data.getInt(0));
      assertEquals(data.capacity(), in.numBytes());
      // a float64 tensor has no Java DataType
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> it.getOutputTensorFromSignature("float64", "to_number"));
      assertEquals("DataType error: DataType 11 is not recognized in Java.", e.getMessage());
      float[] f32 = new float[2];
      it.runSignature(Corpus.map("text", new byte[][] {"1.5".getBytes(StandardCharsets.UTF_8),
              "-8".getBytes(StandardCharsets.UTF_8)}),
          Corpus.map("float32", f32), "to_number");
      assertArrayEquals(new float[] {1.5f, -8f}, f32, 0f);
    }
  }

  @Test
  public void javaStringsAreModifiedUtf8WithTerminatingNul() {
    try (Interpreter it = new Interpreter(STRINGS)) {
      String emoji = "\ud83d\ude00";
      try {
        it.runSignature(Corpus.map("text", new String[] {"1.5", emoji}), new HashMap<>(),
            "to_number");
      } catch (RuntimeException expected) {
        // tf.strings.to_number rejects the NUL TFLite's JNI code appends; the input is set
      }
      ByteBuffer data = it.getInputTensorFromSignature("text", "to_number").asReadOnlyBuffer();
      byte[] all = new byte[data.capacity()];
      data.get(all);
      byte[][] strings = Corpus.decodeStrings(all);
      assertArrayEquals(new byte[] {'1', '.', '5', 0}, strings[0]);
      assertArrayEquals(
          new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xb8,
              (byte) 0x80, 0},
          strings[1]);
    }
  }

  @Test
  public void scalarTensors() {
    try (Interpreter it = new Interpreter(STRINGS)) {
      ByteBuffer text = direct(64);
      it.runSignature(
          Corpus.map("text", "2.5".getBytes(StandardCharsets.UTF_8), "value", 1.25f),
          Corpus.map("text", text), "scalar");
      text.flip();
      byte[] all = new byte[text.remaining()];
      text.get(all);
      byte[][] strings = Corpus.decodeStrings(all);
      assertEquals(1, strings.length);
      assertEquals(1.25f, Float.parseFloat(new String(strings[0], StandardCharsets.UTF_8)), 0.051f);
      Tensor value = it.getInputTensorFromSignature("value", "scalar");
      assertEquals(0, value.numDimensions());
      assertEquals(1, value.numElements());
      assertEquals(4, value.numBytes());
      assertEquals(1.25f, value.asReadOnlyBuffer().getFloat(0), 0f);
      // scalar outputs cannot be read into arrays or boxed values
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(
              Corpus.map("text", "2.5".getBytes(StandardCharsets.UTF_8), "value", 1.25f),
              Corpus.map("text", "x"), "scalar"));
      assertEquals("Internal error: Cannot copy empty/scalar Tensors.", e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> it.runSignature(
              Corpus.map("text", "2.5".getBytes(StandardCharsets.UTF_8), "value", 1.25f),
              Corpus.map("text", new String[1]), "scalar"));
      assertEquals(
          "Cannot copy from a TensorFlowLite tensor (" + it.getOutputTensorFromSignature("text",
              "scalar").name() + ") with shape [] to a Java object with shape [1].",
          e.getMessage());
    }
  }

  @Test
  public void typeResolution() {
    assertEquals(DataType.FLOAT32, Marshal.dataTypeOf(new float[1][1], DataType.FLOAT32));
    assertEquals(DataType.INT32, Marshal.dataTypeOf(7, DataType.FLOAT32));
    assertEquals(DataType.INT16, Marshal.dataTypeOf(new short[2], DataType.INT16));
    assertEquals(DataType.INT16, Marshal.dataTypeOf(ShortBuffer.allocate(1), DataType.INT16));
    assertEquals(DataType.INT16, Marshal.dataTypeOf((short) 1, DataType.INT16));
    assertEquals(DataType.UINT8, Marshal.dataTypeOf((byte) 1, DataType.INT8));
    assertEquals(DataType.UINT8, Marshal.dataTypeOf(new byte[2], DataType.INT8));
    assertEquals(DataType.STRING, Marshal.dataTypeOf(new byte[2][2], DataType.STRING));
    assertEquals(DataType.STRING, Marshal.dataTypeOf("s", DataType.STRING));
    assertEquals(DataType.BOOL, Marshal.dataTypeOf(true, DataType.BOOL));
    assertEquals(DataType.INT64, Marshal.dataTypeOf(LongBuffer.allocate(1), DataType.INT64));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Marshal.dataTypeOf(new Float[1][1][1][1], DataType.FLOAT32));
    assertEquals("DataType error: cannot resolve DataType of [[[[Ljava.lang.Float;",
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Marshal.dataTypeOf(java.nio.DoubleBuffer.allocate(1), DataType.FLOAT32));
    assertArrayEquals(new int[] {2, 3}, Marshal.computeShapeOf(new byte[2][3][5], DataType.STRING));
    assertArrayEquals(new int[] {2, 3, 5}, Marshal.computeShapeOf(new byte[2][3][5], DataType.UINT8));
    assertArrayEquals(new int[0], Marshal.computeShapeOf(new byte[4], DataType.STRING));
    assertArrayEquals(new int[0], Marshal.computeShapeOf(1f, DataType.FLOAT32));
    assertEquals("INT8 and UINT8 share Java's byte", DataTypeUtils.toStringName(DataType.INT8),
        DataTypeUtils.toStringName(DataType.UINT8));
  }

  @Test
  public void stringEncodings() {
    String s = "a\u0000é\u20ac\ud83d\ude00";
    byte[] m = Marshal.modifiedUtf8(s, true);
    assertArrayEquals(
        new byte[] {'a', (byte) 0xc0, (byte) 0x80, (byte) 0xc3, (byte) 0xa9, (byte) 0xe2,
            (byte) 0x82, (byte) 0xac, (byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed,
            (byte) 0xb8, (byte) 0x80, 0},
        m);
    assertEquals(s, Marshal.javaString(m));
    // standard UTF-8 (what numpy/Python kernels write) decodes too, and a NUL ends the string
    assertEquals("\ud83d\ude00x", Marshal.javaString(
        "\ud83d\ude00x".getBytes(StandardCharsets.UTF_8)));
    assertEquals("ab", Marshal.javaString(new byte[] {'a', 'b', 0, 'c'}));
    List<byte[]> list = new ArrayList<>();
    list.add(new byte[] {1});
    list.add(new byte[0]);
    ByteBuffer b = Marshal.encodeStrings(list);
    assertEquals(4 + 12 + 1, b.capacity());
    byte[][] back = Marshal.decodeStrings(b);
    assertEquals(2, back.length);
    assertArrayEquals(new byte[] {1}, back[0]);
    assertEquals(0, back[1].length);
  }

  @Test
  public void sameInputsSameOutputsAcrossTypesOfContainers() {
    try (Interpreter it = new Interpreter(DTYPES)) {
      Map<String, Object> outputs = new HashMap<>();
      int[][] viaArray = new int[2][3];
      outputs.put("sum", viaArray);
      it.runSignature(Corpus.map("a", new int[][] {{1, 2, 3}, {4, 5, 6}}, "b", new int[] {1, 1, 1}),
          outputs, "int32_ops");
      ByteBuffer a = direct(24);
      a.asIntBuffer().put(new int[] {1, 2, 3, 4, 5, 6});
      ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
      b.asIntBuffer().put(new int[] {1, 1, 1});
      ByteBuffer out = direct(24);
      it.runSignature(Corpus.map("a", a, "b", b), Corpus.map("sum", out), "int32_ops");
      int[] flat = new int[6];
      out.flip();
      out.asIntBuffer().get(flat);
      assertEquals(Arrays.toString(viaArray[0]) + Arrays.toString(viaArray[1]),
          Arrays.toString(Arrays.copyOfRange(flat, 0, 3)) + Arrays.toString(
              Arrays.copyOfRange(flat, 3, 6)));
    }
  }

  @Test
  public void directNativeBuffersReachTheRuntimeWithoutACopy() {
    try (Interpreter it = new Interpreter(InterpreterTest.MLP)) {
      TensorImpl in = (TensorImpl) it.getInputTensor(0);
      ByteBuffer direct = direct(32);
      assertTrue(in.prepareInput(direct) == direct); // handed over as is, Python views it
      java.nio.FloatBuffer typed = direct(32).asFloatBuffer();
      assertTrue(in.prepareInput(typed) == typed);
      ByteBuffer heap = ByteBuffer.allocate(32);
      assertTrue(in.prepareInput(heap) != heap); // staged: heap memory has no address
    }
  }
}
