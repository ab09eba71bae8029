import Foundation

/// End-to-end metrics between a reference (float) model output and a quantized one, both [n, classes].
public struct OutputMetrics: Sendable, Equatable {
  public var samples: Int
  /// Fraction of samples whose top-1 class matches the label (nil without labels).
  public var accuracy: Double?
  /// Fraction of samples where both outputs pick the same top-1 class.
  public var top1Agreement: Double
  /// Mean KL(reference ‖ quantized) of the output distributions (softmax applied to outputs that
  /// are not already probabilities).
  public var klDivergence: Double
  /// 10·log10(Σ ref² / Σ (ref − q)²); +∞ when the outputs are identical.
  public var outputSQNR: Double

  /// Compares `quantized` with `reference` (equal shapes); `labels` holds one class per sample.
  public static func compare(reference: EvalTensor, quantized: EvalTensor, labels: [Int]?) -> OutputMetrics {
    let classes = max(reference.shape.last ?? 1, 1)
    let samples = reference.count / classes
    let refTop = top1(reference, classes: classes), qTop = top1(quantized, classes: classes)
    let agree = zip(refTop, qTop).filter { $0 == $1 }.count
    var accuracy: Double? = nil
    if let labels, labels.count == samples {
      accuracy = samples == 0 ? 0 : Double(zip(qTop, labels).filter { $0 == $1 }.count) / Double(samples)
    }
    let p = probabilities(reference, classes: classes), q = probabilities(quantized, classes: classes)
    var kl = 0.0
    for i in 0..<min(p.count, q.count) where p[i] > 0 {
      kl += p[i] * log(p[i] / max(q[i], 1e-12))
    }
    return OutputMetrics(
      samples: samples, accuracy: accuracy, top1Agreement: samples == 0 ? 1 : Double(agree) / Double(samples),
      klDivergence: samples == 0 ? 0 : max(0, kl / Double(samples)),
      outputSQNR: sqnr(reference.data, quantized.data))
  }

  /// The top-1 class of each row.
  public static func top1(_ t: EvalTensor, classes: Int) -> [Int] {
    let rows = t.count / max(classes, 1)
    return (0..<rows).map { r in
      var best = 0
      for c in 1..<max(classes, 1) where t.data[r * classes + c] > t.data[r * classes + best] { best = c }
      return best
    }
  }

  /// Rows as probability distributions: kept when they already are (non-negative, summing to 1),
  /// otherwise passed through softmax.
  static func probabilities(_ t: EvalTensor, classes: Int) -> [Double] {
    let values = t.data.map(Double.init)
    let rows = values.count / max(classes, 1)
    var result = [Double](repeating: 0, count: rows * classes)
    for r in 0..<rows {
      let row = values[(r * classes)..<((r + 1) * classes)]
      let sum = row.reduce(0, +)
      if row.allSatisfy({ $0 >= 0 }) && abs(sum - 1) < 1e-3 {
        for c in 0..<classes { result[r * classes + c] = row[r * classes + c] / sum }
      } else {
        let high = row.max() ?? 0
        let exps = row.map { exp($0 - high) }
        let total = exps.reduce(0, +)
        for (c, e) in exps.enumerated() { result[r * classes + c] = e / total }
      }
    }
    return result
  }

  /// Signal-to-quantization-noise ratio in dB, accumulated in Double.
  public static func sqnr(_ reference: [Float], _ other: [Float]) -> Double {
    var signal = 0.0, noise = 0.0
    for i in 0..<min(reference.count, other.count) {
      let x = Double(reference[i]), d = x - Double(other[i])
      signal += x * x; noise += d * d
    }
    if noise == 0 { return .infinity }
    if signal == 0 { return -.infinity }
    return 10 * log10(signal / noise)
  }
}
