import Foundation

/// A vertical line drawn over a histogram at a value: a quantization level, a clip bound.
public struct HistogramMarker: Sendable, Hashable {
  public var value: Double
  public var style: Style
  /// The character drawn; `nil` uses the glyph set's marker line.
  public var glyph: Character?

  public init(value: Double, style: Style, glyph: Character? = nil) {
    self.value = value
    self.style = style
    self.glyph = glyph
  }
}

/// A histogram of vertical bars with eighth-block tops, over a value range, with markers.
///
/// Bins are resampled to the area's width (averaged when there are more bins than columns).
/// Markers are drawn in the empty space above the bars, and recolour the bar cells they cross,
/// so the quantization grid and the clip range stay visible over dense data.
public struct BarHistogram: Widget {
  public var counts: [Double]
  /// The value range the bins cover, used to place markers.
  public var range: ClosedRange<Double>
  public var markers: [HistogramMarker]
  public var barStyle: Style
  /// Bar heights on a log scale (`log1p`), so small tails stay visible.
  public var logScale: Bool
  public var glyphs: Glyphs

  public init(
    counts: [Double], range: ClosedRange<Double>, markers: [HistogramMarker] = [],
    barStyle: Style = Style(), logScale: Bool = false, glyphs: Glyphs = .unicode
  ) {
    self.counts = counts
    self.range = range
    self.markers = markers
    self.barStyle = barStyle
    self.logScale = logScale
    self.glyphs = glyphs
  }

  /// The counts resampled to `width` columns (the mean of the bins falling in each column).
  public func columns(width: Int) -> [Double] {
    guard width > 0, !counts.isEmpty else { return [Double](repeating: 0, count: max(0, width)) }
    var result = [Double](repeating: 0, count: width)
    if counts.count >= width {
      // Average, not sum: when bins do not divide evenly, some columns get one bin more, and
      // summing would draw those as spikes.
      var members = [Int](repeating: 0, count: width)
      for (bin, count) in counts.enumerated() {
        let column = min(width - 1, bin * width / counts.count)
        result[column] += count.isFinite ? max(0, count) : 0
        members[column] += 1
      }
      for column in 0..<width where members[column] > 0 { result[column] /= Double(members[column]) }
    } else {
      for column in 0..<width {
        let value = counts[min(counts.count - 1, column * counts.count / width)]
        result[column] = value.isFinite ? max(0, value) : 0
      }
    }
    return result
  }

  /// The column a value falls in for an area `width` wide, or `nil` when outside the range.
  public func column(for value: Double, width: Int) -> Int? {
    let span = range.upperBound - range.lowerBound
    guard width > 0, value.isFinite, span > 0, span.isFinite, range.contains(value) else {
      return width > 0 && span == 0 && value == range.lowerBound ? width / 2 : nil
    }
    return min(width - 1, Int((value - range.lowerBound) / span * Double(width)))
  }

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let values = columns(width: area.width).map { logScale ? log1p($0) : $0 }
    let peak = values.max() ?? 0
    let levels = area.height * 8
    var heights = values.map { peak > 0 ? Int(($0 / peak * Double(levels)).rounded()) : 0 }
    for i in heights.indices where values[i] > 0 && heights[i] == 0 { heights[i] = 1 }
    for (column, height) in heights.enumerated() {
      let x = area.x + column
      for row in 0..<area.height {
        let y = area.maxY - 1 - row
        let filled = min(8, max(0, height - row * 8))
        buffer.set(Cell(glyphs.verticalEighths[filled], style: barStyle), x: x, y: y)
      }
    }
    for marker in markers {
      guard let column = column(for: marker.value, width: area.width) else { continue }
      let x = area.x + column
      let height = heights[column]
      for row in 0..<area.height {
        let y = area.maxY - 1 - row
        if height > row * 8 {
          // Over a bar the marker only recolours it, so the bar's height stays readable.
          buffer.setStyle(barStyle.patched(with: Style(fg: marker.style.fg)), x: x, y: y)
        } else {
          buffer.set(Cell(marker.glyph ?? glyphs.markerLine, style: marker.style), x: x, y: y)
        }
      }
    }
  }
}
