import Foundation
import InspectorUI
import ModelFormats
import TensorCore
import TUIKit
import TestSupport
import Workflows

/// A small safetensors model written to a temporary folder, opened with the real reader.
enum TestModel {
  static func values(_ count: Int, seed: Float) -> [Float] {
    (0..<count).map { i in 0.05 + cos(Float(i) * 0.37 + seed) * (i % 11 == 0 ? 0.9 : 0.2) }
  }

  static func write(_ tensors: [(String, [Int], [Float])]) throws -> String {
    let folder = NSTemporaryDirectory() + "qscope-ui-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/mlp.safetensors"
    try Float32Safetensors.write(tensors, to: path)
    return path
  }

  /// A two-layer MLP: two quantizable weights, two biases.
  static func mlp() throws -> (model: Model, format: any ModelFormat.Type) {
    let path = try write([
      ("fc1.weight", [32, 64], values(32 * 64, seed: 0.5)),
      ("fc1.bias", [32], values(32, seed: 1)),
      ("fc2.weight", [16, 32], values(16 * 32, seed: 2)),
      ("fc2.bias", [16], values(16, seed: 3)),
    ])
    return try ModelOpener.open(path: path)
  }

  static func state(size: Size = Size(width: 120, height: 40)) throws -> (AppState, Model, any ModelFormat.Type) {
    let (model, format) = try mlp()
    return (AppState(model: ModelSummary(model: model, format: format), size: size), model, format)
  }
}
