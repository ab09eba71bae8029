/// A centred, bordered box drawn over whatever is beneath it: the base of every overlay.
public struct Overlay: Widget {
  public var title: String?
  /// The wanted outer size; shrunk to fit the screen.
  public var width: Int
  public var height: Int
  public var style: Style
  public var borderStyle: Style
  public var titleStyle: Style
  public var glyphs: Glyphs

  public init(
    title: String?, width: Int, height: Int, style: Style = Style(), borderStyle: Style = Style(),
    titleStyle: Style = Style(bold: true), glyphs: Glyphs = .unicode
  ) {
    self.title = title
    self.width = width
    self.height = height
    self.style = style
    self.borderStyle = borderStyle
    self.titleStyle = titleStyle
    self.glyphs = glyphs
  }

  /// The box's outer rectangle within `area`.
  public func frame(in area: Rect) -> Rect { area.centered(width: width, height: height) }

  /// The content rectangle inside the border and a one-column margin.
  public func content(in area: Rect) -> Rect { frame(in: area).inset(top: 1, left: 2, bottom: 1, right: 2) }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    let box = frame(in: area)
    guard !box.isEmpty else { return }
    Block(title: title, borderStyle: borderStyle, titleStyle: titleStyle, fillStyle: style, glyphs: glyphs)
      .render(into: &buffer, area: box)
  }
}

/// A dialog with a message and a row of choices, e.g. "Unsaved changes. Quit anyway?".
public struct Dialog: Widget {
  public var title: String
  public var message: [Line]
  /// Choices such as `("y", "Quit")`, shown as `[y] Quit`.
  public var choices: [(key: String, label: String)]
  /// The highlighted choice, if any.
  public var selectedChoice: Int?
  public var style: Style
  public var borderStyle: Style
  public var keyStyle: Style
  public var glyphs: Glyphs
  /// The widest the box may get.
  public var maxWidth: Int

  public init(
    title: String, message: [Line], choices: [(key: String, label: String)] = [], selectedChoice: Int? = nil,
    style: Style = Style(), borderStyle: Style = Style(), keyStyle: Style = Style(bold: true),
    glyphs: Glyphs = .unicode, maxWidth: Int = 60
  ) {
    self.title = title
    self.message = message
    self.choices = choices
    self.selectedChoice = selectedChoice
    self.style = style
    self.borderStyle = borderStyle
    self.keyStyle = keyStyle
    self.glyphs = glyphs
    self.maxWidth = maxWidth
  }

  var choicesLine: Line {
    var spans: [Span] = []
    for (n, choice) in choices.enumerated() {
      let highlight = n == selectedChoice ? Style(reverse: true) : Style()
      if n > 0 { spans.append(Span("  ", style: style)) }
      spans.append(Span("[\(choice.key)]", style: style.patched(with: keyStyle).patched(with: highlight)))
      spans.append(Span(" \(choice.label)", style: style.patched(with: highlight)))
    }
    return Line(spans)
  }

  /// The overlay box this dialog uses inside `area`.
  public func overlay(in area: Rect) -> Overlay {
    let widest = max(message.map(\.width).max() ?? 0, choicesLine.width, CharWidth.width(of: title) + 4)
    let width = min(maxWidth, widest + 6, area.width)
    let textWidth = max(1, width - 6)
    let bodyLines = Paragraph(message).layout(width: textWidth).count
    let height = bodyLines + (choices.isEmpty ? 0 : 2) + 2
    return Overlay(title: title, width: width, height: height, style: style, borderStyle: borderStyle, glyphs: glyphs)
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    let box = overlay(in: area)
    box.render(into: &buffer, area: area)
    let inner = box.content(in: area).inset(left: 1, right: 1)
    guard !inner.isEmpty else { return }
    let parts = inner.split(.vertical, choices.isEmpty ? [.fill(1)] : [.fill(1), .fixed(2)])
    Paragraph(message.map { Line($0.spans.map { Span($0.text, style: style.patched(with: $0.style)) }) })
      .render(into: &buffer, area: parts[0])
    if parts.count > 1 {
      let row = parts[1].row(1)
      let line = choicesLine
      let x = row.x + max(0, (row.width - line.width) / 2)
      buffer.write(line, at: Point(x: x, y: row.y), clip: row)
    }
  }
}
