import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.tensorflow.lite.Interpreter;

/**
 * On-device training with numlite from Java: the twin of examples/python/on_device_training.py.
 *
 * <p>The model (tests/models/stateful/training.tflite) has the signatures {@code train} (one Adam
 * step on a batch, returns the loss), {@code infer} (logits and probabilities), {@code save} and
 * {@code restore} (the weights to and from a checkpoint file whose path is a string input), all
 * over the same resource variables. The example trains on synthetic data, prints the loss going
 * down, saves the weights, and restores them into a fresh interpreter.
 *
 * <pre>
 *   gradle runTrainingExample
 *   numlite-java -cp build/classes/java/main:build/classes/java/examples OnDeviceTraining \
 *       tests/models/stateful/training.tflite [steps]
 * </pre>
 */
public class OnDeviceTraining {
  private static final float[][] CENTERS = {{2, 0, 0, 1}, {0, 2, 1, 0}, {-1, -1, 2, 2}};

  /** Synthetic data: three Gaussian blobs in 4-D; x and one-hot labels y. */
  static float[][][] batch(Random random, int size) {
    float[][] x = new float[size][4];
    float[][] y = new float[size][3];
    for (int i = 0; i < size; i++) {
      int label = random.nextInt(3);
      for (int d = 0; d < 4; d++) {
        x[i][d] = CENTERS[label][d] + 0.7f * (float) random.nextGaussian();
      }
      y[i][label] = 1;
    }
    return new float[][][] {x, y};
  }

  static float accuracy(Interpreter interpreter, float[][][] data) {
    float[][] probabilities = new float[data[0].length][3];
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("x", data[0]);
    Map<String, Object> outputs = new HashMap<>();
    outputs.put("probabilities", probabilities);
    interpreter.runSignature(inputs, outputs, "infer");
    int right = 0;
    for (int i = 0; i < probabilities.length; i++) {
      right += data[1][i][argmax(probabilities[i])] == 1 ? 1 : 0;
    }
    return (float) right / probabilities.length;
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      best = values[i] > values[best] ? i : best;
    }
    return best;
  }

  /** Runs {@code save} or {@code restore} with the checkpoint path as a string tensor. */
  static void checkpoint(Interpreter interpreter, String signature, File path) {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("checkpoint_path", path.getPath());
    interpreter.runSignature(inputs, new HashMap<>(), signature);
  }

  public static void main(String[] args) throws IOException {
    File model =
        new File(args.length > 0 ? args[0] : "tests/models/stateful/training.tflite");
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    Random random = new Random(0);
    float[][][] test = batch(new Random(1), 200);
    File dir = Files.createTempDirectory("numlite-training").toFile();
    File checkpoint = new File(dir, "model.ckpt");

    try (Interpreter interpreter = new Interpreter(model)) {
      System.out.println("Signatures: " + Arrays.toString(interpreter.getSignatureKeys()));
      System.out.printf("Accuracy before training: %.2f%n", accuracy(interpreter, test));
      // the loss is a scalar tensor: TFLite reads scalars into a direct buffer, not an array
      ByteBuffer loss = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
      for (int step = 1; step <= steps; step++) {
        float[][][] data = batch(random, 32);
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("x", data[0]);
        inputs.put("y", data[1]);
        Map<String, Object> outputs = new HashMap<>();
        loss.clear();
        outputs.put("loss", loss);
        interpreter.runSignature(inputs, outputs, "train");
        if (step == 1 || step % 5 == 0) {
          System.out.printf("step %3d  loss %.4f%n", step, loss.getFloat(0));
        }
      }
      float trained = accuracy(interpreter, test);
      System.out.printf("Accuracy after training: %.2f%n", trained);
      checkpoint(interpreter, "save", checkpoint);
      System.out.println("Saved the weights to " + checkpoint);

      try (Interpreter fresh = new Interpreter(model)) {
        System.out.printf("A fresh interpreter's accuracy: %.2f%n", accuracy(fresh, test));
        checkpoint(fresh, "restore", checkpoint);
        float restored = accuracy(fresh, test);
        System.out.printf("Its accuracy after restore: %.2f%n", restored);
        if (restored != trained) {
          throw new IllegalStateException("restore did not bring back the trained weights");
        }
      }
    } finally {
      checkpoint.delete();
      dir.delete();
    }
  }
}
