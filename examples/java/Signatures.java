import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;

/**
 * The Java snippet of TensorFlow Lite's "Signatures" guide, made runnable with numlite: runs the
 * {@code encode} signature (tf.strings.as_string) and then {@code decode} (tf.strings.to_number)
 * of the seed model, printing the encoded strings and the decoded floats.
 *
 * <pre>
 *   numlite-java -cp build/classes/java/main:build/classes/java/examples Signatures \
 *       examples/models/encode_decode.tflite
 *   gradle runExample
 * </pre>
 */
public class Signatures {
  public static void main(String[] args) {
    File file_of_tensorflowlite_model =
        new File(args.length > 0 ? args[0] : "examples/models/encode_decode.tflite");
    float[] input = {1, 2, 3};
    String[] encoded_result = new String[input.length];
    float[] decoded_result = new float[input.length];

    try (Interpreter interpreter = new Interpreter(file_of_tensorflowlite_model)) {
      System.out.println("Signatures: " + Arrays.toString(interpreter.getSignatureKeys()));
      System.out.println("Input: " + Arrays.toString(input));

      // Run encoding signature.
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("x", input);
      Map<String, Object> outputs = new HashMap<>();
      outputs.put("encoded_result", encoded_result);
      interpreter.runSignature(inputs, outputs, "encode");
      System.out.println("Encoded result: " + Arrays.toString(encoded_result));

      // Run decoding signature. A Java String enters a string tensor the way TFLite's JNI code
      // stores it: modified UTF-8 plus a terminating NUL byte, which tf.strings.to_number
      // rejects. byte[] elements are stored exactly, so decode gets the encoded bytes back.
      byte[][] encoded_bytes = new byte[encoded_result.length][];
      for (int i = 0; i < encoded_result.length; i++) {
        encoded_bytes[i] = encoded_result[i].getBytes(StandardCharsets.UTF_8);
      }
      inputs = new HashMap<>();
      inputs.put("x", encoded_bytes);
      outputs = new HashMap<>();
      outputs.put("decoded_result", decoded_result);
      interpreter.runSignature(inputs, outputs, "decode");
      System.out.println("Decoded result: " + Arrays.toString(decoded_result));
    }
  }
}
