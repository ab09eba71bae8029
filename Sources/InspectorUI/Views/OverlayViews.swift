import Foundation
import QuantEngine
import TUIKit
import Workflows

/// Dialogs, lists and help drawn over the panes.
enum OverlayViews {
  static func render(_ state: AppState, theme: Theme, glyphs: Glyphs, keymap: Keymap, into buffer: inout ScreenBuffer, area: Rect) {
    let style = theme.style(.dialogFg, bg: .dialogBg)
    let border = theme.style(.dialogBorderFg, bg: .dialogBg)
    switch state.overlay {
    case .none, .filter:
      return
    case .help(let scroll):
      textBox(title: "Keys", lines: helpLines(keymap: keymap, theme: theme, glyphs: glyphs), scroll: scroll, width: min(100, area.width - 2), style: style, border: border, glyphs: glyphs, into: &buffer, area: area)
    case .info(let scroll):
      textBox(title: "Model info", lines: infoLines(state, theme: theme), scroll: scroll, width: 90, style: style, border: border, glyphs: glyphs, into: &buffer, area: area)
    case .schemePicker(let selected):
      guard let tensor = state.selectedTensor else { return }
      let row = state.model.rows[tensor]
      let items = pickerChoices(state, tensor: tensor).map { choice -> PickerItem in
        guard let scheme = choice.scheme else { return PickerItem("keep", detail: "leave the data as it is") }
        let size = row.storedBytes[scheme].map { Format.bytes($0) } ?? ""
        return PickerItem(scheme.rawValue, detail: "\(size)  \(String(format: "%.3g", scheme.nominalBitsPerWeight)) bpw", disabledReason: choice.refusal)
      }
      ListPicker(
        title: "Scheme for \(row.name)", items: items, selected: selected, style: style, borderStyle: border,
        selectedStyle: theme.style(.pickerSelectedFg, bg: .pickerSelectedBg), disabledStyle: theme.style(.disabledFg),
        glyphs: glyphs, maxVisible: max(3, area.height - 6)
      ).render(into: &buffer, area: area)
    case .save(let dialog):
      saveDialog(dialog, state: state, theme: theme, glyphs: glyphs, style: style, border: border, into: &buffer, area: area)
    case .path(let purpose, let input):
      let title = purpose == .savePlan ? "Save plan" : "Load plan"
      let box = Overlay(title: title, width: 70, height: 6, style: style, borderStyle: border, glyphs: glyphs)
      box.render(into: &buffer, area: area)
      let content = box.content(in: area)
      buffer.write("Plan file (JSON, architecture.md):", at: Point(x: content.x, y: content.y), style: style, clip: content)
      TextField(state: input, style: theme.style(.inputFg, bg: .inputBg)).render(into: &buffer, area: content.row(1))
      buffer.write("Enter confirm   Esc cancel", at: Point(x: content.x, y: content.y + 3), style: style.patched(with: theme.style(.dimFg)), clip: content)
    case .confirmQuit:
      Dialog(
        title: "Unsaved plan",
        message: [Line("The plan has unsaved changes. Quit anyway? The plan is kept in"), Line(state.recoveryPath)],
        choices: [("y", "Quit"), ("p", "Save plan"), ("n", "Stay")], style: style, borderStyle: border,
        keyStyle: theme.style(.helpKeyFg, bold: true), glyphs: glyphs, maxWidth: min(90, area.width)
      ).render(into: &buffer, area: area)
    case .restorePlan(let path):
      Dialog(
        title: "Restore plan?",
        message: [Line("A plan from an earlier session was found:"), Line(path)],
        choices: [("r", "Restore"), ("d", "Discard"), ("k", "Keep for later")], style: style, borderStyle: border,
        keyStyle: theme.style(.helpKeyFg, bold: true), glyphs: glyphs, maxWidth: min(90, area.width)
      ).render(into: &buffer, area: area)
    case .frontier(let selected):
      FrontierView.render(state, selected: selected, theme: theme, glyphs: glyphs, into: &buffer, area: area)
    case .budget(let input):
      FrontierView.renderBudget(state, input: input, theme: theme, glyphs: glyphs, into: &buffer, area: area)
    }
  }

  static func saveDialog(_ dialog: SaveDialog, state: AppState, theme: Theme, glyphs: Glyphs, style: Style, border: Style, into buffer: inout ScreenBuffer, area: Rect) {
    let box = Overlay(title: "Save quantized model", width: 76, height: 9, style: style, borderStyle: border, glyphs: glyphs)
    box.render(into: &buffer, area: area)
    let content = box.content(in: area)
    let summary = PlanSummary(state: state)
    buffer.write("Output (\(state.model.format.rawValue)); the input is never overwritten:", at: Point(x: content.x, y: content.y), style: style, clip: content)
    TextField(state: dialog.input, style: theme.style(.inputFg, bg: .inputBg), focused: dialog.progress == nil).render(into: &buffer, area: content.row(1))
    let facts = "\(summary.changed) tensor(s) re-encoded, about \(Format.bytes(summary.plannedBytes))"
    buffer.write(facts, at: Point(x: content.x, y: content.y + 2), style: style.patched(with: theme.style(.dimFg)), clip: content)
    if let progress = dialog.progress {
      Gauge(ratio: progress, filledStyle: theme.style(.gaugeFg, bg: .gaugeBg), emptyStyle: theme.style(.dialogFg, bg: .gaugeBg), glyphs: glyphs)
        .render(into: &buffer, area: content.row(4))
      buffer.write("writing… Esc cancels", at: Point(x: content.x, y: content.y + 6), style: style, clip: content)
    } else if let error = dialog.error {
      buffer.write(error, in: content.row(4), alignment: .left, style: theme.style(.errorFg, bg: .dialogBg), ellipsis: glyphs.ellipsis)
      buffer.write("Enter save   Esc close", at: Point(x: content.x, y: content.y + 6), style: style, clip: content)
    } else {
      buffer.write("Enter save   Esc close", at: Point(x: content.x, y: content.y + 6), style: style, clip: content)
    }
  }

  static func textBox(title: String, lines: [Line], scroll: Int, width: Int, style: Style, border: Style, glyphs: Glyphs, into buffer: inout ScreenBuffer, area: Rect) {
    let box = Overlay(title: title, width: width, height: min(area.height - 2, lines.count + 2), style: style, borderStyle: border, glyphs: glyphs)
    box.render(into: &buffer, area: area)
    let content = box.frame(in: area).inset(top: 1, left: 2, bottom: 1, right: 2)
    let first = min(scroll, max(0, lines.count - content.height))
    for (n, line) in lines.dropFirst(first).prefix(content.height).enumerated() {
      let restyled = Line(line.spans.map { Span($0.text, style: style.patched(with: $0.style)) })
      buffer.write(restyled, at: Point(x: content.x, y: content.y + n), clip: content)
    }
  }

  /// The help text, generated from the keymap.
  static func helpLines(keymap: Keymap, theme: Theme, glyphs: Glyphs) -> [Line] {
    var lines: [Line] = []
    for section in keymap.helpSections(glyphs: glyphs) {
      if !lines.isEmpty { lines.append("") }
      lines.append(Line(section.title, style: theme.style(.helpSectionFg, bold: true)))
      for entry in section.entries {
        lines.append(Line([Span(MetricsText.pad(entry.keys, 18), style: theme.style(.helpKeyFg, bold: true)), Span(entry.summary, style: theme.style(.helpDescFg))]))
      }
    }
    lines += [
      "", Line("Summary bar", style: theme.style(.helpSectionFg, bold: true)),
      "size: the input file -> the estimated output; bpw: stored bits per weight of the changed",
      "tensors; SQNR: 10*log10(sum x^2 / sum (x-x')^2) over all changed tensors together.",
      "Mouse: click selects, the wheel scrolls. Esc/q closes this help.",
    ]
    return lines
  }

  static func infoLines(_ state: AppState, theme: Theme) -> [Line] {
    let m = state.model
    let label = theme.style(.detailLabelFg)
    func fact(_ name: String, _ value: String) -> Line { Line([Span(MetricsText.pad(name, 14), style: label), Span(value)]) }
    var ops: [String: Int] = [:]
    for row in m.rows { ops[row.op ?? "(none)", default: 0] += 1 }
    var lines = [
      fact("file", m.path), fact("format", m.format.rawValue), fact("size", "\(Format.bytes(m.fileBytes)) (\(m.fileBytes) bytes)"),
      fact("tensors", "\(m.rows.count) in \(m.groups.count) groups, \(Format.count(m.totalElements)) parameters"),
      fact("quantizable", String(m.rows.filter(\.isQuantizable).count)),
      fact("ops", ops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
    ]
    for note in m.notes { lines.append(fact("note", note)) }
    if !m.metadata.isEmpty {
      lines.append("")
      lines.append(Line("Metadata", style: theme.style(.helpSectionFg, bold: true)))
      for entry in m.metadata { lines.append(fact(entry.key, entry.value.count > 200 ? String(entry.value.prefix(200)) + "..." : entry.value)) }
    }
    return lines
  }
}
