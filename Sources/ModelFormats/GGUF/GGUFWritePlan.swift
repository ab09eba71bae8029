import TensorCore

/// The output layout of a GGUF write: tensor order, output types and per-tensor encodings,
/// checked against what GGUF can store before a single byte is written.
struct GGUFWritePlan {
  /// Model tensor indices in output order (the source order).
  var order: [Int]
  /// Parallel to `order`.
  var specs: [GGUFTensorSpec]
  /// Requested encodings by tensor index; absent = copy unchanged.
  var encodings: [Int: QuantEncoding]
  var notes: [String] = []
  var dominantFileType: LlamaFileType?

  init(model: Model, requests: [TensorWriteRequest], path: String) throws(FormatError) {
    encodings = [:]
    for request in requests {
      guard model.tensors.indices.contains(request.tensorIndex) else {
        throw .invalid(file: path, what: "write request", offset: nil, reason: "tensor index \(request.tensorIndex) does not exist")
      }
      encodings[request.tensorIndex] = request.encoding
    }
    order = Array(model.tensors.indices)
    specs = []
    var elementsByType: [DType: Int] = [:]
    for index in order {
      let tensor = model.tensors[index]
      let type: DType
      if let encoding = encodings[index] {
        if case let .notStorable(reason) = GGUFFormat.canStore(encoding, tensor: tensor, in: model) {
          throw .cannotStore(file: path, tensor: tensor.name, reason: reason)
        }
        type = GGUFWritePlan.dtype(for: encoding) ?? tensor.dtype
      } else {
        guard GGMLTypeTable.id(of: tensor.dtype) != nil else {
          throw .cannotStore(file: path, tensor: tensor.name, reason: "\(tensor.dtype.rawValue) has no ggml type; request f32 or f16 for it")
        }
        type = tensor.dtype
      }
      let spec = GGUFTensorSpec(name: tensor.name, shape: tensor.shape, type: type)
      specs.append(spec)
      if tensor.shape.count >= 2 { elementsByType[type, default: 0] &+= tensor.elementCount }
    }
    let dominant = elementsByType.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }
    dominantFileType = dominant.flatMap { LlamaFileType.mostly($0.key) }
  }

  static func dtype(for encoding: QuantEncoding) -> DType? {
    switch encoding {
    case .float32: return .f32
    case .float16: return .f16
    case .bfloat16: return .bf16
    case let .blocks(type): return type
    case .linear: return nil
    }
  }
}
