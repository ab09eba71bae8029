import TensorCore

/// Builtin op codes and option tables the Keras converter emits (numbers from schema.fbs).
enum ConvertedOps {
  static let add: Int32 = 0, averagePool: Int32 = 1, concatenation: Int32 = 2, conv2D: Int32 = 3
  static let depthwiseConv2D: Int32 = 4, fullyConnected: Int32 = 9, logistic: Int32 = 14
  static let maxPool: Int32 = 17, mul: Int32 = 18, relu: Int32 = 19, reluN1To1: Int32 = 20, relu6: Int32 = 21
  static let reshape: Int32 = 22, resizeBilinear: Int32 = 23, softmax: Int32 = 25, tanh: Int32 = 28
  static let pad: Int32 = 34, gather: Int32 = 36, transpose: Int32 = 39, mean: Int32 = 40, sub: Int32 = 41
  static let cast: Int32 = 53, prelu: Int32 = 54, maximum: Int32 = 55, minimum: Int32 = 57
  static let transposeConv: Int32 = 67, rsqrt: Int32 = 76, reduceMax: Int32 = 82
  static let resizeNearest: Int32 = 97, leakyRelu: Int32 = 98, squaredDifference: Int32 = 99, elu: Int32 = 111
  static let hardSwish: Int32 = 117, gelu: Int32 = 150
  static let stridedSlice: Int32 = 45, split: Int32 = 49, shape: Int32 = 77, pack: Int32 = 83
  static let unidirectionalLSTM: Int32 = 44, reverseV2: Int32 = 105

  /// ActivationFunctionType values.
  enum Fused { static let none: Int8 = 0, relu: Int8 = 1, reluN1To1: Int8 = 2, relu6: Int8 = 3 }
  /// Padding values.
  enum Padding { static let same: Int64 = 0, valid: Int64 = 1 }

  /// The fused activation an activation op folds into, if it is one the converter fuses.
  static func fusable(_ code: Int32) -> Int8? {
    switch code {
    case relu: return Fused.relu
    case relu6: return Fused.relu6
    case reluN1To1: return Fused.reluN1To1
    default: return nil
    }
  }

  static func conv2D(padding: Int64, stride: (h: Int, w: Int), dilation: (h: Int, w: Int)) -> OpOptions {
    OpOptions("Conv2DOptions", tag: 1, fusedField: 3, scalars: [
      (0, padding, 1), (1, Int64(stride.w), 4), (2, Int64(stride.h), 4), (3, 0, 1),
      (4, Int64(dilation.w), 4), (5, Int64(dilation.h), 4),
    ])
  }

  static func depthwise(padding: Int64, stride: (h: Int, w: Int), multiplier: Int, dilation: (h: Int, w: Int)) -> OpOptions {
    OpOptions("DepthwiseConv2DOptions", tag: 2, fusedField: 4, scalars: [
      (0, padding, 1), (1, Int64(stride.w), 4), (2, Int64(stride.h), 4), (3, Int64(multiplier), 4), (4, 0, 1),
      (5, Int64(dilation.w), 4), (6, Int64(dilation.h), 4),
    ])
  }

  static func pool(padding: Int64, stride: (h: Int, w: Int), filter: (h: Int, w: Int)) -> OpOptions {
    OpOptions("Pool2DOptions", tag: 5, scalars: [
      (0, padding, 1), (1, Int64(stride.w), 4), (2, Int64(stride.h), 4), (3, Int64(filter.w), 4),
      (4, Int64(filter.h), 4), (5, 0, 1),
    ])
  }

  static func fullyConnected(keepNumDims: Bool) -> OpOptions {
    OpOptions("FullyConnectedOptions", tag: 8, fusedField: 0, scalars: [(0, 0, 1), (2, keepNumDims ? 1 : 0, 1)])
  }

  static func transposeConv(padding: Int64, stride: (h: Int, w: Int)) -> OpOptions {
    OpOptions("TransposeConvOptions", tag: 49, scalars: [(0, padding, 1), (1, Int64(stride.w), 4), (2, Int64(stride.h), 4)])
  }

  static func softmax(beta: Float = 1) -> OpOptions {
    OpOptions("SoftmaxOptions", tag: 9, scalars: [(0, OpOptions.float(beta), 4)])
  }

  static func concatenation(axis: Int) -> OpOptions {
    OpOptions("ConcatenationOptions", tag: 10, fusedField: 1, scalars: [(0, Int64(axis), 4), (1, 0, 1)])
  }

  static func addOptions() -> OpOptions { OpOptions("AddOptions", tag: 11, fusedField: 0, scalars: [(0, 0, 1)]) }
  static func subOptions() -> OpOptions { OpOptions("SubOptions", tag: 28, fusedField: 0, scalars: [(0, 0, 1)]) }
  static func mulOptions() -> OpOptions { OpOptions("MulOptions", tag: 21, fusedField: 0, scalars: [(0, 0, 1)]) }
  static func reshapeOptions() -> OpOptions { OpOptions("ReshapeOptions", tag: 17) }
  static func reducer(keepDims: Bool) -> OpOptions { OpOptions("ReducerOptions", tag: 27, scalars: [(0, keepDims ? 1 : 0, 1)]) }
  static func padOptions() -> OpOptions { OpOptions("PadOptions", tag: 22) }
  static func transposeOptions() -> OpOptions { OpOptions("TransposeOptions", tag: 26) }
  static func gather(axis: Int) -> OpOptions { OpOptions("GatherOptions", tag: 23, scalars: [(0, Int64(axis), 4)]) }
  static func maxMin() -> OpOptions { OpOptions("MaximumMinimumOptions", tag: 39) }
  static func leakyRelu(alpha: Float) -> OpOptions {
    OpOptions("LeakyReluOptions", tag: 75, scalars: [(0, OpOptions.float(alpha), 4)])
  }
  static func gelu(approximate: Bool) -> OpOptions { OpOptions("GeluOptions", tag: 116, scalars: [(0, approximate ? 1 : 0, 1)]) }
  static func hardSwishOptions() -> OpOptions { OpOptions("HardSwishOptions", tag: 91) }
  static func squaredDifferenceOptions() -> OpOptions { OpOptions("SquaredDifferenceOptions", tag: 76) }
  static func shapeOptions() -> OpOptions { OpOptions("ShapeOptions", tag: 55, scalars: [(0, 2, 1)]) }  // out_type INT32
  static func stridedSliceOptions(shrinkAxisMask: Int) -> OpOptions {
    OpOptions("StridedSliceOptions", tag: 32, scalars: [(4, Int64(shrinkAxisMask), 4)])
  }
  static func stridedSliceOptions(beginMask: Int, endMask: Int, shrinkAxisMask: Int) -> OpOptions {
    OpOptions("StridedSliceOptions", tag: 32, scalars: [(0, Int64(beginMask), 4), (1, Int64(endMask), 4),
                                                         (4, Int64(shrinkAxisMask), 4)])
  }
  /// The converter's fused Keras LSTM: tanh cell activation, cell clip 10, batch-major.
  static func unidirectionalLSTM(cellClip: Float) -> OpOptions {
    OpOptions("UnidirectionalSequenceLSTMOptions", tag: 71, fusedField: nil, scalars: [
      (0, 4, 1), (1, OpOptions.float(cellClip), 4), (2, OpOptions.float(0), 4), (3, 0, 1),
    ])
  }
  static func packOptions(count: Int, axis: Int) -> OpOptions {
    OpOptions("PackOptions", tag: 59, scalars: [(0, Int64(count), 4), (1, Int64(axis), 4)])
  }
  static func splitOptions(count: Int) -> OpOptions { OpOptions("SplitOptions", tag: 35, scalars: [(0, Int64(count), 4)]) }
  static func castOptions() -> OpOptions { OpOptions("CastOptions", tag: 37) }
  static func resizeBilinear(halfPixel: Bool) -> OpOptions {
    OpOptions("ResizeBilinearOptions", tag: 15, scalars: [(2, 0, 1), (3, halfPixel ? 1 : 0, 1)])
  }
  static func resizeNearestOptions() -> OpOptions { OpOptions("ResizeNearestNeighborOptions", tag: 74, scalars: [(0, 0, 1), (1, 0, 1)]) }
}
