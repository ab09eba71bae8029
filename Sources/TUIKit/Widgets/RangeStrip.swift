/// Per-channel value ranges drawn side by side: one column per channel (channels are merged
/// when there are more than columns), filled from the channel's minimum to its maximum.
///
/// Outliers show up as columns that reach far beyond their neighbours, which is what decides
/// between per-tensor and per-channel scales.
public struct RangeStrip: Widget {
  /// Each channel's (min, max).
  public var channels: [(min: Double, max: Double)]
  /// The value range of the whole strip; `nil` uses the channels' own extremes.
  public var range: ClosedRange<Double>?
  public var style: Style
  /// A line drawn at zero when zero lies inside the range.
  public var zeroStyle: Style?
  public var glyphs: Glyphs

  public init(
    channels: [(min: Double, max: Double)], range: ClosedRange<Double>? = nil, style: Style = Style(),
    zeroStyle: Style? = nil, glyphs: Glyphs = .unicode
  ) {
    self.channels = channels
    self.range = range
    self.style = style
    self.zeroStyle = zeroStyle
    self.glyphs = glyphs
  }

  /// The channels merged into `width` columns (min of mins, max of maxes).
  public func columns(width: Int) -> [(min: Double, max: Double)?] {
    guard width > 0, !channels.isEmpty else { return [] }
    let count = min(width, channels.count)
    var result = [(min: Double, max: Double)?](repeating: nil, count: count)
    for (index, channel) in channels.enumerated() where channel.min.isFinite && channel.max.isFinite {
      let column = index * count / channels.count
      if let existing = result[column] {
        result[column] = (Swift.min(existing.min, channel.min), Swift.max(existing.max, channel.max))
      } else {
        result[column] = (Swift.min(channel.min, channel.max), Swift.max(channel.min, channel.max))
      }
    }
    return result
  }

  var effectiveRange: ClosedRange<Double>? {
    if let range { return range }
    let finite = channels.filter { $0.min.isFinite && $0.max.isFinite }
    guard let low = finite.map({ Swift.min($0.min, $0.max) }).min(),
      let high = finite.map({ Swift.max($0.min, $0.max) }).max()
    else { return nil }
    return low...high
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty, let range = effectiveRange else { return }
    let span = range.upperBound - range.lowerBound
    let rows = area.height
    // Row r (0 = bottom) covers [low + r·step, low + (r+1)·step).
    let step = span > 0 ? span / Double(rows) : 1
    func row(of value: Double) -> Int {
      guard span > 0 else { return rows / 2 }
      return Swift.min(rows - 1, Swift.max(0, Int((value - range.lowerBound) / step)))
    }
    if let zeroStyle, range.contains(0), span > 0 {
      let y = area.maxY - 1 - row(of: 0)
      for x in area.x..<area.maxX {
        buffer.set(Cell(glyphs.horizontal, style: zeroStyle), x: x, y: y)
      }
    }
    for (offset, column) in columns(width: area.width).enumerated() {
      guard let column else { continue }
      let bottom = row(of: column.min)
      let top = row(of: column.max)
      for r in bottom...top {
        buffer.set(Cell(glyphs.verticalEighths[8], style: style), x: area.x + offset, y: area.maxY - 1 - r)
      }
    }
  }
}

/// A one-row chart of values as eighth-block heights.
public struct Sparkline: Widget {
  public var values: [Double]
  public var style: Style
  public var glyphs: Glyphs

  public init(values: [Double], style: Style = Style(), glyphs: Glyphs = .unicode) {
    self.values = values
    self.style = style
    self.glyphs = glyphs
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let shown = values.suffix(area.width).map { $0.isFinite ? $0 : 0 }
    let low = shown.min() ?? 0
    let high = shown.max() ?? 0
    for (offset, value) in shown.enumerated() {
      let level = high > low ? Int(((value - low) / (high - low) * 7).rounded()) + 1 : 4
      buffer.set(Cell(glyphs.verticalEighths[level], style: style), x: area.x + offset, y: area.maxY - 1)
    }
  }
}
