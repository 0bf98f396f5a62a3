import java.io.File;
import java.util.Arrays;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

/**
 * Lists the signatures of any .tflite model with their input and output tensors.
 *
 * <pre>
 *   numlite-java -cp build/classes/java/main:build/classes/java/examples ListSignatures m.tflite...
 *   gradle listSignatures -Pmodel=path/to/model.tflite
 * </pre>
 */
public class ListSignatures {
  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: ListSignatures <model.tflite>...");
      System.exit(2);
    }
    for (String path : args) {
      try (Interpreter interpreter = new Interpreter(new File(path))) {
        System.out.println(path);
        String[] keys = interpreter.getSignatureKeys();
        if (keys.length == 0) {
          System.out.println("  (no signatures)");
          for (int i = 0; i < interpreter.getInputTensorCount(); i++) {
            System.out.println("    input  " + describe(interpreter.getInputTensor(i)));
          }
          for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
            System.out.println("    output " + describe(interpreter.getOutputTensor(i)));
          }
        }
        for (String key : keys) {
          System.out.println("  signature '" + key + "'");
          for (String name : interpreter.getSignatureInputs(key)) {
            System.out.println("    input  " + name + ": " + describeInput(interpreter, name, key));
          }
          for (String name : interpreter.getSignatureOutputs(key)) {
            System.out.println("    output " + name + ": " + describeOutput(interpreter, name, key));
          }
        }
      }
    }
  }

  private static String describeInput(Interpreter interpreter, String name, String key) {
    try {
      return describe(interpreter.getInputTensorFromSignature(name, key));
    } catch (IllegalArgumentException e) { // a type the Java API has no DataType for
      return e.getMessage();
    }
  }

  private static String describeOutput(Interpreter interpreter, String name, String key) {
    try {
      return describe(interpreter.getOutputTensorFromSignature(name, key));
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private static String describe(Tensor t) {
    String text = t.dataType()
        + " shape=" + Arrays.toString(t.shape())
        + " signature=" + Arrays.toString(t.shapeSignature())
        + " tensor '" + t.name() + "'";
    Tensor.QuantizationParams q = t.quantizationParams();
    if (q.getScale() != 0) {
      text += " scale=" + q.getScale() + " zeroPoint=" + q.getZeroPoint();
    }
    return text;
  }
}
