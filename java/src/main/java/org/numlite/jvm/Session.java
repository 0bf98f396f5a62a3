package org.numlite.jvm;

import java.nio.ByteBuffer;

/**
 * One loaded model with its own runtime state, implemented in Python.
 *
 * <p>Tensors are named by (subgraph index, tensor index). Tensor data crosses as flat native-order
 * bytes in the TFLite layout (strings: int32 count, count+1 int32 offsets, then the bytes).
 * Java validates and marshals; the methods here are called with the owning interpreter's lock held.
 */
public interface Session {
  String[] signatureKeys();

  /** Subgraph of a signature, -1 if the key is unknown. */
  int signatureSubgraph(String key);

  /** Input (or output) names of a signature, sorted. */
  String[] signatureNames(String key, boolean outputs);

  /** Tensor indices of the names of {@link #signatureNames}, in the same order. */
  int[] signatureTensors(String key, boolean outputs);

  /** Input (or output) tensor indices of a subgraph. */
  int[] subgraphTensors(int subgraph, boolean outputs);

  String tensorName(int subgraph, int tensor);

  /** TfLiteType code (kTfLiteFloat32 = 1, ...). */
  int tensorType(int subgraph, int tensor);

  int[] tensorShape(int subgraph, int tensor);

  int[] tensorShapeSignature(int subgraph, int tensor);

  /** {scale, zeroPoint} of per-tensor quantization, {0, 0} if none. */
  float tensorScale(int subgraph, int tensor);

  int tensorZeroPoint(int subgraph, int tensor);

  /** Bytes of the tensor's current data, -1 if it has none. */
  int tensorNumBytes(int subgraph, int tensor);

  /** A copy of the tensor's current data, null if it has none. */
  byte[] tensorData(int subgraph, int tensor);

  /** Returns true if the shape changed (allocation needed). */
  boolean resize(int subgraph, int tensor, int[] dims, boolean strict);

  boolean isAllocated(int subgraph);

  void allocate(int subgraph);

  /**
   * Prepares runs of a subgraph that set {@code inputs} and read {@code outputs} (tensor indices);
   * returns a plan handle for {@link #runPlan}.
   */
  int prepareRun(int subgraph, int[] inputs, int[] outputs);

  /**
   * The plan's metadata buffer (int32, to be read in native order), rewritten by each run: per
   * output its byte count, rank and dims.
   */
  ByteBuffer planMeta(int plan);

  /**
   * Allocates if needed, copies each input buffer (exactly the tensor's bytes, native order) into
   * its tensor, invokes, and writes the outputs' bytes into the plan's output buffers. Returns
   * the output buffers when they changed since the previous call of this plan (the first call
   * always), else null.
   */
  ByteBuffer[] runPlan(int plan, java.nio.Buffer[] data);

  void resetVariables();

  void setCancelled(boolean cancelled);

  int executionPlanLength();

  void close();
}
