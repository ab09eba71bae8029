import Foundation
import TensorCore
@testable import ModelFormats

/// Builds GGUF fixtures in memory with our own encoder and writes them to a scratch folder.
enum GGUFFixture {
  static func scratchFolder() -> String {
    let path = NSTemporaryDirectory() + "qscope-gguf-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func path(_ name: String) -> String {
    let path = scratchFolder() + "/\(name)-\(UUID().uuidString.prefix(8)).gguf"
    return path
  }

  static func write(_ bytes: [UInt8], name: String = "fixture") -> String {
    let path = path(name)
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
  }

  /// Deterministic float32 values.
  static func floats(_ count: Int, seed: Int = 1) -> [Float] {
    var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
      state ^= state << 13; state ^= state >> 7; state ^= state << 17
      return Float(Int(state % 20001) - 10000) / 10000
    }
  }

  static func bytes(of values: [Float]) -> [UInt8] {
    var out = ByteWriter()
    values.forEach { out.writeFloat32($0) }
    return out.bytes
  }

  static func f32Tensor(_ name: String, shape: [Int], seed: Int = 1) -> (spec: GGUFTensorSpec, data: [UInt8]) {
    let count = shape.reduce(1, *)
    return (GGUFTensorSpec(name: name, shape: shape, type: .f32), bytes(of: floats(count, seed: seed)))
  }

  static let basicMetadata: [GGUFKeyValue] = [
    GGUFKeyValue(key: "general.architecture", value: .string("llama")),
    GGUFKeyValue(key: "general.name", value: .string("tiny")),
    GGUFKeyValue(key: "llama.block_count", value: .uint32(2)),
    GGUFKeyValue(key: "llama.context_length", value: .uint32(128)),
    GGUFKeyValue(key: "tokenizer.ggml.model", value: .string("llama")),
    GGUFKeyValue(key: "tokenizer.ggml.tokens", value: .array(.string(["<unk>", "<s>", "</s>", "a", "b"]))),
  ]

  /// A tiny llama-like model: embeddings, two blocks, output.
  static func tinyLlama(width: Int = 64, vocab: Int = 32) -> [(spec: GGUFTensorSpec, data: [UInt8])] {
    var tensors = [f32Tensor("token_embd.weight", shape: [vocab, width], seed: 1)]
    for block in 0..<2 {
      tensors.append(f32Tensor("blk.\(block).attn_norm.weight", shape: [width], seed: 10 + block))
      tensors.append(f32Tensor("blk.\(block).attn_q.weight", shape: [width, width], seed: 20 + block))
      tensors.append(f32Tensor("blk.\(block).attn_v.weight", shape: [width, width], seed: 30 + block))
      tensors.append(f32Tensor("blk.\(block).ffn_down.weight", shape: [width, 2 * width], seed: 40 + block))
    }
    tensors.append(f32Tensor("output_norm.weight", shape: [width], seed: 50))
    tensors.append(f32Tensor("output.weight", shape: [vocab, width], seed: 51))
    return tensors
  }

  static func tinyLlamaFile(metadata: [GGUFKeyValue] = basicMetadata) throws -> [UInt8] {
    try GGUFEncoder.file(metadata: metadata, tensors: tinyLlama())
  }

  static func writeU32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
    for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
  }

  static func writeU64(_ value: UInt64, at offset: Int, in bytes: inout [UInt8]) {
    for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
  }

  /// Field positions inside a tensor-info record.
  struct InfoFields { var typeOffset: Int; var dataOffsetField: Int; var nameOffset: Int; var firstDim: Int }

  static func fields(of info: GGUFTensorInfo) -> InfoFields {
    let nameOffset = info.recordOffset + 8
    let dims = nameOffset + info.name.utf8.count + 4
    let type = dims + 8 * info.ne.count
    return InfoFields(typeOffset: type, dataOffsetField: type + 4, nameOffset: nameOffset, firstDim: dims)
  }

  static func parse(_ bytes: [UInt8]) throws(FormatError) -> GGUFFile {
    let result: Result<GGUFFile, FormatError> = bytes.withUnsafeBytes { raw in
      do throws(FormatError) { return .success(try GGUFParser.parse(raw, file: "mem.gguf")) } catch { return .failure(error) }
    }
    return try result.get()
  }

  /// A provider that casts plain source data to f32/f16/bf16 and makes zero blocks otherwise.
  static let castingProvider: QuantizedDataProvider = { tensor, encoding in
    let count = tensor.elementCount
    let values = FloatDecoding.decode(tensor.dtype, from: tensor.location.bytes, count: count)
    var out = ByteWriter()
    switch encoding {
    case .float32: values.forEach { out.writeFloat32($0) }
    case .float16: values.forEach { out.write(HalfPrecision.halfBits(from: $0)) }
    case .bfloat16: values.forEach { out.write(HalfPrecision.bfloat16Bits(from: $0)) }
    case let .blocks(type): out.write(bytes: [UInt8](repeating: 0, count: type.byteCount(elements: count) ?? 0))
    case .linear: break
    }
    return QuantizedData(encoding: encoding, shape: tensor.shape, values: out.bytes)
  }

  /// Zero blocks of the requested type without touching the source data (for sparse huge files).
  static let castingProviderSkippingDecode: QuantizedDataProvider = { tensor, encoding in
    guard case let .blocks(type) = encoding else { return try castingProvider(tensor, encoding) }
    return QuantizedData(encoding: encoding, shape: tensor.shape, values: [UInt8](repeating: 0, count: type.byteCount(elements: tensor.elementCount) ?? 0))
  }
}
