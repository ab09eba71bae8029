import TensorCore

/// GGUF, llama.cpp's model file: a little-endian header of typed key/value metadata and tensor
/// infos, then aligned tensor data in ggml types.
///
/// Shapes in the ``Model`` are in numpy (row-major) order — GGUF's `ne` reversed — so the last axis
/// is `ne[0]`, the row along which ggml blocks run, and axis 0 is the output channel.
public enum GGUFFormat: ModelFormat {
  public static let kind = ModelFormatKind.gguf
  public static let fileExtensions = ["gguf"]

  public static func probe(head: UnsafeRawBufferPointer, path: String) -> Bool {
    head.count >= 4 && head[0] == 0x47 && head[1] == 0x47 && head[2] == 0x55 && head[3] == 0x46
  }

  public static func open(path: String) throws(FormatError) -> Model {
    let mapped: MappedFile
    do { mapped = try MappedFile(path: path) } catch { throw .io(error) }
    let parsed = try GGUFParser.parse(mapped.bytes, file: path)
    if let split = try GGUFSplitKeys.read(parsed, path: path) {
      return try openSplit(first: parsed, keys: split, file: mapped, path: path)
    }
    return try GGUFModelBuilder.model(from: parsed, file: mapped, path: path)
  }

  /// The typed GGUF structure behind a model opened by this format (nil for other formats).
  public static func parsedFile(of model: Model) -> GGUFFile? {
    model.formatContext as? GGUFFile
  }

  public static func canStore(_ encoding: QuantEncoding, tensor: ModelTensor, in model: Model) -> StoreDecision {
    switch encoding {
    case .float32, .float16, .bfloat16:
      return .storable
    case let .blocks(type):
      guard GGMLTypeTable.isModelFileType(type) else {
        return .notStorable(reason: "\(type.rawValue) is not a ggml type for model files")
      }
      let row = tensor.shape.last ?? 1
      guard row % type.blockSize == 0 else {
        return .notStorable(reason: "row length \(row) is not a multiple of \(type.rawValue)'s block size \(type.blockSize)")
      }
      return .storable
    case .linear:
      return .notStorable(reason: "int8/int4 linear schemes are stored in TFLite/safetensors; use q8_0/q4_0… for GGUF")
    }
  }
}
