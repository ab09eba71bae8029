import ModelFormats
import QuantEngine

/// The importance columns of `inspect --imatrix` in every report format.
enum ImportanceColumns {
  /// `"importance": {columns, mean, max, peak_ratio}`.
  static func json(_ s: ImportanceMatrix.Summary) -> String {
    JSONText.object([
      ("columns", String(s.columns)), ("mean", JSONText.number(s.mean)), ("max", JSONText.number(s.max)),
      ("peak_ratio", JSONText.number(s.peakRatio)),
    ])
  }

  /// Weighted error keys inside "quant", present only when an importance vector was used.
  static func weightedJSON(_ m: ErrorMetrics) -> [(String, String)] {
    var pairs: [(String, String)] = []
    if let mse = m.weightedMSE { pairs.append(("weighted_mse", JSONText.number(mse))) }
    if let sqnr = m.weightedSQNRdB { pairs.append(("weighted_sqnr_db", JSONText.number(sqnr))) }
    return pairs
  }

  static func names(scheme: Bool) -> [String] {
    ["importance_mean", "importance_peak_ratio"] + (scheme ? ["weighted_sqnr_db", "weighted_mse"] : [])
  }

  static func cells(_ t: TensorReport, scheme: Bool) -> [String] {
    var cells = [t.importance.map { Format.number($0.mean) } ?? "", t.importance.map { Format.number($0.peakRatio) } ?? ""]
    if scheme {
      let m = t.quant?.metrics
      cells += [m?.weightedSQNRdB.map(Format.decibels) ?? "", m?.weightedMSE.map { Format.number($0) } ?? ""]
    }
    return cells
  }

  static func tableNames(scheme: Bool) -> [String] {
    ["imp_mean", "imp_peak"] + (scheme ? ["w_sqnr_db"] : [])
  }

  static func tableCells(_ t: TensorReport, scheme: Bool) -> [String] {
    var cells = [t.importance.map { Format.number($0.mean) } ?? "-", t.importance.map { Format.number($0.peakRatio) } ?? "-"]
    if scheme { cells.append(t.quant?.metrics?.weightedSQNRdB.map(Format.decibels) ?? "") }
    return cells
  }
}
