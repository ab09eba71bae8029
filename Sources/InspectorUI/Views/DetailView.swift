import Foundation
import QuantEngine
import TUIKit
import Workflows

/// The detail pane: histograms with the quantization grid and clip range, per-channel ranges,
/// statistics and every metric of the selected tensor under its planned scheme.
public enum DetailView {
  public static func render(_ state: AppState, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let focused = state.focus == .detail && state.overlay == .none
    let block = Block(
      title: "Detail", borderStyle: theme.style(focused ? .borderFocusedFg : .borderFg),
      titleStyle: theme.style(focused ? .titleFocusedFg : .titleFg, bold: true), glyphs: glyphs)
    block.render(into: &buffer, area: area)
    let inner = block.inner(area).inset(left: 1, right: 1)
    guard !inner.isEmpty else { return }
    guard let tensor = state.selectedTensor else {
      groupSummary(state, theme: theme, into: &buffer, area: inner)
      return
    }
    let row = state.model.rows[tensor]
    let label = theme.style(.detailLabelFg)
    let value = theme.style(.detailValueFg)
    buffer.write(row.name, in: inner.row(0), alignment: .left, style: value.with(bold: true), ellipsis: glyphs.ellipsis)
    let scheme = state.planned[tensor]
    let refusal = state.plannedRefusal(tensor)
    var facts = "\(shapeText(row.shape, glyphs: glyphs)) \(row.dtype) \(Format.count(row.elements)) params  \(row.op ?? "")"
    if let note = row.note { facts += "  (\(note))" }
    buffer.write(facts, in: inner.row(1), alignment: .left, style: theme.style(.dimFg), ellipsis: glyphs.ellipsis)
    let schemeLine = Line([
      Span("scheme ", style: label),
      Span(scheme?.rawValue ?? "keep", style: theme.style(scheme == nil ? .dimFg : .tensorListModifiedFg, bold: true)),
      Span(refusal.map { "  not storable: \($0)" } ?? (scheme.map { "  \($0.summary)" } ?? "  (←/→ or s to choose)"),
           style: theme.style(refusal == nil ? .dimFg : .warningFg)),
    ])
    buffer.write(schemeLine, at: Point(x: inner.x, y: inner.y + 2), clip: inner.row(2))
    let metricLines = MetricsText.lines(state, tensor: tensor, theme: theme, glyphs: glyphs, width: inner.width)
    let rest = Rect(x: inner.x, y: inner.y + 3, width: inner.width, height: max(0, inner.height - 3))
    let metricsHeight = min(metricLines.count, max(0, rest.height - 9))
    let charts = Rect(x: rest.x, y: rest.y, width: rest.width, height: rest.height - metricsHeight)
    let parts = charts.split(.vertical, [.fill(5), .fill(3), .fill(2)])
    ChartViews.weights(state, tensor: tensor, theme: theme, glyphs: glyphs, into: &buffer, area: parts[0])
    ChartViews.errors(state, tensor: tensor, theme: theme, glyphs: glyphs, into: &buffer, area: parts[1])
    ChartViews.channels(state, tensor: tensor, theme: theme, glyphs: glyphs, into: &buffer, area: parts[2])
    let metricsArea = Rect(x: rest.x, y: charts.maxY, width: rest.width, height: metricsHeight)
    let scroll = min(state.detailScroll, max(0, metricLines.count - metricsHeight))
    for (n, line) in metricLines.dropFirst(scroll).prefix(metricsHeight).enumerated() {
      buffer.write(line, at: Point(x: metricsArea.x, y: metricsArea.y + n), clip: metricsArea)
    }
  }

  static func groupSummary(_ state: AppState, theme: Theme, into buffer: inout ScreenBuffer, area: Rect) {
    guard case .group(let g)? = state.selectedRow else {
      buffer.write("no tensor selected", at: Point(x: area.x, y: area.y), style: theme.style(.dimFg), clip: area)
      return
    }
    let group = state.model.groups[g]
    var lines: [Line] = [
      Line(group.name, style: theme.style(.detailValueFg, bold: true)),
      Line("\(group.kind ?? "layer"), \(group.tensors.count) tensor(s)", style: theme.style(.dimFg)), "",
    ]
    for t in group.tensors {
      let row = state.model.rows[t]
      lines.append(Line([
        Span(row.name + "  ", style: theme.style(.detailLabelFg)),
        Span(state.planned[t]?.rawValue ?? "keep", style: theme.style(.detailValueFg)),
      ]))
    }
    lines.append("")
    lines.append(Line("Enter or Space folds; select a tensor for its histograms.", style: theme.style(.dimFg)))
    Paragraph(lines).render(into: &buffer, area: area)
  }
}
