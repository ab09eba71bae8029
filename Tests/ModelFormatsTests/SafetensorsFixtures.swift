import Foundation
import TensorCore

@testable import ModelFormats

/// Builders for safetensors test files, written in memory, plus a tiny reference quantizer that
/// plays the engine's part in writer tests.
enum SafetensorsFixtures {
  typealias TensorSpec = (name: String, dtype: DType, shape: [Int], bytes: [UInt8])

  /// This process's folder of test folders. Swift Testing has no global tear-down, so each run
  /// removes the folders of earlier runs whose process is gone instead.
  static let root: URL = {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("qscope-safetensors-tests")
    let pid = ProcessInfo.processInfo.processIdentifier
    for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] {
      if let other = Int32(name), other != pid, kill(other, 0) != 0 {
        try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
      }
    }
    return parent.appendingPathComponent(String(pid))
  }()

  /// A fresh empty folder for one test.
  static func makeFolder() throws -> String {
    let url = root.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }

  static func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  static func read(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// A file made by hand: a declared header length (default: the JSON's), the JSON, the data.
  static func raw(json: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    raw(jsonBytes: Array(json.utf8), data: data, declaredLength: declaredLength)
  }

  static func raw(jsonBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    var writer = ByteWriter()
    writer.write(declaredLength ?? UInt64(jsonBytes.count))
    writer.write(bytes: jsonBytes)
    writer.write(bytes: data)
    return writer.bytes
  }

  static func float32Bytes(_ values: [Float]) -> [UInt8] {
    var writer = ByteWriter()
    for value in values { writer.writeFloat32(value) }
    return writer.bytes
  }

  static func float16Bytes(_ values: [Float]) -> [UInt8] {
    var writer = ByteWriter()
    for value in values { writer.write(HalfPrecision.halfBits(from: value)) }
    return writer.bytes
  }

  static func bfloat16Bytes(_ values: [Float]) -> [UInt8] {
    var writer = ByteWriter()
    for value in values { writer.write(HalfPrecision.bfloat16Bits(from: value)) }
    return writer.bytes
  }

  /// Deterministic values in [-1, 1) from a 64-bit LCG, so tests never depend on a global seed.
  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
    }
  }

  /// A small PyTorch-style model: a BERT-ish embedding, one attention Linear with bias, a norm,
  /// a conv, an int scalar and an empty tensor.
  static func smallModel() -> [TensorSpec] {
    [
      ("embeddings.word_embeddings.weight", .f32, [6, 4], float32Bytes(values(24, seed: 1))),
      ("encoder.layer.0.attention.self.query.weight", .f32, [4, 4], float32Bytes(values(16, seed: 2))),
      ("encoder.layer.0.attention.self.query.bias", .f32, [4], float32Bytes(values(4, seed: 3))),
      ("encoder.layer.0.LayerNorm.weight", .f16, [4], float16Bytes(values(4, seed: 4))),
      ("conv1.weight", .f32, [2, 1, 3, 3], float32Bytes(values(18, seed: 5))),
      ("num_batches_tracked", .i64, [], [7, 0, 0, 0, 0, 0, 0, 0]),
      ("empty.weight", .f32, [0, 4], []),
      ("lm_head.weight", .bf16, [3, 4], bfloat16Bytes(values(12, seed: 6))),
      ("encoder.layer.0.output.dense.weight", .bf16, [3, 4], bfloat16Bytes(values(12, seed: 7))),
    ]
  }

  /// Writes `smallModel()` (or `tensors`) with metadata into a new folder; returns the file path.
  static func writeModel(_ tensors: [TensorSpec] = smallModel(), name: String = "model.safetensors",
                         metadata: [String: String] = ["format": "pt"], in folder: String? = nil) throws -> String {
    let folder = try folder ?? makeFolder()
    let path = folder + "/" + name
    try SafetensorsFormat.writeTensors(tensors, metadata: metadata, to: path)
    return path
  }
}
