import Evaluation
import Foundation
import TensorCore

/// Evaluation inputs and optional labels, checked against the model's graph input.
public struct EvaluationData: Sendable {
  public var path: String
  /// x as the interpreter takes it: [n, …model input shape without its batch dimension].
  public var inputs: EvalTensor
  public var labels: [Int]?
  public var samples: Int { inputs.shape.first ?? 0 }

  /// `MODEL.eval.npz` beside the model (`digits-cnn.tflite` → `digits-cnn.eval.npz`), if it exists.
  public static func defaultPath(forModel path: String) -> String? {
    let url = URL(fileURLWithPath: path)
    let candidate = url.deletingPathExtension().path + ".eval.npz"
    return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
  }

  /// Loads `path` and checks it fits `graph`: x's per-sample shape equals the input's (batch
  /// dimension dropped), values are finite, labels are integers in [0, classes).
  public static func load(path: String, graph: ModelGraph) throws(EvaluationError) -> EvaluationData {
    let archive = try NumPyArchive.load(path: path)
    guard let x = archive.arrays["x"] else {
      throw .badData(file: path, reason: "no array 'x' (found: \(archive.arrays.keys.sorted().joined(separator: ", ")))")
    }
    guard let input = graph.inputs.first, graph.inputs.count == 1 else {
      throw .badData(file: path, reason: "the model has \(graph.inputs.count) inputs; evaluation supports one")
    }
    let modelShape = graph.tensors[input.tensor].shape
    let sampleShape = Array(modelShape.dropFirst())
    guard x.shape.count == modelShape.count, Array(x.shape.dropFirst()) == sampleShape else {
      throw .badData(
        file: path,
        reason: "x has shape \(Shape.describe(x.shape)) but the model input '\(input.name)' takes \(Shape.describe(modelShape)) (expected [N, \(sampleShape.map(String.init).joined(separator: ", "))])")
    }
    if let bad = x.floats.firstIndex(where: { !$0.isFinite }) {
      throw .badData(file: path, reason: "x holds NaN or Inf (first at element \(bad))")
    }
    var labels: [Int]? = nil
    if let y = archive.arrays["y"] {
      guard let values = y.integers else { throw .badData(file: path, reason: "y has dtype \(y.descr); labels must be integers") }
      guard values.count == x.shape[0] else {
        throw .badData(file: path, reason: "y holds \(values.count) labels for \(x.shape[0]) samples")
      }
      let classes = graph.outputs.first.map { graph.tensors[$0.tensor].shape.last ?? 0 } ?? 0
      if let bad = values.first(where: { $0 < 0 || (classes > 0 && $0 >= Int64(classes)) }) {
        throw .badData(file: path, reason: "label \(bad) is out of range for \(classes) classes")
      }
      labels = values.map { Int($0) }
    }
    return EvaluationData(path: path, inputs: EvalTensor(shape: x.shape, data: x.floats), labels: labels)
  }
}
