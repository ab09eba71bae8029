extension Color {
  /// This color as the nearest color a terminal of `depth` can show.
  ///
  /// RGB becomes a 256-palette entry (the 6×6×6 cube or the gray ramp, whichever is closer);
  /// for 16 and 8 colors the nearest ANSI color by RGB distance is used; monochrome drops
  /// every color to `.default`.
  public func reduced(to depth: ColorDepth) -> Color {
    switch (self, depth) {
    case (.default, _): return .default
    case (_, .monochrome): return .default
    case (.ansi(let n), .ansi8): return .ansi(n & 7)
    case (.ansi, _): return self
    case (.indexed(let n), .indexed256): return .indexed(n)
    case (.indexed(let n), .ansi16) where n < 16: return .ansi(n)
    case (.indexed(let n), .ansi8) where n < 16: return .ansi(n & 7)
    case (.rgb(let r, let g, let b), .indexed256): return .indexed(Color.nearest256(r, g, b))
    default:
      guard let value = rgbValue else { return .default }
      let limit = depth == .ansi8 ? 8 : 16
      return .ansi(Color.nearestANSI(value.r, value.g, value.b, limit: limit))
    }
  }

  static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
    // Weighted so greens and reds count more than blues, roughly as the eye sees them.
    let dr = a.0 - b.0
    let dg = a.1 - b.1
    let db = a.2 - b.2
    return 3 * dr * dr + 4 * dg * dg + 2 * db * db
  }

  static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    let target = (Int(r), Int(g), Int(b))
    func cubeIndex(_ v: Int) -> Int {
      var best = 0
      for (i, level) in cubeLevels.enumerated() where abs(level - v) < abs(cubeLevels[best] - v) {
        best = i
      }
      return best
    }
    let ri = cubeIndex(target.0)
    let gi = cubeIndex(target.1)
    let bi = cubeIndex(target.2)
    let cubeColor = (cubeLevels[ri], cubeLevels[gi], cubeLevels[bi])
    let cube = 16 + 36 * ri + 6 * gi + bi
    let average = (target.0 + target.1 + target.2) / 3
    let grayStep = min(23, max(0, (average - 3) / 10))
    let grayLevel = 8 + 10 * grayStep
    let gray = (grayLevel, grayLevel, grayLevel)
    return distance(target, gray) < distance(target, cubeColor)
      ? UInt8(232 + grayStep) : UInt8(cube)
  }

  static func nearestANSI(_ r: UInt8, _ g: UInt8, _ b: UInt8, limit: Int) -> UInt8 {
    let target = (Int(r), Int(g), Int(b))
    var best = 0
    var bestDistance = Int.max
    for index in 0..<limit {
      let entry = ansiPalette[index]
      let d = distance(target, (Int(entry.0), Int(entry.1), Int(entry.2)))
      if d < bestDistance {
        bestDistance = d
        best = index
      }
    }
    return UInt8(best)
  }
}
