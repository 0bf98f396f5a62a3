package org.tensorflow.lite;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The test corpus (tests/models) and the golden inputs/outputs the Python API wrote for it
 * (numlite.jvm.golden, run by Gradle before the tests).
 */
final class Corpus {
  private Corpus() {}

  static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  static File modelsDir() {
    return new File(System.getProperty("numlite.models", "tests/models"));
  }

  static File examplesDir() {
    return new File(System.getProperty("numlite.examples", "examples/models"));
  }

  static File goldenDir() {
    return new File(System.getProperty("numlite.golden", "build/golden"));
  }

  static File model(String name) {
    return new File(modelsDir(), name);
  }

  static List<File> models() {
    File[] files = modelsDir().listFiles((d, n) -> n.endsWith(".tflite"));
    List<File> out = new ArrayList<>();
    if (files != null) {
      out.addAll(Arrays.asList(files));
      out.sort(null);
    }
    return out;
  }

  /** One tensor of a golden case. */
  static final class GoldenTensor {
    final String name;
    final DataType type;
    final int[] shape;
    final byte[] bytes;

    GoldenTensor(String name, DataType type, int[] shape, byte[] bytes) {
      this.name = name;
      this.type = type;
      this.shape = shape;
      this.bytes = bytes;
    }

    ByteBuffer direct() {
      ByteBuffer b = ByteBuffer.allocateDirect(bytes.length).order(NATIVE);
      b.put(bytes);
      b.clear();
      return b;
    }

    /** The value as a Java array (byte[] rows for strings), or a boxed scalar for shape []. */
    Object array() {
      if (type == DataType.STRING) {
        byte[][] strings = decodeStrings(bytes);
        if (shape.length == 0) {
          return strings[0];
        }
        Object a = newArray(byte[].class, shape);
        fillStrings(a, strings, new int[] {0}, shape.length);
        return a;
      }
      if (shape.length == 0) {
        return scalar();
      }
      Object a = newArray(elementClass(type), shape);
      Marshal.readArray(direct(), type, a);
      return a;
    }

    Object scalar() {
      ByteBuffer b = direct();
      switch (type) {
        case FLOAT32:
          return b.getFloat(0);
        case INT32:
          return b.getInt(0);
        case INT64:
          return b.getLong(0);
        case INT16:
          return b.getShort(0);
        case UINT8:
        case INT8:
          return b.get(0);
        case BOOL:
          return b.get(0) != 0;
        default:
          throw new AssertionError(type);
      }
    }

    /** An empty output array of this tensor's shape and type. */
    Object emptyArray() {
      if (type == DataType.STRING) {
        return newArray(String.class, shape); // compared as UTF-8 (ASCII corpus strings)
      }
      return newArray(elementClass(type), shape);
    }

    int numElements() {
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /** Inputs and outputs of one signature run by the Python API. */
  static final class GoldenCase {
    final String model;
    final String signature;
    final boolean javaTypes;
    final Map<String, GoldenTensor> inputs = new LinkedHashMap<>();
    final Map<String, GoldenTensor> outputs = new LinkedHashMap<>();

    GoldenCase(String model, String signature, boolean javaTypes) {
      this.model = model;
      this.signature = signature;
      this.javaTypes = javaTypes;
    }

    File modelFile() {
      return model(model);
    }

    /** The inputs as Java arrays (runSignature's input map). */
    Map<String, Object> arrayInputs() {
      Map<String, Object> inputs = new HashMap<>();
      for (GoldenTensor t : this.inputs.values()) {
        inputs.put(t.name, t.array());
      }
      return inputs;
    }

    /** Empty output arrays; a scalar has no Java array form (TFLite), so a direct buffer. */
    Map<String, Object> emptyOutputs() {
      Map<String, Object> outputs = new HashMap<>();
      for (GoldenTensor t : this.outputs.values()) {
        outputs.put(
            t.name,
            t.shape.length == 0
                ? ByteBuffer.allocateDirect(t.bytes.length).order(NATIVE)
                : t.emptyArray());
      }
      return outputs;
    }

    @Override
    public String toString() {
      return model + "[" + signature + "]";
    }
  }

  static List<GoldenCase> goldenCases() {
    List<GoldenCase> cases = new ArrayList<>();
    File[] modelDirs = goldenDir().listFiles(File::isDirectory);
    if (modelDirs == null) {
      return cases;
    }
    Arrays.sort(modelDirs);
    for (File m : modelDirs) {
      if (m.getName().equals(SEQUENCES)) {
        continue;
      }
      File[] sigDirs = m.listFiles(File::isDirectory);
      if (sigDirs == null) {
        continue;
      }
      Arrays.sort(sigDirs);
      for (File s : sigDirs) {
        File index = new File(s, "index.txt");
        if (index.exists()) {
          cases.add(readCase(s, index));
        }
      }
    }
    return cases;
  }

  /** Golden sequences (goldenDir()/sequences/NAME/NN_signature/): calls to replay in order. */
  static final String SEQUENCES = "sequences";

  static List<GoldenCase> sequence(String name) {
    File[] steps = new File(new File(goldenDir(), SEQUENCES), name).listFiles(File::isDirectory);
    if (steps == null || steps.length == 0) {
      throw new AssertionError("no golden sequence " + name + " in " + goldenDir()
          + ": run gradle goldens (python -m numlite.jvm.golden)");
    }
    Arrays.sort(steps);
    List<GoldenCase> cases = new ArrayList<>();
    for (File step : steps) {
      cases.add(readCase(step, new File(step, "index.txt")));
    }
    return cases;
  }

  private static GoldenCase readCase(File dir, File index) {
    try {
      List<String> lines = Files.readAllLines(index.toPath(), StandardCharsets.UTF_8);
      String model = null;
      String signature = null;
      boolean javaTypes = !lines.contains("unsupported-type");
      List<String[]> tensors = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("model ")) {
          model = line.substring(6);
        } else if (line.startsWith("signature ")) {
          signature = line.substring(10);
        } else if (line.startsWith("input ") || line.startsWith("output ")) {
          tensors.add(line.split(" "));
        }
      }
      GoldenCase c = new GoldenCase(model, signature, javaTypes);
      for (String[] t : tensors) {
        int code = Integer.parseInt(t[2]);
        DataType type = null;
        for (DataType d : DataType.values()) {
          if (d.c() == code) {
            type = d;
          }
        }
        int[] shape =
            t[3].equals("-")
                ? new int[0]
                : Arrays.stream(t[3].split(",")).mapToInt(Integer::parseInt).toArray();
        byte[] bytes = Files.readAllBytes(new File(dir, t[4]).toPath());
        GoldenTensor g = new GoldenTensor(t[1], type, shape, bytes);
        (t[0].equals("input") ? c.inputs : c.outputs).put(t[1], g);
      }
      return c;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  static Class<?> elementClass(DataType t) {
    switch (t) {
      case FLOAT32:
        return float.class;
      case INT32:
        return int.class;
      case INT64:
        return long.class;
      case INT16:
        return short.class;
      case UINT8:
      case INT8:
        return byte.class;
      case BOOL:
        return boolean.class;
      case STRING:
        return String.class;
    }
    throw new AssertionError(t);
  }

  static Object newArray(Class<?> element, int[] shape) {
    return Array.newInstance(element, shape);
  }

  static byte[][] decodeStrings(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(NATIVE);
    int count = b.getInt(0);
    byte[][] out = new byte[count][];
    for (int i = 0; i < count; i++) {
      int start = b.getInt(4 + 4 * i);
      int end = b.getInt(8 + 4 * i);
      out[i] = Arrays.copyOfRange(bytes, start, end);
    }
    return out;
  }

  static byte[] encodeStrings(List<byte[]> strings) {
    ByteBuffer b = Marshal.encodeStrings(strings);
    byte[] out = new byte[b.capacity()];
    b.get(out);
    return out;
  }

  private static void fillStrings(Object a, byte[][] strings, int[] k, int rank) {
    Object[] arr = (Object[]) a;
    for (int i = 0; i < arr.length; i++) {
      if (rank == 1) {
        arr[i] = strings[k[0]++];
      } else {
        fillStrings(arr[i], strings, k, rank - 1);
      }
    }
  }

  /** Flat bytes of a Java output array, as the tensor holds them (strings: TFLite layout). */
  static byte[] bytesOf(Object array, DataType type) {
    if (type == DataType.STRING) {
      List<byte[]> strings = new ArrayList<>();
      collect(array, strings);
      return encodeStrings(strings);
    }
    int n = countElements(array);
    ByteBuffer b = ByteBuffer.allocateDirect(n * Marshal.elementBytes(type)).order(NATIVE);
    Marshal.writeArray(array, type, b);
    byte[] out = new byte[b.capacity()];
    b.get(out);
    return out;
  }

  private static void collect(Object a, List<byte[]> out) {
    if (a instanceof String) {
      out.add(((String) a).getBytes(StandardCharsets.UTF_8));
    } else if (a instanceof byte[]) {
      out.add((byte[]) a);
    } else {
      for (Object o : (Object[]) a) {
        collect(o, out);
      }
    }
  }

  private static int countElements(Object a) {
    if (!a.getClass().isArray()) {
      return 1;
    }
    if (!a.getClass().getComponentType().isArray()) {
      return Array.getLength(a);
    }
    int n = 0;
    for (Object o : (Object[]) a) {
      n += countElements(o);
    }
    return n;
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
