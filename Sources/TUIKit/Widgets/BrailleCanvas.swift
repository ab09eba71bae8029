/// Something drawn on a `BrailleCanvas`, in data coordinates.
public enum CanvasShape: Sendable {
  case points([(x: Double, y: Double)], Style)
  case line(from: (x: Double, y: Double), to: (x: Double, y: Double), Style)
  /// Consecutive points joined by lines.
  case polyline([(x: Double, y: Double)], Style)
}

/// A plot surface with 2×4 dots per cell (Braille patterns), or one `*` per cell in ASCII.
///
/// Used for the size/accuracy frontier. Data coordinates are mapped so that `xRange` spans the
/// width and `yRange` the height, with larger y at the top. Points outside are skipped.
public struct BrailleCanvas: Widget {
  public var xRange: ClosedRange<Double>
  public var yRange: ClosedRange<Double>
  public var shapes: [CanvasShape]
  public var glyphs: Glyphs

  public init(xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, shapes: [CanvasShape], glyphs: Glyphs = .unicode) {
    self.xRange = xRange
    self.yRange = yRange
    self.shapes = shapes
    self.glyphs = glyphs
  }

  // Bit for the dot at (column 0–1, row 0–3) of a Braille cell, per Unicode's dot numbering.
  static let dotBits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

  public func render(into buffer: inout ScreenBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let dotsWide = glyphs.braille ? 2 : 1
    let dotsHigh = glyphs.braille ? 4 : 1
    var grid = DotGrid(width: area.width * dotsWide, height: area.height * dotsHigh)
    for shape in shapes {
      switch shape {
      case .points(let points, let style):
        for p in points { if let dot = dotPosition(p, grid) { grid.plot(dot, style) } }
      case .line(let from, let to, let style):
        plotLine(from, to, style, &grid)
      case .polyline(let points, let style):
        for (a, b) in zip(points, points.dropFirst()) { plotLine(a, b, style, &grid) }
        if points.count == 1, let only = points.first, let dot = dotPosition(only, grid) { grid.plot(dot, style) }
      }
    }
    for row in 0..<area.height {
      for column in 0..<area.width {
        var bits: UInt32 = 0
        var style: Style?
        for dx in 0..<dotsWide {
          for dy in 0..<dotsHigh {
            let dot = (column * dotsWide + dx, row * dotsHigh + dy)
            guard let dotStyle = grid[dot.0, dot.1] else { continue }
            style = dotStyle
            bits |= glyphs.braille ? BrailleCanvas.dotBits[dx][dy] : 1
          }
        }
        guard bits != 0, let style else { continue }
        let character: Character
        if glyphs.braille, let scalar = Unicode.Scalar(0x2800 + bits) {
          character = Character(scalar)
        } else {
          character = "*"
        }
        buffer.set(Cell(character, style: style), x: area.x + column, y: area.y + row)
      }
    }
  }

  func dotPosition(_ p: (x: Double, y: Double), _ grid: DotGrid) -> (Int, Int)? {
    let xSpan = xRange.upperBound - xRange.lowerBound
    let ySpan = yRange.upperBound - yRange.lowerBound
    guard p.x.isFinite, p.y.isFinite, xRange.contains(p.x), yRange.contains(p.y) else { return nil }
    let fx = xSpan > 0 ? (p.x - xRange.lowerBound) / xSpan : 0.5
    let fy = ySpan > 0 ? (p.y - yRange.lowerBound) / ySpan : 0.5
    let x = min(grid.width - 1, Int(fx * Double(grid.width - 1) + 0.5))
    let y = min(grid.height - 1, Int((1 - fy) * Double(grid.height - 1) + 0.5))
    return (x, y)
  }

  func plotLine(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double), _ style: Style, _ grid: inout DotGrid) {
    guard let start = dotPosition(a, grid), let end = dotPosition(b, grid) else { return }
    // Bresenham between the two dot positions.
    var (x, y) = start
    let dx = abs(end.0 - x)
    let dy = -abs(end.1 - y)
    let sx = x < end.0 ? 1 : -1
    let sy = y < end.1 ? 1 : -1
    var error = dx + dy
    while true {
      grid.plot((x, y), style)
      if x == end.0 && y == end.1 { break }
      let doubled = 2 * error
      if doubled >= dy {
        error += dy
        x += sx
      }
      if doubled <= dx {
        error += dx
        y += sy
      }
    }
  }
}

/// The dots of a canvas, each remembering the style of the shape that set it last.
struct DotGrid {
  let width: Int
  let height: Int
  private var dots: [Style?]

  init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
    self.dots = [Style?](repeating: nil, count: self.width * self.height)
  }

  subscript(x: Int, y: Int) -> Style? {
    guard x >= 0, y >= 0, x < width, y < height else { return nil }
    return dots[y * width + x]
  }

  mutating func plot(_ dot: (Int, Int), _ style: Style) {
    guard dot.0 >= 0, dot.1 >= 0, dot.0 < width, dot.1 < height else { return }
    dots[dot.1 * width + dot.0] = style
  }
}
