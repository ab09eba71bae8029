import Foundation
import QuantEngine
import TensorCore
import TUIKit
import Workflows

/// The quantization grid a scheme puts over a tensor's value range, for drawing on its histogram.
public struct QuantGrid: Equatable, Sendable {
  /// Representable values (empty when there are too many to draw or they vary per block).
  public var levels: [Double]
  /// Values beyond this range are clipped to its ends.
  public var clip: ClosedRange<Double>?
  public var note: String

  /// The grid of `scheme` over values in [low, high]; per-channel and per-group schemes show the
  /// grid of the widest scale (the tensor's largest magnitude), which is the coarsest one.
  public init(scheme: Scheme?, low: Double, high: Double, maxLevels: Int) {
    levels = []
    clip = nil
    guard let scheme else { note = "no scheme"; return }
    let absMax = max(abs(low), abs(high))
    switch scheme.encoding(channelAxis: 0) {
    case .float32, .float16, .bfloat16:
      note = "float cast: no grid"
    case .blocks:
      clip = -absMax...absMax
      note = "per-block grids; clip range shown"
    case .linear(let p):
      let count = p.qmax - p.qmin + 1
      let step: Double
      let origin: Double
      if p.asymmetric {
        let lo = min(0, low), hi = max(0, high)
        step = (hi - lo) / Double(count - 1)
        origin = lo - Double(p.qmin) * step
        clip = lo...hi
      } else {
        step = absMax / Double(p.qmax)
        origin = 0
        clip = -absMax...absMax
      }
      let per: String
      switch p.granularity {
      case .tensor: per = ""
      case .channel: per = ", widest channel"
      case .group: per = ", widest group"
      }
      if step > 0, count <= maxLevels {
        levels = (p.qmin...p.qmax).map { origin + Double($0) * step }
        note = "\(count) levels\(per)"
      } else {
        note = "\(count) levels (too dense to draw)\(per)"
      }
    }
  }
}

enum ChartViews {
  static func title(_ text: String, _ detail: String, theme: Theme, into buffer: inout ScreenBuffer, area: Rect) {
    let line = Line([Span(text, style: theme.style(.detailLabelFg, bold: true)), Span("  " + detail, style: theme.style(.dimFg))])
    buffer.write(line, at: Point(x: area.x, y: area.y), clip: area.row(0))
  }

  static func pending(_ text: String, theme: Theme, into buffer: inout ScreenBuffer, area: Rect) {
    buffer.write(text, at: Point(x: area.x, y: area.y), style: theme.style(.pendingFg), clip: area)
  }

  static func weights(_ state: AppState, tensor: Int, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    guard area.height >= 2 else { return }
    let chart = area.inset(top: 1)
    switch state.stats[tensor] {
    case .ready(let analysis)?:
      let h = analysis.histogram
      let low = Double(h.lo), high = Double(h.hi)
      let grid = QuantGrid(scheme: state.planned[tensor], low: Double(analysis.stats.min), high: Double(analysis.stats.max), maxLevels: chart.width / 2)
      title("weights", "[\(Format.number(low, digits: 3)), \(Format.number(high, digits: 3))]  \(grid.note)", theme: theme, into: &buffer, area: area)
      var markers = grid.levels.map { HistogramMarker(value: $0, style: theme.style(.histogramGrid)) }
      if let clip = grid.clip {
        for bound in [clip.lowerBound, clip.upperBound] {
          markers.append(HistogramMarker(value: min(max(bound, low), high), style: theme.style(.clipMarker, bold: true)))
        }
      }
      BarHistogram(
        counts: h.counts.map(Double.init), range: low...max(high, low), markers: markers,
        barStyle: theme.style(.histogramBar), logScale: false, glyphs: glyphs
      ).render(into: &buffer, area: chart)
    case .failed(let reason)?:
      title("weights", "", theme: theme, into: &buffer, area: area)
      buffer.write(reason, at: Point(x: chart.x, y: chart.y), style: theme.style(.errorFg), clip: chart)
    default:
      title("weights", "", theme: theme, into: &buffer, area: area)
      pending("computing statistics" + (glyphs.isUnicode ? "…" : "..."), theme: theme, into: &buffer, area: chart)
    }
  }

  static func errors(_ state: AppState, tensor: Int, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    guard area.height >= 2 else { return }
    let chart = area.inset(top: 1)
    guard let outcome = state.plannedOutcome(tensor) else {
      title("error", "no scheme chosen", theme: theme, into: &buffer, area: area)
      return
    }
    switch outcome {
    case .ready(let result):
      guard let h = result.errorHistogram else {
        title("error", "not kept for tensors this large", theme: theme, into: &buffer, area: area)
        return
      }
      title("error", "x - x' in [\(Format.number(Double(h.lo), digits: 3)), \(Format.number(Double(h.hi), digits: 3))] (log)", theme: theme, into: &buffer, area: area)
      BarHistogram(
        counts: h.counts.map(Double.init), range: Double(h.lo)...Double(max(h.hi, h.lo)),
        markers: [HistogramMarker(value: 0, style: theme.style(.dimFg))],
        barStyle: theme.style(.errorHistogramBar), logScale: true, glyphs: glyphs
      ).render(into: &buffer, area: chart)
    case .failed(let reason):
      title("error", "", theme: theme, into: &buffer, area: area)
      buffer.write(reason, at: Point(x: chart.x, y: chart.y), style: theme.style(.errorFg), clip: chart)
    case .pending:
      title("error", "", theme: theme, into: &buffer, area: area)
      pending("computing \(state.planned[tensor]?.rawValue ?? "")" + (glyphs.isUnicode ? "…" : "..."), theme: theme, into: &buffer, area: chart)
    }
  }

  static func channels(_ state: AppState, tensor: Int, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    guard area.height >= 2, let analysis = state.stats[tensor]?.value else { return }
    let ranges = analysis.channelRanges
    guard !ranges.isEmpty else {
      title("channels", "no output-channel axis", theme: theme, into: &buffer, area: area)
      return
    }
    let widest = ranges.map { max(abs(Double($0.min)), abs(Double($0.max))) }
    let largest = widest.max() ?? 0
    let smallest = widest.filter { $0 > 0 }.min() ?? 0
    let spread = smallest > 0 ? String(format: "max/min range %.1fx", largest / smallest) : "some channels all zero"
    title("channels", "\(ranges.count) ranges, \(spread)", theme: theme, into: &buffer, area: area)
    RangeStrip(
      channels: ranges.map { (Double($0.min), Double($0.max)) }, style: theme.style(.rangeStrip),
      zeroStyle: theme.style(.rangeZero), glyphs: glyphs
    ).render(into: &buffer, area: area.inset(top: 1))
  }
}
