/// Lines of styled text, word-wrapped to the area's width (or cut), scrolled by `scroll` lines.
public struct Paragraph: Widget {
  public var lines: [Line]
  public var wrap: Bool
  public var alignment: Alignment
  /// How many (wrapped) lines to skip at the top.
  public var scroll: Int
  public var ellipsis: Character

  public init(
    _ lines: [Line], wrap: Bool = true, alignment: Alignment = .left, scroll: Int = 0,
    ellipsis: Character = "…"
  ) {
    self.lines = lines
    self.wrap = wrap
    self.alignment = alignment
    self.scroll = scroll
    self.ellipsis = ellipsis
  }

  /// A paragraph of plain text in one style; newlines start new lines.
  public init(text: String, style: Style = Style(), wrap: Bool = true, alignment: Alignment = .left) {
    self.init(
      text.split(separator: "\n", omittingEmptySubsequences: false).map { Line(String($0), style: style) },
      wrap: wrap, alignment: alignment)
  }

  /// The lines as laid out for `width` columns.
  public func layout(width: Int) -> [Line] {
    guard width > 0 else { return [] }
    guard wrap else { return lines }
    return lines.flatMap { Paragraph.wrap($0, width: width) }
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let laidOut = layout(width: area.width)
    for (row, line) in laidOut.dropFirst(max(0, scroll)).prefix(area.height).enumerated() {
      let lineWidth = line.width
      var x = area.x
      if lineWidth < area.width {
        switch alignment {
        case .left: break
        case .center: x += (area.width - lineWidth) / 2
        case .right: x += area.width - lineWidth
        }
      }
      let rowRect = area.row(row)
      if !wrap, lineWidth > area.width {
        buffer.write(line, at: Point(x: x, y: rowRect.y), clip: rowRect)
        buffer.set(Cell(ellipsis, style: line.spans.last?.style ?? Style()), x: area.maxX - 1, y: rowRect.y)
      } else {
        buffer.write(line, at: Point(x: x, y: rowRect.y), clip: rowRect)
      }
    }
  }

  /// Word-wraps one styled line; styles stay attached to their characters.
  static func wrap(_ line: Line, width: Int) -> [Line] {
    // Wrap the plain text, then cut the styled characters at the same places.
    let plain = line.text
    let pieces = TextWrap.wrap(plain, width: width)
    var styled: [(Character, Style)] = []
    for span in line.spans { for c in span.text { styled.append((c, span.style)) } }
    var result: [Line] = []
    var index = 0
    for piece in pieces {
      // Skip the single space the wrapper dropped at a line break.
      if index < styled.count, styled[index].0 == "\n" { index += 1 }
      if index < styled.count, styled[index].0 == " ", piece.first != " ", !result.isEmpty { index += 1 }
      var spans: [Span] = []
      for _ in 0..<piece.count where index < styled.count {
        let (c, style) = styled[index]
        if let last = spans.last, last.style == style {
          spans[spans.count - 1].text.append(c)
        } else {
          spans.append(Span(String(c), style: style))
        }
        index += 1
      }
      result.append(Line(spans))
    }
    return result
  }
}
