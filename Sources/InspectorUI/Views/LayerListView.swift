import Foundation
import QuantEngine
import TUIKit
import Workflows

/// The layer list pane: groups and tensors with their plan and error.
public enum LayerListView {
  struct ColumnSpec {
    var column: TableColumn
    var sort: SortColumn
  }

  /// The columns that fit `width`: name, scheme, SQNR and size always; the others by priority
  /// (the sorted column first, then output SQNR, sensitivity, importance, shape, params, dtype,
  /// op), dropping the least important on narrow screens.
  static func columns(_ state: AppState, width: Int) -> [ColumnSpec] {
    let scheme = ColumnSpec(column: TableColumn("scheme", width: .fixed(11)), sort: .scheme)
    let sqnr = ColumnSpec(column: TableColumn("SQNR", width: .fixed(6), alignment: .right), sort: .sqnr)
    let size = ColumnSpec(column: TableColumn("size", width: .fixed(9), alignment: .right), sort: .size)
    var optional: [ColumnSpec] = []
    if state.accuracy != nil {
      optional.append(ColumnSpec(column: TableColumn("out dB", width: .fixed(6), alignment: .right), sort: .layerSQNR))
    }
    let measure = state.sensitivityMeasure.rawValue
    optional.append(ColumnSpec(column: TableColumn("sens " + measure, width: .fixed(max(8, 5 + measure.count)), alignment: .right), sort: .sensitivity))
    if state.model.importancePath != nil {
      optional.append(ColumnSpec(column: TableColumn("imp", width: .fixed(7), alignment: .right), sort: .importance))
    }
    optional += [
      ColumnSpec(column: TableColumn("shape", width: .fixed(11)), sort: .shape),
      ColumnSpec(column: TableColumn("params", width: .fixed(6), alignment: .right), sort: .params),
      ColumnSpec(column: TableColumn("dtype", width: .fixed(5)), sort: .dtype),
      ColumnSpec(column: TableColumn("op", width: .fixed(12)), sort: .op),
    ]
    if let sorted = optional.firstIndex(where: { $0.sort == state.sort }) { optional.insert(optional.remove(at: sorted), at: 0) }
    func cost(_ spec: ColumnSpec) -> Int {
      if case .fixed(let n) = spec.column.width { return n + 1 }
      return 0
    }
    // The name keeps at least 16 cells.
    var used = 16 + [scheme, sqnr, size].reduce(0) { $0 + cost($1) }
    var chosen: [ColumnSpec] = []
    for spec in optional where used + cost(spec) <= width {
      used += cost(spec)
      chosen.append(spec)
    }
    // A readable order: what the tensor is, then what the plan does to it.
    let order: [SortColumn] = [.name, .op, .shape, .dtype, .params, .importance, .scheme, .sqnr, .layerSQNR, .sensitivity, .size]
    let all = [ColumnSpec(column: TableColumn("name", width: .fill(1)), sort: .name)] + chosen + [scheme, sqnr, size]
    return all.sorted { (order.firstIndex(of: $0.sort) ?? 99) < (order.firstIndex(of: $1.sort) ?? 99) }
  }

  public static func render(_ state: AppState, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let focused = state.focus == .list && state.overlay == .none
    var title = "Layers \(state.model.rows.count) tensors"
    if !state.filter.isEmpty { title += "  /\(state.filter)/ \(state.visible.filter { if case .tensor = $0 { true } else { false } }.count) match" }
    if state.sort != .file { title += "  sort: \(state.sort.rawValue)\(state.sortDescending ? " " + String(glyphs.arrowDown) : " " + String(glyphs.arrowUp))" }
    let block = Block(
      title: title, borderStyle: theme.style(focused ? .borderFocusedFg : .borderFg),
      titleStyle: theme.style(focused ? .titleFocusedFg : .titleFg, bold: true), glyphs: glyphs)
    block.render(into: &buffer, area: area)
    let inner = block.inner(area)
    guard !inner.isEmpty else { return }
    if state.visible.isEmpty {
      buffer.write(state.filter.isEmpty ? "no tensors" : "no tensor matches /\(state.filter)/", at: Point(x: inner.x + 1, y: inner.y + 1), style: theme.style(.dimFg), clip: inner)
      return
    }
    let specs = columns(state, width: inner.width)
    let fixed = specs.reduce(0) { total, spec in
      if case .fixed(let n) = spec.column.width { return total + n }
      return total
    }
    let nameWidth = max(1, inner.width - fixed - (specs.count - 1))
    // Only the rows on screen are formatted: a model with thousands of tensors would otherwise spend
    // most of each frame formatting cells nobody sees.
    let probe = Table(columns: specs.map(\.column), rows: Array(repeating: [], count: state.visible.count), selected: state.cursor, offset: state.scroll)
    let first = probe.visibleOffset(height: inner.height)
    let window = first..<min(state.visible.count, first + inner.height)
    let rows = state.visible.indices.map { index -> [Span] in
      guard window.contains(index) else { return [] }
      switch state.visible[index] {
      case .group(let g): return groupCells(state, g, specs: specs, theme: theme, glyphs: glyphs)
      case .tensor(let t):
        var cells = tensorCells(state, t, specs: specs, theme: theme, glyphs: glyphs)
        // Long names differ at their end (…/fc1/MatMul), so they are cut at the front.
        if let first = cells.first, CharWidth.width(of: first.text) > nameWidth {
          let indent = state.sort == .file ? "  " : ""
          cells[0].text = indent + String(glyphs.ellipsis) + String(first.text.suffix(max(0, nameWidth - indent.count - 1)))
        }
        return cells
      }
    }
    var columns = specs.map(\.column)
    if let sorted = specs.firstIndex(where: { $0.sort == state.sort }) {
      columns[sorted].title += String(state.sortDescending ? glyphs.arrowDown : glyphs.arrowUp)
    }
    let table = Table(
      columns: columns, rows: rows, selected: state.cursor, offset: state.scroll,
      headerStyle: theme.style(.tensorListHeaderFg, bold: true), rowStyle: theme.style(.tensorListFg),
      selectedStyle: theme.style(.tensorListSelectedFg, bg: .tensorListSelectedBg), glyphs: glyphs)
    table.render(into: &buffer, area: inner)
  }

  static func groupCells(_ state: AppState, _ g: Int, specs: [ColumnSpec], theme: Theme, glyphs: Glyphs) -> [Span] {
    let group = state.model.groups[g]
    let marker = state.folded.contains(g) ? glyphs.arrowRight : glyphs.arrowDown
    let elements = group.tensors.reduce(0) { $0 + state.model.rows[$1].elements }
    let bytes = group.tensors.reduce(0) { $0 + state.plannedBytes($1) }
    let changed = group.tensors.filter { state.planned[$0] != nil }.count
    let heading = theme.style(.accentFg, bold: true)
    return specs.map { spec in
      switch spec.sort {
      case .name: return Span("\(marker) \(group.name)", style: heading)
      case .op: return Span(group.kind ?? "", style: theme.style(.dimFg))
      case .params: return Span(Format.count(elements), style: theme.style(.dimFg))
      case .scheme: return Span(changed > 0 ? "\(changed)/\(group.tensors.count) set" : "", style: theme.style(.dimFg))
      case .size: return Span(Format.bytes(bytes), style: theme.style(.dimFg))
      default: return Span("")
      }
    }
  }

  static func tensorCells(_ state: AppState, _ t: Int, specs: [ColumnSpec], theme: Theme, glyphs: Glyphs) -> [Span] {
    let row = state.model.rows[t]
    let indent = state.sort == .file ? "  " : ""
    return specs.map { spec in
      switch spec.sort {
      case .file, .name: return Span(indent + row.name)
      case .op: return Span(row.op ?? "")
      case .shape: return Span(shapeText(row.shape, glyphs: glyphs))
      case .dtype: return Span(row.dtype)
      case .params: return Span(Format.count(row.elements))
      case .scheme: return schemeCell(state, t, theme: theme, glyphs: glyphs)
      case .sqnr: return sqnrCell(state, t, theme: theme, glyphs: glyphs)
      case .size: return Span(Format.bytes(state.plannedBytes(t)), style: state.planned[t] == nil ? Style() : theme.style(.tensorListModifiedFg))
      case .layerSQNR: return layerSQNRCell(state, t, theme: theme, glyphs: glyphs)
      case .sensitivity: return sensitivityCell(state, t, theme: theme, glyphs: glyphs)
      case .importance: return Span(row.importance.map { Format.number($0.mean) } ?? "-", style: row.importance == nil ? theme.style(.dimFg) : Style())
      }
    }
  }

  static func schemeCell(_ state: AppState, _ t: Int, theme: Theme, glyphs: Glyphs) -> Span {
    // Pinned tensors carry a marker: the autopilot keeps their scheme.
    let pin = state.autopilot.pins[state.model.rows[t].name] == nil ? "" : (glyphs.isUnicode ? "◆" : "#")
    guard let scheme = state.planned[t] else { return Span(pin + "keep", style: theme.style(.dimFg)) }
    if state.plannedRefusal(t) != nil { return Span(pin + scheme.rawValue + "!", style: theme.style(.warningFg)) }
    return Span(pin + scheme.rawValue, style: theme.style(.tensorListModifiedFg))
  }

  static func sqnrCell(_ state: AppState, _ t: Int, theme: Theme, glyphs: Glyphs) -> Span {
    switch state.plannedOutcome(t) {
    case nil: return Span("-", style: theme.style(.dimFg))
    case .pending?: return Span(glyphs.isUnicode ? "…" : "..", style: theme.style(.pendingFg))
    case .failed?: return Span("err", style: theme.style(.errorFg))
    case .ready(let outcome)?: return Span(Format.decibels(outcome.metrics.sqnrDB))
    }
  }
}

extension LayerListView {
  /// The accumulated output SQNR of the layer consuming the tensor; dimmed with a pending mark
  /// while the current plan is evaluated, "-" for tensors no layer output shows.
  static func layerSQNRCell(_ state: AppState, _ t: Int, theme: Theme, glyphs: Glyphs) -> Span {
    let pending = MetricsText.pendingText(glyphs)
    guard let status = state.accuracy else { return Span("-", style: theme.style(.dimFg)) }
    guard let figures = status.figures else {
      return status.computing ? Span(pending, style: theme.style(.pendingFg)) : Span("-", style: theme.style(.dimFg))
    }
    guard let db = figures.layerSQNR[t] else { return Span("-", style: theme.style(.dimFg)) }
    let text = Format.decibels(db)
    return status.computing ? Span(text + pending, style: theme.style(.pendingFg)) : Span(text)
  }

  static func sensitivityCell(_ state: AppState, _ t: Int, theme: Theme, glyphs: Glyphs) -> Span {
    switch state.sensitivity(t) {
    case nil: return Span("-", style: theme.style(.dimFg))
    case .pending?: return Span(MetricsText.pendingText(glyphs), style: theme.style(.pendingFg))
    case .failed?: return Span("err", style: theme.style(.errorFg))
    case .ready(let value)?: return Span(sensitivityText(value))
    }
  }

  /// A sensitivity in at most 8 cells: `0.0123`, `3.4e-05`, `0`.
  public static func sensitivityText(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : "inf" }
    if value == 0 { return "0" }
    if abs(value) >= 0.001 && abs(value) < 1000 { return String(format: "%.4g", value) }
    return String(format: "%.2g", value)
  }
}

/// A shape as `32×3×3×1`, with `x` when the terminal cannot show UTF-8.
func shapeText(_ shape: [Int], glyphs: Glyphs) -> String {
  shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: glyphs.isUnicode ? "×" : "x")
}
