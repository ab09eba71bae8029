import TensorCore

extension SafetensorsFormat {
  public static func canStore(_ encoding: QuantEncoding, tensor: ModelTensor, in model: Model) -> StoreDecision {
    guard tensor.dtype.isPlainDecodable else {
      return .notStorable(reason: "\(tensor.dtype.rawValue) weights are listed but not decoded")
    }
    switch encoding {
    case .float32, .float16, .bfloat16:
      return .storable
    case .blocks:
      return .notStorable(reason: "ggml block types are stored in GGUF, not safetensors")
    case let .linear(parameters):
      return canStoreLinear(parameters, tensor: tensor, in: model)
    }
  }

  /// compressed-tensors packs the weight of a Linear module: a 2-D float `P.weight`, [out, in].
  static func canStoreLinear(_ linear: LinearQuantization, tensor: ModelTensor, in model: Model) -> StoreDecision {
    guard CompressedTensorsPacking.supportedBits.contains(linear.bits) else {
      return .notStorable(reason: "compressed-tensors pack-quantized is written with 4 or 8 bits only, not \(linear.bits)")
    }
    let lowest = -(1 << (linear.bits - 1)), highest = (1 << (linear.bits - 1)) - 1
    guard linear.qmin >= lowest, linear.qmax <= highest, linear.qmin <= linear.qmax else {
      return .notStorable(reason: "integer range \(linear.qmin)…\(linear.qmax) does not fit \(linear.bits) signed bits")
    }
    guard tensor.dtype.isFloatingPoint else {
      return .notStorable(reason: "only float weights are quantized; this tensor is \(tensor.dtype.rawValue)")
    }
    guard tensor.shape.count == 2 else {
      return .notStorable(reason: "compressed-tensors stores int weights of 2-D Linear layers only; this tensor is \(tensor.shape.count)-D")
    }
    guard tensor.name.hasSuffix(".weight"), tensor.name.count > ".weight".count else {
      return .notStorable(reason: "only Linear weights named '<module>.weight' can be stored as compressed-tensors")
    }
    // vLLM applies compressed-tensors schemes to Linear layers only; a packed embedding or lm_head
    // leaves it with weights it has no parameter for, so the model would not load (llm-compressor
    // keeps lm_head in float for the same reason).
    if tensor.role == .embedding || Naming.layer(of: tensor.name).hasSuffix("lm_head") {
      return .notStorable(reason: "compressed-tensors loaders (vLLM) take int weights for Linear layers only; embeddings and lm_head stay float")
    }
    switch linear.granularity {
    case .tensor: break
    case let .channel(axis):
      guard axis == 0 else {
        return .notStorable(reason: "per-channel scales must run along axis 0 (output rows), not axis \(axis)")
      }
    case let .group(size):
      guard size > 0 else { return .notStorable(reason: "group size must be positive") }
    }
    let module = String(tensor.name.dropLast(".weight".count))
    for suffix in ["weight_packed", "weight_scale", "weight_zero_point", "weight_shape"] {
      let name = module + "." + suffix
      if model.tensorIndex(named: name) != nil {
        return .notStorable(reason: "the model already has a tensor named '\(name)'")
      }
    }
    return .storable
  }

  /// The compressed-tensors strategy name for a granularity.
  static func strategy(of granularity: LinearQuantization.Granularity) -> String {
    switch granularity {
    case .tensor: return "tensor"
    case .channel: return "channel"
    case .group: return "group"
    }
  }
}
