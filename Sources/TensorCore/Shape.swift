/// Overflow-checked shape arithmetic. Shapes come from files, so every product is checked.
public enum Shape {
  /// The number of elements, or nil if a dimension is negative or the product overflows `Int`.
  public static func elementCount(_ shape: [Int]) -> Int? {
    var total = 1
    for dim in shape {
      guard dim >= 0 else { return nil }
      let (product, overflow) = total.multipliedReportingOverflow(by: dim)
      if overflow { return nil }
      total = product
    }
    return total
  }

  /// Row-major strides in elements.
  public static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[axis] = running
      running = running &* shape[axis]
    }
    return strides
  }

  /// `[2, 3]` → `"2×3"`; a scalar prints as `"scalar"`.
  public static func describe(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×")
  }
}

/// Overflow-checked arithmetic helpers that report nil instead of trapping.
public enum Checked {
  public static func add(_ a: Int, _ b: Int) -> Int? {
    let (r, o) = a.addingReportingOverflow(b); return o ? nil : r
  }
  public static func multiply(_ a: Int, _ b: Int) -> Int? {
    let (r, o) = a.multipliedReportingOverflow(by: b); return o ? nil : r
  }
  /// Converts an unsigned value from a file to Int, nil when it does not fit.
  public static func int<T: BinaryInteger>(_ value: T) -> Int? { Int(exactly: value) }
}
