import Testing

@testable import QuantEngine

/// Found by scripts/fuzz (safetensors target, `inspect --bins`): a tensor whose finite values span
/// more than Float.greatestFiniteMagnitude made hi - lo infinite, and (v - lo) × 0 turned into NaN
/// before Int(), trapping. A tensor of equal huge values (lo == hi even after ±0.5) did the same.
@Suite struct FuzzHistogramRegressionTests {
  @Test("values spanning -3e38...3e38 are binned, not trapped on")
  func rangeWiderThanFloat() {
    // 17 values: two SIMD groups of eight and a scalar tail.
    let values: [Float] = Array(repeating: [-3e38, 3e38, -1e38, 1e38], count: 4).flatMap { $0 } + [1e38]
    let histogram = values.withUnsafeBufferPointer { Metrics.histogram($0, bins: 4) }
    #expect(histogram.lo == -3e38 && histogram.hi == 3e38)
    // Bin width 1.5e38: each value falls in its own quarter.
    #expect(histogram.counts == [4, 4, 5, 4])
  }

  @Test("equal huge values (lo == hi after widening) all land in one bin")
  func equalHugeValues() {
    let values = [Float](repeating: 1e30, count: 9)
    let histogram = values.withUnsafeBufferPointer { Metrics.histogram($0, bins: 8) }
    #expect(histogram.counts.reduce(0, +) == 9)
    #expect(histogram.counts.filter { $0 > 0 }.count == 1)
  }

  @Test("an explicit range of ±Float.greatestFiniteMagnitude keeps every finite value")
  func explicitExtremeRange() {
    let values: [Float] = [-.greatestFiniteMagnitude, -1, 1, .greatestFiniteMagnitude, .nan, .infinity]
    let histogram = values.withUnsafeBufferPointer {
      Metrics.histogram($0, bins: 2, range: -Float.greatestFiniteMagnitude...Float.greatestFiniteMagnitude)
    }
    #expect(histogram.counts.reduce(0, +) == 4, "the four finite values are counted; NaN and ∞ are not")
    #expect(histogram.counts[0] >= 1 && histogram.counts[1] >= 1)
  }
}
