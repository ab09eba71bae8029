/// Finding NaN and ±Inf before quantizing.
enum NonFinite {
  /// The error describing every non-finite value, or nil when all values are finite.
  static func error(in values: UnsafeBufferPointer<Float>) -> QuantError? {
    guard let x = values.baseAddress, absMaxBits(x, values.count) >= 0x7F80_0000 else { return nil }
    var found = 0, first = -1
    for i in 0..<values.count where !x[i].isFinite {
      if first < 0 { first = i }
      found += 1
    }
    return .nonFinite(count: found, firstIndex: max(first, 0))
  }

  static func check(_ values: UnsafeBufferPointer<Float>) throws(QuantError) {
    if let error = error(in: values) { throw error }
  }
}
