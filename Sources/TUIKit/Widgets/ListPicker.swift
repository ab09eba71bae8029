/// One entry of a `ListPicker`.
public struct PickerItem: Sendable, Hashable {
  public var label: String
  /// A short note shown dimmed on the right (e.g. "4.5 bpw").
  public var detail: String?
  /// Why the item cannot be chosen, or `nil` when it can.
  public var disabledReason: String?

  public init(_ label: String, detail: String? = nil, disabledReason: String? = nil) {
    self.label = label
    self.detail = detail
    self.disabledReason = disabledReason
  }
}

/// A centred list to pick one item from (scheme, theme, recent file), with disabled items
/// shown dimmed and their reason next to them.
public struct ListPicker: Widget {
  public var title: String
  public var items: [PickerItem]
  public var selected: Int
  public var offset: Int
  public var style: Style
  public var borderStyle: Style
  public var selectedStyle: Style
  public var disabledStyle: Style
  public var glyphs: Glyphs
  /// Rows of items shown at most.
  public var maxVisible: Int

  public init(
    title: String, items: [PickerItem], selected: Int, offset: Int = 0, style: Style = Style(),
    borderStyle: Style = Style(), selectedStyle: Style = Style(reverse: true), disabledStyle: Style = Style(dim: true),
    glyphs: Glyphs = .unicode, maxVisible: Int = 12
  ) {
    self.title = title
    self.items = items
    self.selected = selected
    self.offset = offset
    self.style = style
    self.borderStyle = borderStyle
    self.selectedStyle = selectedStyle
    self.disabledStyle = disabledStyle
    self.glyphs = glyphs
    self.maxVisible = maxVisible
  }

  /// The overlay box used inside `area`.
  public func overlay(in area: Rect) -> Overlay {
    let widest = items.map { item -> Int in
      let extra = item.disabledReason ?? item.detail ?? ""
      return CharWidth.width(of: item.label) + (extra.isEmpty ? 0 : CharWidth.width(of: extra) + 2)
    }.max() ?? 0
    let width = min(area.width, max(widest, CharWidth.width(of: title) + 4) + 6)
    let height = min(area.height, min(items.count, maxVisible) + 2)
    return Overlay(title: title, width: width, height: height, style: style, borderStyle: borderStyle, glyphs: glyphs)
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    let box = overlay(in: area)
    box.render(into: &buffer, area: area)
    let inner = box.frame(in: area).inset(top: 1, left: 1, bottom: 1, right: 1)
    guard !inner.isEmpty else { return }
    let first = Scrolling.offset(keeping: selected, visible: inner.height, current: offset, count: items.count)
    for (row, index) in (first..<items.count).prefix(inner.height).enumerated() {
      let item = items[index]
      let rect = inner.row(row)
      let isSelected = index == selected
      var base = item.disabledReason == nil ? style : style.patched(with: disabledStyle)
      if isSelected { base = base.patched(with: selectedStyle) }
      buffer.fill(rect, with: Cell(" ", style: base))
      let note = item.disabledReason ?? item.detail ?? ""
      // The label keeps at least half the row; the note gets what is left of the rest.
      let labelWidth = min(CharWidth.width(of: item.label), rect.width / 2)
      let noteWidth = note.isEmpty ? 0 : min(CharWidth.width(of: note), max(0, rect.width - 3 - labelWidth))
      let labelRect = Rect(x: rect.x + 1, y: rect.y, width: max(0, rect.width - 2 - (noteWidth > 0 ? noteWidth + 1 : 0)), height: 1)
      buffer.write(item.label, in: labelRect, alignment: .left, style: base, ellipsis: glyphs.ellipsis)
      if noteWidth > 0 {
        let noteRect = Rect(x: rect.maxX - 1 - noteWidth, y: rect.y, width: noteWidth, height: 1)
        buffer.write(note, in: noteRect, alignment: .right, style: base.patched(with: Style(dim: true)), ellipsis: glyphs.ellipsis)
      }
    }
  }
}
