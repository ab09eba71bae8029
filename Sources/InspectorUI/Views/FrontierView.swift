import Foundation
import QuantEngine
import TUIKit
import Workflows

/// The autopilot overlays: the size/SQNR frontier plot and the budget prompt.
enum FrontierView {
  static let title = "Frontier: size vs SQNR"

  static func render(_ state: AppState, selected: Int, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    let style = theme.style(.dialogFg, bg: .dialogBg)
    let dim = style.patched(with: theme.style(.dimFg))
    let box = Overlay(
      title: title, width: min(96, area.width - 2), height: min(26, area.height - 2), style: style,
      borderStyle: theme.style(.dialogBorderFg, bg: .dialogBg), glyphs: glyphs)
    box.render(into: &buffer, area: area)
    let content = box.content(in: area)
    guard content.height >= 6, content.width >= 20 else { return }
    let footer = "←/→ move  PgUp/PgDn jump  Enter apply  Esc close"
    buffer.write(glyphs.isUnicode ? footer : footer.replacingOccurrences(of: "←/→", with: "h/l"),
                 at: Point(x: content.x, y: content.maxY - 1), style: dim, clip: content)
    switch state.autopilot.sensitivity {
    case .idle, .computing:
      buffer.write(glyphs.isUnicode ? "computing sensitivity…" : "computing sensitivity...", at: Point(x: content.x, y: content.y), style: style, clip: content)
      return
    case .failed(let reason):
      buffer.write("sensitivity failed: \(reason)", in: content.row(0), alignment: .left, style: theme.style(.errorFg, bg: .dialogBg), ellipsis: glyphs.ellipsis)
      return
    case .ready:
      break
    }
    guard let planner = state.autopilot.planner, planner.pointCount > 0 else {
      let reason = state.autopilot.plannerError ?? "no frontier points"
      buffer.write(reason, in: content.row(0), alignment: .left, style: theme.style(.warningFg, bg: .dialogBg), ellipsis: glyphs.ellipsis)
      return
    }
    let k = min(max(0, selected), planner.pointCount - 1)
    let point = planner.point(k)
    let current = state.currentPlanPoint(planner)
    // Two info lines and the footer sit under the plot and its x-axis labels.
    let labelWidth = 9
    let plotArea = Rect(x: content.x + labelWidth, y: content.y + 1, width: content.width - labelWidth, height: content.height - 6)
    let points = (0..<planner.pointCount).map { planner.point($0) }
    let scale = PlotScale(points: points + (current.map { [$0] } ?? []))
    let line = theme.style(.frontierLine, bg: .dialogBg)
    var shapes: [CanvasShape] = [.polyline(points.map { scale.xy($0) }, line)]
    let here = scale.xy(point)
    shapes.append(.line(from: (here.x, scale.yRange.lowerBound), to: (here.x, scale.yRange.upperBound), theme.style(.frontierPoint, bg: .dialogBg)))
    if let current {
      let c = scale.xy(current)
      let dx = (scale.xRange.upperBound - scale.xRange.lowerBound) / 40
      let dy = (scale.yRange.upperBound - scale.yRange.lowerBound) / 12
      let mark = theme.style(.frontierCurrent, bg: .dialogBg)
      shapes.append(.line(from: (c.x - dx, c.y), to: (c.x + dx, c.y), mark))
      shapes.append(.line(from: (c.x, c.y - dy), to: (c.x, c.y + dy), mark))
    }
    BrailleCanvas(xRange: scale.xRange, yRange: scale.yRange, shapes: shapes, glyphs: glyphs).render(into: &buffer, area: plotArea)

    // Axes: y labels on the left, x labels below.
    buffer.write("SQNR dB", at: Point(x: content.x, y: content.y), style: dim, clip: content)
    buffer.write(scale.hasExact ? "exact" : Format.decibels(scale.yRange.upperBound), at: Point(x: content.x, y: plotArea.y), style: dim, clip: content)
    buffer.write(Format.decibels(scale.yRange.lowerBound), at: Point(x: content.x, y: plotArea.maxY - 1), style: dim, clip: content)
    let axisY = plotArea.maxY
    let low = Format.bytes(Int(scale.xRange.lowerBound)), high = Format.bytes(Int(scale.xRange.upperBound))
    buffer.write(low, at: Point(x: plotArea.x, y: axisY), style: dim, clip: content)
    buffer.write("size", in: Rect(x: plotArea.x, y: axisY, width: plotArea.width, height: 1), alignment: .center, style: dim, ellipsis: glyphs.ellipsis)
    buffer.write(high, at: Point(x: max(plotArea.x, plotArea.maxX - high.count), y: axisY), style: dim, clip: content)

    let ratio = point.fileBytes > 0 ? Double(state.model.fileBytes) / Double(point.fileBytes) : 0
    let info = "point \(k + 1)/\(planner.pointCount)  size \(Format.bytes(point.fileBytes))  ratio \(String(format: "%.2fx", ratio))  bpw \(String(format: "%.2f", point.bitsPerWeight))  SQNR \(sqnrText(point))"
    buffer.write(info, in: content.row(content.height - 4), alignment: .left, style: theme.style(.frontierPoint, bg: .dialogBg), ellipsis: glyphs.ellipsis)
    let pins = state.autopilot.pins.isEmpty ? "" : "  (\(state.autopilot.pins.count) pinned)"
    let now = current.map { "current plan (+): \(Format.bytes($0.fileBytes)), \(String(format: "%.2f", $0.bitsPerWeight)) bpw, SQNR \(sqnrText($0))\(pins)" } ?? "current plan uses schemes the autopilot did not measure\(pins)"
    buffer.write(now, in: content.row(content.height - 3), alignment: .left, style: theme.style(.frontierCurrent, bg: .dialogBg), ellipsis: glyphs.ellipsis)
  }

  /// "21.3 dB", or "exact" for a lossless point.
  static func sqnrText(_ point: AutoPoint) -> String {
    guard let db = point.sqnrDB else { return "-" }
    return db.isFinite ? Format.decibels(db) + " dB" : Format.decibels(db)
  }

  static func renderBudget(_ state: AppState, input: TextInputState, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    let style = theme.style(.dialogFg, bg: .dialogBg)
    let box = Overlay(title: "Autopilot budget", width: 70, height: 7, style: style, borderStyle: theme.style(.dialogBorderFg, bg: .dialogBg), glyphs: glyphs)
    box.render(into: &buffer, area: area)
    let content = box.content(in: area)
    buffer.write("Size (50%, 2M, 2000000 bytes) or bits per weight (4.5bpw):", at: Point(x: content.x, y: content.y), style: style, clip: content)
    TextField(state: input, style: theme.style(.inputFg, bg: .inputBg)).render(into: &buffer, area: content.row(1))
    let status = state.autopilot.sensitivity.isComputing ? (glyphs.isUnicode ? "computing sensitivity…" : "computing sensitivity...") : ""
    buffer.write(status, at: Point(x: content.x, y: content.y + 2), style: style.patched(with: theme.style(.dimFg)), clip: content)
    buffer.write("Enter solve and apply   Esc cancel", at: Point(x: content.x, y: content.y + 4), style: style.patched(with: theme.style(.dimFg)), clip: content)
  }
}

/// Maps frontier points to plot coordinates; an exact (infinite) SQNR sits at the top.
struct PlotScale {
  var xRange: ClosedRange<Double>
  var yRange: ClosedRange<Double>
  /// Whether a point is lossless (drawn in the headroom at the top).
  var hasExact: Bool

  init(points: [AutoPoint]) {
    hasExact = points.contains { $0.sqnrDB.map { !$0.isFinite && $0 > 0 } ?? false }
    let xs = points.map { Double($0.fileBytes) }
    let ys = points.compactMap { $0.sqnrDB }.filter(\.isFinite)
    let xLow = xs.min() ?? 0, xHigh = xs.max() ?? 1
    let yLow = ys.min() ?? 0, yHigh = ys.max() ?? 1
    xRange = xLow...(xHigh > xLow ? xHigh : xLow + 1)
    // Headroom above the best finite point is where exact (lossless) points go.
    let span = max(1, yHigh - yLow)
    yRange = yLow...(yHigh + span * 0.1)
  }

  func xy(_ point: AutoPoint) -> (x: Double, y: Double) {
    let y = point.sqnrDB ?? yRange.lowerBound
    let clamped = y.isFinite ? min(max(y, yRange.lowerBound), yRange.upperBound) : (y > 0 ? yRange.upperBound : yRange.lowerBound)
    return (min(max(Double(point.fileBytes), xRange.lowerBound), xRange.upperBound), clamped)
  }
}
