import Foundation
import Testing
import QuantEngine

/// Vectorised statistics against straightforward scalar loops.
@Suite struct MetricsTests {
  static func scalarStats(_ x: [Float]) -> (min: Float, max: Float, mean: Double, std: Double, zeros: Int, bad: Int) {
    let finite = x.filter(\.isFinite)
    let mean = finite.reduce(0.0) { $0 + Double($1) } / Double(max(1, finite.count))
    let variance = finite.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(max(1, finite.count))
    return (finite.min() ?? 0, finite.max() ?? 0, mean, variance.squareRoot(), finite.filter { $0 == 0 }.count, x.count - finite.count)
  }

  @Test(arguments: [0, 1, 7, 8, 1023, 1024, 5000])
  func statsMatchScalar(count: Int) {
    var random = TestRandom(seed: UInt64(count + 3))
    var values = random.normals(count, scale: 3).map { $0 + 1.5 }
    if count > 10 {
      values[2] = .nan; values[9] = .infinity; values[4] = 0; values[count - 1] = -.infinity; values[5] = -0.0
    }
    let s = values.withUnsafeBufferPointer { Metrics.stats($0) }
    let expected = Self.scalarStats(values)
    #expect(s.count == count)
    #expect(s.min == expected.min && s.max == expected.max)
    #expect(abs(s.mean - expected.mean) <= 1e-6 * max(1, abs(expected.mean)))
    #expect(abs(s.std - expected.std) <= 1e-5 * max(1, expected.std))
    #expect(s.zeros == expected.zeros)
    #expect(s.nonFinite == expected.bad)
  }

  @Test func histogramMatchesScalarBinning() {
    var random = TestRandom(seed: 5)
    var values = random.normals(3001)
    values[10] = .nan
    values[11] = 100  // outside the explicit range below
    let bins = 17
    let h = values.withUnsafeBufferPointer { Metrics.histogram($0, bins: bins, range: -2...2) }
    var expected = [Int](repeating: 0, count: bins)
    for v in values where v.isFinite && v >= -2 && v <= 2 {
      expected[min(bins - 1, Int((v + 2) * (Float(bins) / 4)))] += 1
    }
    #expect(h.counts == expected)
    #expect(h.lo == -2 && h.hi == 2)
    let auto = values.withUnsafeBufferPointer { Metrics.histogram($0, bins: 256) }
    #expect(auto.counts.reduce(0, +) == values.count - 1)
    #expect(auto.hi == 100)
    #expect(auto.counts.last == 1)
  }

  @Test func histogramOfConstantTensorWidensRange() {
    let values = [Float](repeating: 2, count: 10)
    let h = values.withUnsafeBufferPointer { Metrics.histogram($0, bins: 4) }
    #expect(h.lo == 1.5 && h.hi == 2.5)
    #expect(h.counts == [0, 0, 10, 0])
  }

  @Test func compareMatchesScalar() {
    var random = TestRandom(seed: 11)
    let x = random.normals(1029)
    let y = x.map { $0 + random.normal() * 0.01 }
    let c = x.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { b in Metrics.compare(original: a, reconstructed: b) } }
    var sx2 = 0.0, se2 = 0.0, sxy = 0.0, sy2 = 0.0, maxErr = 0.0
    for (a, b) in zip(x, y) {
      let e = Double(a - b)
      sx2 += Double(a) * Double(a); se2 += e * e; sxy += Double(a) * Double(b); sy2 += Double(b) * Double(b)
      maxErr = max(maxErr, abs(e))
    }
    #expect(abs(c.sqnrDB - 10 * log10(sx2 / se2)) < 1e-4)
    #expect(abs(c.mse - se2 / 1029) <= 1e-6 * c.mse)
    #expect(c.maxAbsError == maxErr)
    #expect(abs(c.cosine - sxy / (sx2.squareRoot() * sy2.squareRoot())) < 1e-6)
  }

  @Test func compareEdgeRules() {
    let zeros = [Float](repeating: 0, count: 9), ones = [Float](repeating: 1, count: 9)
    let both = zeros.withUnsafeBufferPointer { a in zeros.withUnsafeBufferPointer { Metrics.compare(original: a, reconstructed: $0) } }
    #expect(both.sqnrDB == .infinity && both.cosine == 1)
    let signalZero = zeros.withUnsafeBufferPointer { a in ones.withUnsafeBufferPointer { Metrics.compare(original: a, reconstructed: $0) } }
    #expect(signalZero.sqnrDB == -.infinity && signalZero.cosine == 0)
    let reconZero = ones.withUnsafeBufferPointer { a in zeros.withUnsafeBufferPointer { Metrics.compare(original: a, reconstructed: $0) } }
    #expect(reconZero.sqnrDB == 0 && reconZero.cosine == 0)
  }
}
