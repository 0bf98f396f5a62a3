package org.numlite.jvm;

/** Where the Python host registers the runtime backend. */
public final class Bridge {
  private static volatile Backend backend;

  private Bridge() {}

  public static void register(Backend b) {
    backend = b;
  }

  public static boolean isRegistered() {
    return backend != null;
  }

  /** The registered backend; an UnsatisfiedLinkError, as when TFLite's natives are missing. */
  public static Backend get() {
    Backend b = backend;
    if (b == null) {
      throw new UnsatisfiedLinkError(
          "Failed to load native TensorFlow Lite methods: numlite's Python runtime is not"
              + " attached to this JVM. Start the program with the numlite-java launcher"
              + " (numlite-java -cp app.jar Main) or from Python with numlite.jvm.start_jvm().");
    }
    return b;
  }
}
