import Evaluation
import TensorCore

/// Where an op's weight and activation are and which axes they share.
struct ActivationUse {
  var type: String
  var weightSlot: Int
  var inputSlot: Int
  var adjointX = false
  var adjointY = false

  init?(_ op: ModelGraph.Op) {
    type = op.type
    switch op.type {
    case "FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D": weightSlot = 1; inputSlot = 0
    case "TRANSPOSE_CONV": weightSlot = 1; inputSlot = 2
    case "BATCH_MATMUL":
      weightSlot = 1; inputSlot = 0
      adjointX = op.bool("adj_x"); adjointY = op.bool("adj_y")
    default: return nil
    }
  }

  /// Σ a_j² per weight channel j, the number of rows summed, and the weight axis j runs along;
  /// nil when the shapes do not pair up the way the op reads them.
  func statistics(_ x: EvalTensor, weightShape w: [Int]) -> (squares: [Double], rows: Int, axis: Int)? {
    guard let last = w.last, last > 0, x.count > 0 else { return nil }
    switch type {
    case "FULLY_CONNECTED", "CONV_2D", "TRANSPOSE_CONV":
      // Channels are the activation's last axis and the weight's last axis ([O, (H, W,) I]).
      guard x.shape.last == last || (type == "FULLY_CONNECTED" && x.count % last == 0) else { return nil }
      return (Self.channelSquares(x.data, channels: last, stride: 1), x.count / last, w.count - 1)
    case "DEPTHWISE_CONV_2D":
      // Weight channel k (of C × multiplier) reads input channel k / multiplier.
      guard w.count == 4, let c = x.shape.last, c > 0, last % c == 0 else { return nil }
      let perInput = Self.channelSquares(x.data, channels: c, stride: 1)
      let multiplier = last / c
      return ((0..<last).map { perInput[$0 / multiplier] }, x.count / c, 3)
    case "BATCH_MATMUL":
      // y = x·W: x's contracted axis is its last (second to last with adj_x), W's is its second
      // to last (last with adj_y).
      guard w.count >= 2, x.rank >= 2 else { return nil }
      let k = adjointY ? w[w.count - 1] : w[w.count - 2]
      let xAxis = adjointX ? x.rank - 2 : x.rank - 1
      guard k > 0, x.shape[xAxis] == k else { return nil }
      let stride = adjointX ? x.shape[x.rank - 1] : 1
      return (Self.channelSquares(x.data, channels: k, stride: stride), x.count / k, adjointY ? w.count - 1 : w.count - 2)
    default: return nil
    }
  }

  /// Σ over every other index of x², for the axis of size `channels` whose stride is `stride`.
  static func channelSquares(_ data: [Float], channels: Int, stride: Int) -> [Double] {
    var sums = [Double](repeating: 0, count: channels)
    data.withUnsafeBufferPointer { x in
      for i in 0..<x.count {
        let v = Double(x[i])
        sums[(i / stride) % channels] += v * v
      }
    }
    return sums
  }
}
