/// A horizontal progress bar with a centred label such as `42%`.
public struct Gauge: Widget {
  /// Progress from 0 to 1 (clamped; NaN counts as 0).
  public var ratio: Double
  /// Text shown in the middle; `nil` shows the percentage.
  public var label: String?
  public var filledStyle: Style
  public var emptyStyle: Style
  public var glyphs: Glyphs

  public init(
    ratio: Double, label: String? = nil, filledStyle: Style = Style(reverse: true),
    emptyStyle: Style = Style(), glyphs: Glyphs = .unicode
  ) {
    self.ratio = ratio
    self.label = label
    self.filledStyle = filledStyle
    self.emptyStyle = emptyStyle
    self.glyphs = glyphs
  }

  var clampedRatio: Double { ratio.isNaN ? 0 : min(1, max(0, ratio)) }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let eighths = Int((clampedRatio * Double(area.width * 8)).rounded(.down))
    let full = eighths / 8
    let partial = eighths % 8
    let row = area.y + area.height / 2
    for y in area.y..<area.maxY {
      for x in area.x..<area.maxX {
        let column = x - area.x
        if column < full {
          buffer.set(Cell(glyphs.horizontalEighths[8], style: filledStyle), x: x, y: y)
        } else if column == full, partial > 0 {
          buffer.set(Cell(glyphs.horizontalEighths[partial], style: filledStyle), x: x, y: y)
        } else {
          buffer.set(Cell(glyphs.gaugeEmpty, style: emptyStyle), x: x, y: y)
        }
      }
    }
    let text = label ?? "\(Int((clampedRatio * 100).rounded(.down)))%"
    let fitted = TextWrap.truncate(text, width: area.width, ellipsis: glyphs.ellipsis)
    let start = area.x + (area.width - CharWidth.width(of: fitted)) / 2
    var x = start
    for character in fitted {
      // The label is drawn reversed over the filled part so it stays readable on the bar.
      let onFill = x - area.x < full
      let style = onFill ? filledStyle.with(reverse: !filledStyle.reverse) : emptyStyle
      x += buffer.write(String(character), at: Point(x: x, y: row), style: style, clip: area)
    }
  }
}
