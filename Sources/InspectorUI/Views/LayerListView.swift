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

  /// The columns that fit `width`, dropping the least important first.
  static func columns(width: Int) -> [ColumnSpec] {
    let scheme = ColumnSpec(column: TableColumn("scheme", width: .fixed(11)), sort: .scheme)
    let sqnr = ColumnSpec(column: TableColumn("SQNR", width: .fixed(6), alignment: .right), sort: .sqnr)
    let size = ColumnSpec(column: TableColumn("size", width: .fixed(9), alignment: .right), sort: .size)
    let optional: [(ColumnSpec, Int)] = [
      (ColumnSpec(column: TableColumn("shape", width: .fixed(11)), sort: .shape), 12),
      (ColumnSpec(column: TableColumn("params", width: .fixed(6), alignment: .right), sort: .params), 7),
      (ColumnSpec(column: TableColumn("dtype", width: .fixed(5)), sort: .dtype), 6),
      (ColumnSpec(column: TableColumn("op", width: .fixed(12)), sort: .op), 13),
    ]
    var used = 16 + 3 * 1 + 11 + 6 + 9
    var chosen: Set<SortColumn> = []
    for (spec, cost) in optional where used + cost <= width {
      used += cost
      chosen.insert(spec.sort)
    }
    var result = [ColumnSpec(column: TableColumn("name", width: .fill(1)), sort: .name)]
    for spec in optional.map(\.0) where chosen.contains(spec.sort) && spec.sort == .op { result.append(spec) }
    for spec in optional.map(\.0) where chosen.contains(spec.sort) && spec.sort != .op {
      result.append(spec)
    }
    // Keep a readable order: name, op, shape, dtype, params, then the plan columns.
    let order: [SortColumn] = [.name, .op, .shape, .dtype, .params]
    result.sort { (order.firstIndex(of: $0.sort) ?? 9) < (order.firstIndex(of: $1.sort) ?? 9) }
    return result + [scheme, sqnr, size]
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
    let specs = columns(width: inner.width)
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
      }
    }
  }

  static func schemeCell(_ state: AppState, _ t: Int, theme: Theme, glyphs: Glyphs) -> Span {
    // Pinned tensors carry a marker: the autopilot keeps their scheme.
    let pin = state.autopilot.pins[state.model.rows[t].name] == nil ? "" : (glyphs.isUnicode ? "◆" : "#")
    guard let scheme = state.planned[t] else { return Span(pin + "keep", style: theme.style(.dimFg)) }
    if state.model.rows[t].refusals[scheme] != nil { return Span(pin + scheme.rawValue + "!", style: theme.style(.warningFg)) }
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

/// A shape as `32×3×3×1`, with `x` when the terminal cannot show UTF-8.
func shapeText(_ shape: [Int], glyphs: Glyphs) -> String {
  shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: glyphs.isUnicode ? "×" : "x")
}
