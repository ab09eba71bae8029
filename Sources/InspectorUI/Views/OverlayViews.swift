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
    let box = Overlay(title: "Save quantized model", width: 76, height: 12, style: style, borderStyle: border, glyphs: glyphs)
    box.render(into: &buffer, area: area)
    let content = box.content(in: area)
    let dim = style.patched(with: theme.style(.dimFg))
    let writing = dialog.progress != nil
    buffer.write("Output file; the input is never overwritten:", at: Point(x: content.x, y: content.y), style: style, clip: content)
    TextField(state: dialog.input, style: theme.style(.inputFg, bg: .inputBg), focused: !writing && dialog.field == .path)
      .render(into: &buffer, area: content.row(1))
    let formats = state.outputFormats.map { (label: $0.rawValue, selected: $0 == dialog.format) }
    choiceRow("Format", formats, focused: !writing && dialog.field == .format, row: 2, theme: theme, glyphs: glyphs, style: style, into: &buffer, area: content)
    let contents = SaveDialog.contents(for: dialog.format).map { (label: $0 ?? "current plan", selected: $0 == dialog.preset) }
    choiceRow("Write", contents, focused: !writing && dialog.field == .content, row: 3, theme: theme, glyphs: glyphs, style: style, into: &buffer, area: content)
    buffer.write(saveFacts(dialog, state: state), at: Point(x: content.x, y: content.y + 4), style: dim, clip: content)
    if !writing && SaveDialog.fields(format: dialog.format, shardCount: state.model.shardCount).contains(.shards) {
      let shards = [("one file", !dialog.keepSplit), ("\(state.model.shardCount) shards like the input", dialog.keepSplit)]
        .map { (label: $0.0, selected: $0.1) }
      choiceRow("Split", shards, focused: dialog.field == .shards, row: 5, theme: theme, glyphs: glyphs, style: style, into: &buffer, area: content)
    }
    if let progress = dialog.progress {
      if let stage = dialog.stage { buffer.write(stage, at: Point(x: content.x, y: content.y + 5), style: style, clip: content) }
      Gauge(ratio: progress, filledStyle: theme.style(.gaugeFg, bg: .gaugeBg), emptyStyle: theme.style(.dialogFg, bg: .gaugeBg), glyphs: glyphs)
        .render(into: &buffer, area: content.row(6))
      buffer.write("writing\(glyphs.isUnicode ? "…" : "...") Esc cancels", at: Point(x: content.x, y: content.y + 8), style: style, clip: content)
      return
    }
    if let error = dialog.error {
      buffer.write(error, in: content.row(6), alignment: .left, style: theme.style(.errorFg, bg: .dialogBg), ellipsis: glyphs.ellipsis)
    }
    let arrows = glyphs.isUnicode ? "↑/↓" : "Up/Down"
    let sides = glyphs.isUnicode ? "←/→" : "Left/Right"
    buffer.write("Enter save   Esc close   \(arrows) field   \(sides) choose", at: Point(x: content.x, y: content.y + 8), style: style, clip: content)
  }

  /// `Format   [keras]  tflite` with the chosen entry highlighted; `>` marks the focused row.
  static func choiceRow(
    _ label: String, _ choices: [(label: String, selected: Bool)], focused: Bool, row: Int, theme: Theme, glyphs: Glyphs,
    style: Style, into buffer: inout ScreenBuffer, area: Rect
  ) {
    let marker = focused ? (glyphs.isUnicode ? "▸ " : "> ") : "  "
    var spans = [Span(marker + MetricsText.pad(label, 8), style: style.patched(with: theme.style(.detailLabelFg, bold: focused)))]
    for choice in choices {
      let text = choice.selected ? "[\(choice.label)]" : " \(choice.label) "
      let chosen = theme.style(.pickerSelectedFg, bg: .pickerSelectedBg)
      spans.append(Span(text, style: choice.selected ? (focused ? chosen : style.with(bold: true)) : style))
      spans.append(Span(" ", style: style))
    }
    buffer.write(Line(spans), at: Point(x: area.x, y: area.y + row), clip: area.row(row))
  }

  /// What the save will write, in one line.
  static func saveFacts(_ dialog: SaveDialog, state: AppState) -> String {
    if let preset = dialog.preset {
      let summary = Presets.available(for: dialog.format).first { $0.name == preset }?.summary ?? preset
      return "\(summary); the plan stays as it is"
    }
    let summary = PlanSummary(state: state)
    var facts = "\(summary.changed) tensor(s) re-encoded, about \(Format.bytes(summary.plannedBytes))"
    if dialog.format != state.model.format {
      switch state.formatFacts[dialog.format] {
      case .pending?: facts = "converting to \(dialog.format.rawValue) to size it"
      case .failed(let reason)?: facts = "cannot convert: \(reason)"
      default: facts = "converted to \(dialog.format.rawValue); " + facts
      }
    }
    if summary.refused > 0 { facts += "; \(summary.refused) not storable, kept" }
    return facts
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
      "", Line("List columns", style: theme.style(.helpSectionFg, bold: true)),
      "SQNR    the weights' SQNR under the scheme",
      "out dB  (with evaluation data) SQNR of the output of the layer that",
      "        reads the tensor, error accumulated through the network;",
      "        dimmed, with the pending mark, while the new plan is computed",
      "sens K  sensitivity at the scheme; K says which kind: MSE = data-free",
      "        weight error, wMSE = weighted by the --imatrix importance,",
      "        KL = measured output KL with only this tensor quantized",
      "imp     mean imatrix importance of the tensor's input columns",
      "Narrow screens drop columns in this order: op, dtype, params, shape.",
      "", Line("Save dialog (w)", style: theme.style(.helpSectionFg, bold: true)),
      "Up/Down or Tab move between the path, the output format and what to write",
      "(the current plan, or a preset of the format); Left/Right choose. A Keras",
      "model can be written as .tflite; the list then offers TFLite's schemes.",
      "A split GGUF adds a Split row: one file, or the same shards as the input.",
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
    if let path = m.importancePath {
      let matched = m.rows.filter { $0.importance != nil }.count
      let misfits = m.rows.filter { $0.importanceProblem != nil }.count
      lines.append(fact("imatrix", "\(path): entries for \(matched) of \(m.rows.count) tensors\(misfits > 0 ? ", \(misfits) do not fit" : "")"))
    }
    if !m.metadata.isEmpty {
      lines.append("")
      lines.append(Line("Metadata", style: theme.style(.helpSectionFg, bold: true)))
      for entry in m.metadata { lines.append(fact(entry.key, entry.value.count > 200 ? String(entry.value.prefix(200)) + "..." : entry.value)) }
    }
    return lines
  }
}
