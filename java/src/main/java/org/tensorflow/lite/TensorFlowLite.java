package org.tensorflow.lite;

import org.numlite.jvm.Bridge;

/** Static utility methods for the TensorFlow Lite runtime (numlite). */
public final class TensorFlowLite {
  /** Version of the TensorFlow Lite API this facade implements. */
  static final String NUMLITE_RUNTIME_VERSION = "2.18.0-numlite";

  static final String SCHEMA_VERSION = "3";

  private TensorFlowLite() {}

  /**
   * Returns the version of the underlying TensorFlow Lite runtime.
   *
   * @deprecated Prefer {@link #runtimeVersion()}.
   */
  @Deprecated
  public static String version() {
    return runtimeVersion();
  }

  public static String runtimeVersion() {
    return runtimeVersion(null);
  }

  public static String runtimeVersion(InterpreterApi.Options.TfLiteRuntime runtime) {
    return getFactory(runtime).runtimeVersion();
  }

  public static String schemaVersion() {
    return schemaVersion(null);
  }

  public static String schemaVersion(InterpreterApi.Options.TfLiteRuntime runtime) {
    return getFactory(runtime).schemaVersion();
  }

  /** Ensures the runtime is attached; throws UnsatisfiedLinkError if it is not. */
  public static void init() {
    Bridge.get();
  }

  static InterpreterFactoryApi getFactory(InterpreterApi.Options.TfLiteRuntime runtime) {
    if (runtime == InterpreterApi.Options.TfLiteRuntime.FROM_SYSTEM_ONLY) {
      throw new IllegalStateException(
          "Couldn't find TensorFlow Lite runtime's InterpreterFactoryImpl class -- make sure"
              + " your app links in the right TensorFlow Lite runtime. numlite provides the"
              + " application runtime only (TfLiteRuntime.FROM_SYSTEM_ONLY was requested).");
    }
    try {
      Class<?> clazz = Class.forName("org.tensorflow.lite.InterpreterFactoryImpl");
      java.lang.reflect.Constructor<?> ctor = clazz.getDeclaredConstructor();
      ctor.setAccessible(true);
      return (InterpreterFactoryApi) ctor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "Couldn't find TensorFlow Lite runtime's InterpreterFactoryImpl class -- make sure"
              + " your app links in the right TensorFlow Lite runtime.",
          e);
    }
  }
}
