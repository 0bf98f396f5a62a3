package org.numlite.jvm;

/** An error reported by the Python runtime; the Java facade turns it into TFLite's exception. */
public final class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final int LOAD = 1;
  public static final int RESIZE = 2;
  public static final int ALLOCATE = 3;
  public static final int INVOKE = 4;
  public static final int CANCELLED = 5;
  public static final int OTHER = 6;

  private final int kind;

  public BackendException(int kind, String message) {
    super(message);
    this.kind = kind;
  }

  public int kind() {
    return kind;
  }
}
