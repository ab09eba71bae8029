import Testing
@testable import QuantEngine

/// The lane-parallel K-quant searches against the scalar ones on many random sub-blocks.
@Suite struct KQuantSearchTests {
  static func subBlocks(count: Int, size: Int) -> [[Float]] {
    var random = TestRandom(seed: 4242)
    return (0..<count).map { k in
      var block = random.normals(size, scale: k % 3 == 0 ? 0.01 : 1)
      if k % 5 == 1 { block = block.map { abs($0) } }          // min clamps to 0
      if k % 7 == 2 { block[3] = 25 }                           // outlier
      if k % 11 == 3 { block = block.map { Float(Int($0 * 2)) / 2 } }  // ties
      if k % 13 == 4 { block = [Float](repeating: 0.5, count: size) }   // constant
      return block
    }
  }

  @Test(arguments: [(16, 3, Float(-0.5), 15, true), (32, 15, Float(-1), 20, false), (32, 31, Float(-0.5), 15, false)])
  func scaleMinVectorEqualsScalar(size: Int, nmax: Int, rmin: Float, steps: Int, mad: Bool) throws {
    for block in Self.subBlocks(count: 300, size: size) {
      let weights = block.map { mad ? abs($0) : 0.7 + abs($0) }
      var a = [UInt8](repeating: 0, count: size), b = [UInt8](repeating: 0, count: size), aux = [UInt8](repeating: 0, count: size)
      let (s1, m1) = try block.withUnsafeBufferPointer { x in try weights.withUnsafeBufferPointer { w in
        try a.withUnsafeMutableBufferPointer { l in try aux.withUnsafeMutableBufferPointer { t in
          KQuantSearch.scaleMin(
            count: size, nmax: nmax, x: try #require(x.baseAddress), weights: try #require(w.baseAddress),
            levels: try #require(l.baseAddress), scratch: try #require(t.baseAddress), rmin: rmin, rdelta: 0.1,
            steps: steps, useMAD: mad)
        } } } }
      let (s2, m2) = try block.withUnsafeBufferPointer { x in try weights.withUnsafeBufferPointer { w in
        try b.withUnsafeMutableBufferPointer { l in
          KQuantSearch.scaleMinVector(
            count: size, nmax: nmax, x: try #require(x.baseAddress), weights: try #require(w.baseAddress),
            levels: try #require(l.baseAddress), rmin: rmin, rdelta: 0.1, steps: steps, useMAD: mad)
        } } }
      #expect(s1.bitPattern == s2.bitPattern && m1.bitPattern == m2.bitPattern && a == b)
    }
  }

  @Test func qxVectorEqualsScalar() throws {
    for block in Self.subBlocks(count: 400, size: 16) {
      var a = [Int8](repeating: 0, count: 16), b = [Int8](repeating: 0, count: 16)
      let s1 = try block.withUnsafeBufferPointer { x in
        try a.withUnsafeMutableBufferPointer { KQuantSearch.qx(count: 16, nmax: 32, x: try #require(x.baseAddress), levels: try #require($0.baseAddress)) }
      }
      let s2 = try block.withUnsafeBufferPointer { x in
        try b.withUnsafeMutableBufferPointer { KQuantSearch.qxVector(count: 16, nmax: 32, x: try #require(x.baseAddress), levels: try #require($0.baseAddress)) }
      }
      #expect(s1.bitPattern == s2.bitPattern && a == b)
    }
  }
}
