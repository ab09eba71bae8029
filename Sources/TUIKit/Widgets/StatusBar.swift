/// A one-row bar: left-aligned segments, and right-aligned segments that give way first
/// when space runs out.
public struct StatusBar: Widget {
  public var left: [Span]
  public var right: [Span]
  public var style: Style
  public var ellipsis: Character

  public init(left: [Span], right: [Span] = [], style: Style = Style(reverse: true), ellipsis: Character = "…") {
    self.left = left
    self.right = right
    self.style = style
    self.ellipsis = ellipsis
  }

  /// Key hints as spans: each key in `keyStyle`, followed by its description in `style`.
  public static func hints(_ items: [(key: String, label: String)], keyStyle: Style, style: Style) -> [Span] {
    var spans: [Span] = []
    for (n, item) in items.enumerated() {
      spans.append(Span((n == 0 ? "" : "  ") + item.key, style: keyStyle))
      spans.append(Span(" " + item.label, style: style))
    }
    return spans
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let row = area.row(0)
    buffer.fill(row, with: Cell(" ", style: style))
    let rightLine = Line(right.map { Span($0.text, style: style.patched(with: $0.style)) })
    let leftLine = Line(left.map { Span($0.text, style: style.patched(with: $0.style)) })
    let rightWidth = rightLine.width
    let showRight = rightWidth > 0 && leftLine.width + rightWidth + 2 <= row.width
    let leftClip = Rect(x: row.x, y: row.y, width: showRight ? row.width - rightWidth - 1 : row.width, height: 1)
    let leftUsed = buffer.write(leftLine, at: Point(x: row.x, y: row.y), clip: leftClip)
    if leftLine.width > leftClip.width, leftClip.width > 0, leftUsed > 0 {
      buffer.set(Cell(ellipsis, style: style), x: leftClip.maxX - 1, y: row.y)
    }
    if showRight {
      buffer.write(rightLine, at: Point(x: row.maxX - rightWidth, y: row.y), clip: row)
    }
  }
}
