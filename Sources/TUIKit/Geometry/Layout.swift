/// How much space one part of a split gets along the split axis.
public enum Constraint: Hashable, Sendable {
  /// Exactly `n` cells (less if the space runs out).
  case fixed(Int)
  /// A percentage (0–100) of the whole length.
  case percent(Int)
  /// A share of what is left after fixed and percent parts, by weight.
  case fill(Int)
}

/// The direction of a split.
public enum Axis: Sendable {
  /// Parts side by side, left to right.
  case horizontal
  /// Parts stacked, top to bottom.
  case vertical
}

extension Rect {
  /// Splits the rectangle along `axis` into one part per constraint.
  ///
  /// Fixed and percent parts are sized first, in order, and shrink when the length runs out;
  /// fill parts share the rest by weight, with rounding leftovers going to the last fill part.
  /// The parts always tile the rectangle without overlap.
  public func split(_ axis: Axis, _ constraints: [Constraint]) -> [Rect] {
    let total = axis == .horizontal ? width : height
    var lengths = [Int](repeating: 0, count: constraints.count)
    var remaining = total
    for (index, constraint) in constraints.enumerated() {
      let wanted: Int
      switch constraint {
      case .fixed(let n): wanted = max(0, n)
      case .percent(let p): wanted = total * min(max(0, p), 100) / 100
      case .fill: continue
      }
      let given = min(wanted, remaining)
      lengths[index] = given
      remaining -= given
    }
    let fillIndices = constraints.indices.filter {
      if case .fill = constraints[$0] { return true } else { return false }
    }
    let weights = fillIndices.map { index -> Int in
      if case .fill(let w) = constraints[index] { return max(0, w) } else { return 0 }
    }
    let weightSum = weights.reduce(0, +)
    if !fillIndices.isEmpty {
      var handedOut = 0
      for (n, index) in fillIndices.enumerated() {
        let share = weightSum > 0 ? remaining * weights[n] / weightSum : 0
        lengths[index] = share
        handedOut += share
      }
      if let last = fillIndices.last { lengths[last] += remaining - handedOut }
    }
    var parts: [Rect] = []
    var cursor = axis == .horizontal ? x : y
    for length in lengths {
      switch axis {
      case .horizontal: parts.append(Rect(x: cursor, y: y, width: length, height: height))
      case .vertical: parts.append(Rect(x: x, y: cursor, width: width, height: length))
      }
      cursor += length
    }
    return parts
  }
}

/// The smallest terminal the inspector supports, and the message shown below it.
public struct MinimumSize: Sendable {
  public var width: Int
  public var height: Int

  /// Creates a requirement of `width`×`height` cells (80×24 by default).
  public init(width: Int = 80, height: Int = 24) {
    self.width = width
    self.height = height
  }

  /// Whether `size` is large enough.
  public func isSatisfied(by size: Size) -> Bool {
    size.width >= width && size.height >= height
  }

  /// The message shown instead of the UI when the terminal is too small.
  public func message(for size: Size, glyphs: Glyphs = .unicode) -> String {
    let times = glyphs.isUnicode ? "×" : "x"
    return "Terminal too small: need \(width)\(times)\(height), have \(size.width)\(times)\(size.height)"
  }

  /// Draws the too-small message into `buffer`, wrapped and centred, in place of the UI.
  ///
  /// - Returns: `true` when the message was drawn (the size is too small), `false` otherwise.
  @discardableResult
  public func renderMessageIfNeeded(
    into buffer: inout ScreenBuffer, style: Style = Style(), glyphs: Glyphs = .unicode
  ) -> Bool {
    let size = Size(width: buffer.width, height: buffer.height)
    guard !isSatisfied(by: size) else { return false }
    buffer.fill(buffer.bounds, with: Cell(" ", style: style))
    let lines = TextWrap.wrap(message(for: size, glyphs: glyphs), width: buffer.width)
    let top = max(0, (buffer.height - lines.count) / 2)
    for (n, line) in lines.enumerated() {
      let lineWidth = CharWidth.width(of: line)
      let left = max(0, (buffer.width - lineWidth) / 2)
      buffer.write(line, at: Point(x: left, y: top + n), style: style)
    }
    return true
  }
}
