import Testing
import TensorCore
@testable import QuantEngine

/// The SIMD ggml quantizers against the scalar references, on random blocks, exact ties,
/// near-ties, tied maxima and subnormal scales.
@Suite struct GGMLFastPathTests {
  static func blocks() -> [Float] {
    var random = TestRandom(seed: 2024)
    var values = random.normals(32 * 64)
    // Block 1: Q8_0 ties (amax 127 → d = 1). Block 2: Q4_0 boundaries (max −8 → d = 1).
    for j in 0..<32 { values[32 + j] = j == 0 ? 127 : Float(j) - 15.5 }
    for j in 0..<32 { values[64 + j] = j == 0 ? -8 : Float(j % 16) - 7.5 }
    // Block 3: near-ties; block 4: tied maxima of both signs; block 5: subnormals.
    for j in 0..<32 { values[96 + j] = j == 0 ? 127 : (Float(j) - 15.5).nextDown }
    for j in 0..<32 { values[128 + j] = j == 4 ? -3 : (j == 9 ? 3 : values[128 + j]) }
    for j in 0..<32 { values[160 + j] = Float(j - 16) * 1e-40 }
    for j in 0..<32 { values[192 + j] = 0 }
    for j in 0..<32 { values[224 + j] = j == 0 ? 0 : (j == 1 ? 15 : Float(j) / 2) }
    return values
  }

  @Test(arguments: [DType.q8_0, .q4_0, .q4_1, .q5_0, .q5_1])
  func fastEqualsReference(type: DType) {
    let values = Self.blocks()
    let count = values.count / 32
    var fast = [UInt8](repeating: 0xAA, count: count * type.bytesPerBlock)
    var reference = [UInt8](repeating: 0x55, count: count * type.bytesPerBlock)
    values.withUnsafeBufferPointer { x in
      guard let base = x.baseAddress else { return }
      fast.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { GGMLLegacyFast.quantize(type, base, blocks: count, into: p) } }
      reference.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { GGMLLegacyQuantize.quantize(type, base, blocks: count, into: p) } }
    }
    for b in 0..<count {
      let range = (b * type.bytesPerBlock)..<((b + 1) * type.bytesPerBlock)
      #expect(Array(fast[range]) == Array(reference[range]), "\(type.rawValue) block \(b)")
    }
  }
}
