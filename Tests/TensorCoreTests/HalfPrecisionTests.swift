import Testing
@testable import TensorCore

@Suite("Software fp16/bf16 conversion")
struct HalfPrecisionTests {
  @Test("every binary16 value decodes exactly like the hardware type")
  func decodeAllHalves() {
    for bits in UInt16.min...UInt16.max {
      let ours = HalfPrecision.float(fromHalfBits: bits)
      let reference = Float(Float16(bitPattern: bits))
      if reference.isNaN {
        #expect(ours.isNaN)
      } else {
        #expect(ours.bitPattern == reference.bitPattern, "bits \(bits)")
      }
    }
  }

  @Test("float32 → binary16 rounds to nearest even like Float16(x)")
  func encodeMatchesHardware() {
    var generator = SplitMix64(seed: 42)
    var checked = 0
    // Random bit patterns cover normals, subnormals, overflow and NaN.
    for _ in 0..<400_000 {
      let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
      let reference = Float16(value)
      let ours = HalfPrecision.halfBits(from: value)
      if value.isNaN {
        #expect(Float16(bitPattern: ours).isNaN)
      } else {
        #expect(ours == reference.bitPattern, "value \(value)")
      }
      checked += 1
    }
    // Exact ties between neighbouring halves, both parities.
    for bits in stride(from: UInt16(0x0001), to: 0x7BFF, by: 97) {
      let low = Float(Float16(bitPattern: bits)), high = Float(Float16(bitPattern: bits + 1))
      let tie = (Double(low) + Double(high)) / 2
      let value = Float(tie)
      guard Double(value) == tie else { continue }
      #expect(HalfPrecision.halfBits(from: value) == Float16(value).bitPattern)
      #expect(HalfPrecision.halfBits(from: -value) == Float16(-value).bitPattern)
    }
    #expect(checked == 400_000)
  }

  @Test("overflow becomes infinity, tiny values flush to signed zero")
  func edgeCases() {
    #expect(HalfPrecision.halfBits(from: 65520) == 0x7C00)
    #expect(HalfPrecision.halfBits(from: 65519) == 0x7BFF)
    #expect(HalfPrecision.halfBits(from: -1e-10) == 0x8000)
    #expect(HalfPrecision.halfBits(from: .infinity) == 0x7C00)
  }

  @Test("bfloat16 rounds to nearest even and keeps NaN quiet")
  func bfloat16() {
    #expect(HalfPrecision.bfloat16Bits(from: 1.0) == 0x3F80)
    // 1 + 2^-8 is exactly halfway between two bf16 values; ties go to the even mantissa.
    #expect(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3F80_8000)) == 0x3F80)
    #expect(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3F81_8000)) == 0x3F82)
    #expect(HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x3F80_8001)) == 0x3F81)
    let nan = HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x7F80_0001))
    #expect(HalfPrecision.float(fromBFloat16Bits: nan).isNaN)
    #expect(HalfPrecision.float(fromBFloat16Bits: 0xC000) == -2)
  }
}

/// Deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
