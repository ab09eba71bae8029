import TensorCore

/// The TFLite converter's own quantization modes, as write requests for our writer.
public enum TFLitePresets {
  /// Weights with fewer elements stay float under dynamic-range quantization.
  public static let minimumElements = 1024

  /// `optimizations = [Optimize.DEFAULT]` without a dataset: int8 symmetric [-127, 127] for the
  /// quantizable operand of each op with at least 1024 elements; per-channel for CONV_2D (axis 0),
  /// DEPTHWISE_CONV_2D (3), FULLY_CONNECTED (0), TRANSPOSE_CONV (0); per-tensor for BATCH_MATMUL,
  /// GATHER and EMBEDDING_LOOKUP; per-tensor for the weight matrices of LSTM, RNN and SVDF ops, and
  /// only when every weight matrix of the op has at least 1024 elements (the kernel takes all of
  /// them float or all int8; the converter then leaves the whole op float). Biases and everything
  /// else stay as they are.
  public static func dynamicRange(_ model: Model) -> [TensorWriteRequest] {
    let recurrent = hybridRecurrentWeights(model)
    var requests: [TensorWriteRequest] = []
    for (index, tensor) in model.tensors.enumerated() where tensor.isQuantizable && tensor.dtype == .f32 {
      guard tensor.elementCount >= minimumElements, let op = tensor.op else { continue }
      let granularity: LinearQuantization.Granularity
      switch op {
      case "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV":
        granularity = .channel(axis: tensor.channelAxis)
      case "BATCH_MATMUL", "GATHER", "EMBEDDING_LOOKUP":
        granularity = .tensor
      case "LSTM", "UNIDIRECTIONAL_SEQUENCE_LSTM", "RNN", "UNIDIRECTIONAL_SEQUENCE_RNN", "SVDF":
        guard recurrent.contains(index) else { continue }
        granularity = .tensor
      default:
        continue
      }
      let encoding = QuantEncoding.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: granularity, asymmetric: false))
      requests.append(.init(tensorIndex: index, encoding: encoding))
    }
    return requests
  }

  /// `supported_types = [tf.float16]`: every float32 constant read by an op (weights and biases,
  /// no size threshold) becomes float16 behind a DEQUANTIZE.
  public static func float16(_ model: Model) -> [TensorWriteRequest] {
    model.tensors.enumerated().compactMap { index, tensor in
      guard tensor.dtype == .f32, tensor.layer != nil, tensor.note == nil else { return nil }
      return TensorWriteRequest(tensorIndex: index, encoding: .float16)
    }
  }
}
