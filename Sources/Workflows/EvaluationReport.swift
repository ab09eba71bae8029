import Evaluation
import Foundation

/// One op output's agreement with the float model, with error accumulated through the network.
public struct LayerSQNR: Sendable, Equatable {
  /// Graph op index and type.
  public var op: Int
  public var opType: String
  /// The output tensor's name.
  public var tensor: String
  /// 10·log10(Σ float² / Σ (float − quantized)²); +∞ when identical.
  public var sqnr: Double
}

/// What `qscope eval` prints and the TUI summary bar shows (architecture.md's eval JSON).
public struct EvaluationReport: Sendable, Equatable {
  public var samples: Int
  public var hasLabels: Bool
  /// The float model's accuracy on the labels.
  public var floatAccuracy: Double?
  /// The quantized model compared with the float one.
  public var quantized: OutputMetrics
  public var originalBytes: Int
  public var quantizedBytes: Int
  /// Per op output, in graph order.
  public var layers: [LayerSQNR]
  /// Tensors whose planned scheme could not be applied (kept as stored).
  public var problems: [String] = []

  /// Accuracy of the quantized model, or top-1 agreement without labels (architecture.md).
  public var displayAccuracy: Double { quantized.accuracy ?? quantized.top1Agreement }
}

extension EvaluationReport {
  /// The eval JSON contract; non-finite numbers become null.
  public func json() -> String {
    func number(_ value: Double?) -> String {
      guard let value, value.isFinite else { return "null" }
      return String(format: "%.6g", value)
    }
    let layerRows = layers.map { layer in
      "{\"op\": \(layer.op), \"type\": \(JSONText.string(layer.opType)), \"tensor\": \(JSONText.string(layer.tensor)), \"sqnr_db\": \(number(layer.sqnr))}"
    }
    return """
      {"samples": \(samples), "labels": \(hasLabels),
       "float": {"accuracy": \(number(floatAccuracy))},
       "quantized": {"accuracy": \(number(quantized.accuracy)), "top1_agreement": \(number(quantized.top1Agreement)), "kl_divergence": \(number(quantized.klDivergence)), "output_sqnr_db": \(number(quantized.outputSQNR))},
       "bytes": {"original": \(originalBytes), "quantized": \(quantizedBytes)},
       "layers": [\(layerRows.joined(separator: ", "))]}

      """
  }

  /// A human-readable summary followed by the per-layer SQNR table.
  public func table() -> String {
    func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "—" }
    func db(_ value: Double) -> String { value.isFinite ? String(format: "%.1f dB", value) : (value > 0 ? "exact" : "-inf") }
    var lines = [
      "samples         \(samples)\(hasLabels ? "" : " (no labels: accuracy is top-1 agreement)")",
      "accuracy        \(percent(floatAccuracy)) float → \(percent(quantized.accuracy ?? quantized.top1Agreement)) quantized",
      "top-1 agreement \(percent(quantized.top1Agreement))",
      "KL divergence   \(String(format: "%.6f", quantized.klDivergence))",
      "output SQNR     \(db(quantized.outputSQNR))",
      "size            \(Format.bytes(originalBytes)) → \(Format.bytes(quantizedBytes))",
      "",
      "op    type                  output SQNR  tensor",
    ]
    for layer in layers {
      let type = layer.opType.padding(toLength: 20, withPad: " ", startingAt: 0)
      let value = db(layer.sqnr)
      lines.append("#\(String(layer.op).padding(toLength: 4, withPad: " ", startingAt: 0)) \(type)  \(String(repeating: " ", count: max(0, 11 - value.count)))\(value)  \(layer.tensor)")
    }
    for problem in problems { lines.append("warning: \(problem)") }
    return lines.joined(separator: "\n") + "\n"
  }
}
