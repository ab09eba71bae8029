import TensorCore

/// Keras `Bidirectional(LSTM(...))` as the TF converter writes it: no BIDIRECTIONAL_SEQUENCE_LSTM,
/// but the backward LSTM first (a fused UNIDIRECTIONAL_SEQUENCE_LSTM reading REVERSE_V2 of the
/// input along time, its sequence reversed back with `return_sequences`, else its last step), then
/// the forward LSTM, merged by CONCATENATION (forward first, last axis), ADD or MUL. For `ave` the
/// converter writes ADD and folds the ½ into the weights (not the bias) of a Dense reading the
/// result, and so do we (``ConvertedGraph/foldScaleIntoDense()``); before any other layer the ½
/// stays a MUL after the ADD.
extension KerasTFLiteConverter {
  /// Merge modes we convert (merge_mode None returns the two directions separately).
  static let bidirectionalMerges: Set<String> = ["concat", "sum", "mul", "ave"]

  /// Why a Bidirectional layer cannot be converted, or nil.
  static func bidirectionalUnsupportedReason(_ config: LayerConfig) -> String? {
    let inner = config.json["layer"]
    let innerClass = inner?["class_name"]?.stringValue ?? "?"
    guard innerClass == "LSTM" else {
      return loopedRecurrentReason(innerClass).map { "Bidirectional(\(innerClass)): \($0)" }
        ?? "Bidirectional(\(innerClass)) is not converted (only Bidirectional(LSTM))"
    }
    let merge = config.json["merge_mode"].map { $0 == .null ? "none" : ($0.stringValue ?? "?") } ?? "concat"
    guard bidirectionalMerges.contains(merge) else {
      return "Bidirectional merge_mode '\(merge)' is not converted (concat, sum, mul and ave are)"
    }
    let forward = LayerConfig(json: inner?["config"] ?? .object([]))
    if let reason = lstmUnsupportedReason(forward) { return reason }
    if let backward = config.json["backward_layer"] {
      let backwardClass = backward["class_name"]?.stringValue ?? "?"
      guard backwardClass == "LSTM" else { return "a Bidirectional backward_layer of class '\(backwardClass)' is not converted" }
      let options = LayerConfig(json: backward["config"] ?? .object([]))
      guard options.bool("go_backwards") ?? true else { return "a Bidirectional backward_layer must run backwards" }
      if let reason = lstmUnsupportedReason(options, backwards: true) { return reason }
      for key in ["units", "return_sequences", "use_bias"] where options.json[key] != forward.json[key] {
        return "a Bidirectional backward_layer whose \(key) differs from the forward layer's is not converted"
      }
    }
    return nil
  }

  mutating func bidirectional(_ layer: String, _ name: String, _ config: LayerConfig, _ input: Value) throws(Issue) -> Value {
    guard input.rank == 3 else { throw Issue("expects a [batch, timesteps, features] input, got \(Shape.describe(input.shape))") }
    let inner = LayerConfig(json: config.json["layer"]?["config"] ?? .object([]))
    let sequences = inner.bool("return_sequences") ?? false
    let time = graph.constant("\(name)/ReverseV2/axis", int32s: [1])
    let reversed = unary(ConvertedOps.reverseV2, input, "\(name)/ReverseV2_input", extra: [time])
    var backward = try lstm(layer, "\(name)/backward_\(layer)", inner, reversed, direction: "backward_layer")
    if sequences {
      backward = unary(ConvertedOps.reverseV2, backward, "\(name)/ReverseV2", extra: [time])
    }
    let forward = try lstm(layer, "\(name)/forward_\(layer)", inner, input, direction: "forward_layer")
    switch config.string("merge_mode") ?? "concat" {
    case "sum":
      return try binary(ConvertedOps.add, forward, backward, "\(name)/add", options: ConvertedOps.addOptions())
    case "mul":
      return try binary(ConvertedOps.mul, forward, backward, "\(name)/mul", options: ConvertedOps.mulOptions())
    case "ave":
      let sum = try binary(ConvertedOps.add, forward, backward, "\(name)/add", options: ConvertedOps.addOptions())
      let half = try binary(ConvertedOps.mul, sum, constant("\(name)/truediv/y", [0.5], shape: []), "\(name)/truediv",
                            options: ConvertedOps.mulOptions())
      if let last = graph.ops.indices.last { graph.ops[last].scalesFollowingDense = true }
      return half
    default:
      break
    }
    var shape = forward.shape
    shape[shape.count - 1] += backward.shape[backward.shape.count - 1]
    let out = output("\(name)/concat", shape)
    graph.append(ConvertedOps.concatenation, [forward.tensor, backward.tensor], [out.tensor],
                 options: ConvertedOps.concatenation(axis: shape.count - 1))
    return out
  }
}
