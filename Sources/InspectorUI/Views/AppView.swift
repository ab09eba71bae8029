import Foundation
import QuantEngine
import TUIKit
import Workflows

/// The whole frame: title, panes, summary bar, message/hint line and the overlay on top.
public enum AppView {
  public static let minimumSize = MinimumSize(width: 80, height: 24)

  public static func render(_ state: AppState, theme: Theme, glyphs: Glyphs, keymap: Keymap = .standard, into buffer: inout ScreenBuffer) {
    if minimumSize.renderMessageIfNeeded(into: &buffer, style: theme.style(.warningFg), glyphs: glyphs) { return }
    let layout = ScreenLayout(size: Size(width: buffer.width, height: buffer.height), focus: state.focus)
    renderTitle(state, theme: theme, glyphs: glyphs, into: &buffer, area: layout.title)
    LayerListView.render(state, theme: theme, glyphs: glyphs, into: &buffer, area: layout.list)
    DetailView.render(state, theme: theme, glyphs: glyphs, into: &buffer, area: layout.detail)
    SummaryBarView.render(PlanSummary(state: state), model: state.model, accuracy: state.accuracy, theme: theme, glyphs: glyphs, into: &buffer, area: layout.summary)
    renderStatus(state, theme: theme, glyphs: glyphs, keymap: keymap, into: &buffer, area: layout.status)
    OverlayViews.render(state, theme: theme, glyphs: glyphs, keymap: keymap, into: &buffer, area: buffer.bounds)
  }

  static func renderTitle(_ state: AppState, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    let dirty = state.dirty ? " [modified]" : ""
    let left = [
      Span(" QuantScope ", style: theme.style(.accentFg, bold: true)),
      Span("\(state.model.fileName)  \(state.model.format.rawValue), \(Format.bytes(state.model.fileBytes)), \(state.model.rows.count) tensors\(dirty)"),
    ]
    let right = [Span("? help  q quit ", style: theme.style(.dimFg))]
    StatusBar(left: left, right: right, style: theme.style(.mainFg), ellipsis: glyphs.ellipsis).render(into: &buffer, area: area)
  }

  static func renderStatus(_ state: AppState, theme: Theme, glyphs: Glyphs, keymap: Keymap, into buffer: inout ScreenBuffer, area: Rect) {
    if case .filter(let input) = state.overlay {
      buffer.write("/", at: Point(x: area.x, y: area.y), style: theme.style(.accentFg, bold: true), clip: area)
      let field = TextField(state: input, style: theme.style(.inputFg, bg: .inputBg))
      field.render(into: &buffer, area: Rect(x: area.x + 1, y: area.y, width: max(0, area.width - 1), height: 1))
      return
    }
    if let message = state.message {
      let role: ThemeRole
      switch message.kind {
      case .info: role = .mainFg
      case .success: role = .successFg
      case .warning: role = .warningFg
      case .error: role = .errorFg
      }
      buffer.write(message.text, in: area, alignment: .left, style: theme.style(role), ellipsis: glyphs.ellipsis)
      return
    }
    let hints: [(key: String, label: String)] = [
      ("j/k", "move"), ("h/l", "scheme"), ("S", "pick"), ("a", "apply"), ("/", "filter"), ("u", "undo"),
      ("w", "save"), ("Tab", "pane"), ("?", "help"),
    ]
    StatusBar(
      left: StatusBar.hints(hints, keyStyle: theme.style(.statusKeyFg, bold: true), style: theme.style(.dimFg)),
      style: Style(), ellipsis: glyphs.ellipsis
    ).render(into: &buffer, area: area)
  }
}

/// The always-visible summary bar.
public enum SummaryBarView {
  public static func render(
    _ summary: PlanSummary, model: ModelSummary, accuracy: AccuracyStatus? = nil, theme: Theme, glyphs: Glyphs,
    into buffer: inout ScreenBuffer, area: Rect
  ) {
    let arrow = glyphs.isUnicode ? " → " : " -> "
    let pending = glyphs.isUnicode ? "…" : ".."
    let key = theme.style(.statusKeyFg, bg: .statusBg, bold: true)
    let sqnr: String
    if summary.pending > 0 {
      sqnr = "\(pending) (\(summary.pending) computing)"
    } else if let db = summary.sqnrDB {
      sqnr = db.isFinite ? Format.decibels(db) + " dB" : Format.decibels(db)
    } else {
      sqnr = "-"
    }
    let size = [Span(" size ", style: key), Span(Format.bytes(summary.originalBytes) + arrow + Format.bytes(summary.plannedBytes))]
    let ratio = [Span("  ratio ", style: key), Span(String(format: "%.2fx", summary.ratio))]
    let bpw = [Span("  bpw ", style: key), Span(summary.bitsPerWeight.map { String(format: "%.2f", $0) } ?? "-")]
    let rest = [
      Span("  SQNR ", style: key), Span(sqnr),
      Span("  changed ", style: key), Span("\(summary.changed)/\(model.rows.count)"),
    ]
    func tail(agreement: Bool) -> [Span] {
      var spans: [Span] = []
      if let accuracy { spans += accuracySpans(accuracy, key: key, arrow: arrow, pending: pending, theme: theme, agreement: agreement) }
      if summary.refused > 0 { spans.append(Span("  \(summary.refused) not storable", style: theme.style(.warningFg, bg: .statusBg))) }
      return spans
    }
    // On narrow terminals the derived figures (ratio, bpw, then agreement) make room for the accuracy.
    let full = tail(agreement: true)
    let candidates = [size + ratio + bpw + rest + full, size + bpw + rest + full, size + rest + full, size + rest + tail(agreement: false)]
    let left = candidates.first { $0.reduce(0) { $0 + $1.width } <= area.width } ?? candidates[candidates.count - 1]
    StatusBar(left: left, style: theme.style(.statusFg, bg: .statusBg), ellipsis: glyphs.ellipsis).render(into: &buffer, area: area)
  }

  /// `acc 98.9% → 98.6%  agree 99.7%  KL 0.0012`, with the pending marker while the plan is evaluated.
  static func accuracySpans(_ status: AccuracyStatus, key: Style, arrow: String, pending: String, theme: Theme, agreement: Bool = true) -> [Span] {
    func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", 100 * $0) } ?? "-" }
    guard let figures = status.figures else {
      return [Span("  acc ", style: key), Span(status.error == nil ? pending : "-")]
    }
    var spans: [Span] = []
    if figures.accuracy != nil || figures.floatAccuracy != nil {
      spans += [Span("  acc ", style: key), Span(percent(figures.floatAccuracy) + arrow + percent(figures.accuracy))]
    }
    if agreement { spans += [Span("  agree ", style: key), Span(percent(figures.agreement))] }
    spans += [Span("  KL ", style: key), Span(String(format: "%.4f", figures.klDivergence))]
    if status.computing { spans.append(Span(" " + pending, style: theme.style(.dimFg, bg: .statusBg))) }
    return spans
  }
}
