import Foundation
import QuantEngine
import TUIKit
import Workflows

/// The statistics and metric lines of the detail pane, with optional one-line definitions.
enum MetricsText {
  static let definitions: [String: String] = [
    "min": "smallest finite value", "max": "largest finite value", "mean": "average of finite values",
    "std": "population standard deviation", "zeros": "elements equal to 0", "nonfinite": "NaN and Inf elements",
    "bytes": "stored size: original -> under the scheme",
    "SQNR": "10*log10(sum x^2 / sum (x-x')^2), higher is better",
    "MSE": "mean of (x-x')^2", "max err": "largest |x-x'|", "cosine": "sum x*x' / (|x| |x'|)",
    "rmse/scale": "RMS error per quantization step; 0.29 = pure rounding",
    "clipped": "fraction of values clamped to the grid's ends",
    "out SQNR": "SQNR of the consuming layer's output on the eval data, error accumulated",
    "imp mean": "imatrix: mean squared activation of the input columns",
    "imp peak": "imatrix: max / mean column importance (concentration)",
    "imp cols": "imatrix: columns, and the fraction above the mean",
  ]

  static func lines(_ state: AppState, tensor: Int, theme: Theme, glyphs: Glyphs, width: Int) -> [Line] {
    let row = state.model.rows[tensor]
    var left: [(String, String)] = []
    switch state.stats[tensor] {
    case .ready(let a)?:
      let s = a.stats
      left = [
        ("min", Format.number(Double(s.min))), ("max", Format.number(Double(s.max))),
        ("mean", Format.number(s.mean)), ("std", Format.number(s.std)),
        ("zeros", String(s.zeros)), ("nonfinite", String(s.nonFinite)),
      ]
    case .failed?: left = [("stats", "failed")]
    default: left = ["min", "max", "mean", "std", "zeros", "nonfinite"].map { ($0, pendingText(glyphs)) }
    }
    left += importanceFacts(row)
    var right: [(String, String)] = [("bytes", "\(Format.bytes(row.bytes)) -> \(Format.bytes(state.plannedBytes(tensor)))")]
    switch state.plannedOutcome(tensor) {
    case nil:
      right += [("SQNR", "-"), ("MSE", "-"), ("max err", "-"), ("cosine", "-"), ("rmse/scale", "-"), ("clipped", "-")]
    case .ready(let o)?:
      let m = o.metrics
      right += [
        ("SQNR", m.sqnrDB.isFinite ? Format.decibels(m.sqnrDB) + " dB" : Format.decibels(m.sqnrDB)), ("MSE", Format.number(m.mse, digits: 3)),
        ("max err", Format.number(m.maxAbsError, digits: 3)), ("cosine", String(format: "%.6f", m.cosine)),
        ("rmse/scale", m.rmseOverScale.map { String(format: "%.3f", $0) } ?? "-"),
        ("clipped", String(format: "%.4f%%", m.clippedFraction * 100)),
      ]
    case .failed(let reason)?:
      right += [("error", reason)]
    case .pending?:
      right += ["SQNR", "MSE", "max err", "cosine", "rmse/scale", "clipped"].map { ($0, pendingText(glyphs)) }
    }
    right += evaluationFacts(state, tensor: tensor, glyphs: glyphs)
    let label = theme.style(.detailLabelFg)
    let value = theme.style(.detailValueFg)
    if state.showDefinitions {
      return (left + right).map { name, text in
        let definition = definitions[name] ?? SensitivityMeasure.allCases.first { "sens " + $0.rawValue == name }?.definition ?? ""
        return Line([Span(pad(name, 10), style: label), Span(pad(text, 12), style: value), Span(definition, style: theme.style(.dimFg))])
      }
    }
    let half = max(1, width / 2)
    var lines: [Line] = []
    for i in 0..<max(left.count, right.count) {
      var spans: [Span] = []
      if i < left.count {
        spans += [Span(pad(left[i].0, 10), style: label), Span(pad(left[i].1, max(0, half - 10)), style: value)]
      } else {
        spans.append(Span(String(repeating: " ", count: half)))
      }
      if i < right.count { spans += [Span(pad(right[i].0, 11), style: label), Span(right[i].1, style: value)] }
      lines.append(Line(spans))
    }
    return lines
  }

  /// The imatrix summary of the tensor, when an imatrix is loaded.
  static func importanceFacts(_ row: TensorRow) -> [(String, String)] {
    if let problem = row.importanceProblem { return [("imp", problem)] }
    guard let s = row.importance else { return [] }
    return [
      ("imp mean", Format.number(s.mean)), ("imp peak", String(format: "%.1fx", s.peakRatio)),
      ("imp cols", "\(s.columns), \(String(format: "%.0f%%", s.aboveMean * 100)) > mean"),
    ]
  }

  /// The layer output SQNR (with evaluation data) and the sensitivity of the tensor at its scheme.
  static func evaluationFacts(_ state: AppState, tensor: Int, glyphs: Glyphs) -> [(String, String)] {
    var facts: [(String, String)] = []
    if let status = state.accuracy {
      let mark = status.computing ? " " + pendingText(glyphs) : ""
      let text = state.layerSQNR(tensor).map { $0.isFinite ? Format.decibels($0) + " dB" : Format.decibels($0) } ?? (status.figures == nil ? pendingText(glyphs) : "-")
      facts.append(("out SQNR", text + (status.figures == nil ? "" : mark)))
    }
    let measure = state.sensitivityMeasure
    let text: String
    switch state.sensitivity(tensor) {
    case nil: text = "-"
    case .pending?: text = pendingText(glyphs)
    case .failed(let reason)?: text = "failed: " + reason
    case .ready(let value)?: text = LayerListView.sensitivityText(value)
    }
    facts.append(("sens " + measure.rawValue, text))
    return facts
  }

  static func pendingText(_ glyphs: Glyphs) -> String { glyphs.isUnicode ? "…" : ".." }

  static func pad(_ text: String, _ width: Int) -> String {
    let used = CharWidth.width(of: text)
    return used >= width ? text + " " : text + String(repeating: " ", count: width - used)
  }
}
