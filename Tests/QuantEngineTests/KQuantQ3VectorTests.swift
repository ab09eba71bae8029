import Testing
@testable import QuantEngine

/// Q3_K's vector search and packing against the scalar reference, block by block.
@Suite struct KQuantQ3VectorTests {
  /// 256-value blocks with the shapes that steer the search: ties, outliers, tiny and all-zero
  /// sub-blocks, equal ± maxima, a single non-zero value.
  static func blocks(_ count: Int) -> [[Float]] {
    var random = TestRandom(seed: 3131)
    return (0..<count).map { k in
      var block = random.normals(256, scale: k % 4 == 0 ? 1e-3 : 1)
      switch k % 9 {
      case 1: block = block.map { Float(Int($0 * 4)) / 4 }  // many ties, exact halves
      case 2: block[17] = 40; block[200] = -40             // outliers of equal magnitude
      case 3: for i in 32..<64 { block[i] = 0 }            // zero sub-blocks (scale 0)
      case 4: block = block.map { $0 * 1e-6 }              // d near the fp16 subnormal range
      case 5: block = [Float](repeating: 0, count: 256); block[77] = -2.5
      case 6: for i in 0..<256 where i % 16 == 0 { block[i] = -block[i + 1] }
      case 7: block = block.map { abs($0) }
      default: break
      }
      return block
    }
  }

  @Test func searchEqualsScalar() throws {
    for block in Self.blocks(200) {
      for j in 0..<16 {
        let sub = Array(block[16 * j..<16 * j + 16])
        var a = [Int8](repeating: 0, count: 16), b = [Int8](repeating: 0, count: 16)
        let s1 = try sub.withUnsafeBufferPointer { x in
          try a.withUnsafeMutableBufferPointer { KQuantSearch.q3(count: 16, nmax: 4, x: try #require(x.baseAddress), levels: try #require($0.baseAddress)) }
        }
        let s2 = try sub.withUnsafeBufferPointer { x in
          try b.withUnsafeMutableBufferPointer { KQuantSearch.q3Vector16(nmax: 4, x: try #require(x.baseAddress), levels: try #require($0.baseAddress)) }
        }
        #expect(s1.bitPattern == s2.bitPattern && a == b, "sub-block \(j): \(sub)")
      }
    }
  }

  @Test func blockBytesEqualScalar() throws {
    for (index, block) in Self.blocks(300).enumerated() {
      var fast = [UInt8](repeating: 0, count: 110), slow = [UInt8](repeating: 0, count: 110)
      try block.withUnsafeBufferPointer { x in
        let source = try #require(x.baseAddress)
        fast.withUnsafeMutableBufferPointer { out in
          guard let y = out.baseAddress else { return }
          KQuantQuantize.Scratch.with { KQuantQuantize.q3_k(source, y, $0) }
        }
        slow.withUnsafeMutableBufferPointer { out in
          guard let y = out.baseAddress else { return }
          KQuantQuantize.Scratch.with { KQuantQuantize.q3_k(source, y, $0, reference: true) }
        }
      }
      #expect(fast == slow, "block \(index)")
    }
  }
}
