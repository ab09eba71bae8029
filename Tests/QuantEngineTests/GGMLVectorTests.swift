import QuantEngine
import TensorCore
import Testing

/// Bit-exact agreement with gguf-py (fixtures from scripts/make-ggml-vectors.py).
@Suite struct GGMLVectorTests {
  static let quantSchemes: [(Scheme, String)] = [
    (.q8_0, "Q8_0"), (.q4_0, "Q4_0"), (.q4_1, "Q4_1"), (.q5_0, "Q5_0"), (.q5_1, "Q5_1"),
    (.f16, "F16"), (.bf16, "BF16"),
  ]

  @Test(arguments: quantSchemes)
  func quantizedBytesMatchGGUFPy(scheme: Scheme, typeName: String) throws {
    let inputs = try Fixtures.floats("inputs.f32")
    let expected = try Fixtures.bytes("\(typeName).bin")
    let manifest = try Fixtures.manifest()
    let data = try inputs.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [inputs.count], scheme: scheme, channelAxis: 0) }
    #expect(data.values.count == expected.count)
    // Report the first differing case by name, so a failure says which input family broke.
    let bytesPerElement = Double(expected.count) / Double(inputs.count)
    for testCase in manifest.cases {
      let lo = Int(Double(testCase.offset) * bytesPerElement), hi = Int(Double(testCase.offset + testCase.count) * bytesPerElement)
      #expect(Array(data.values[lo..<hi]) == Array(expected[lo..<hi]), "\(typeName) case \(testCase.name)")
    }
  }

  @Test(arguments: quantSchemes)
  func dequantizedFloatsMatchGGUFPy(scheme: Scheme, typeName: String) throws {
    let inputs = try Fixtures.floats("inputs.f32")
    let expected = try Fixtures.floats("\(typeName).deq.f32")
    let encoding = scheme.encoding(channelAxis: 0)
    let data = QuantizedData(encoding: encoding, shape: [inputs.count], values: try Fixtures.bytes("\(typeName).bin"))
    var out = [Float](repeating: .nan, count: inputs.count)
    try out.withUnsafeMutableBufferPointer { try Quantizer.dequantize(data, into: $0) }
    #expect(sameBits(out, expected), "\(typeName): \(firstMismatch(out, expected))")
  }

  @Test func decodeOnlyTypesMatchGGUFPy() throws {
    let manifest = try Fixtures.manifest()
    #expect(manifest.decoded.count >= 18)
    for entry in manifest.decoded {
      let type = try #require(DType(rawValue: entry.type))
      let raw = try Fixtures.bytes("decode-\(entry.type).bin")
      let expected = try Fixtures.floats("decode-\(entry.type).f32")
      var out = [Float](repeating: .nan, count: entry.count)
      try raw.withUnsafeBytes { bytes in
        try out.withUnsafeMutableBufferPointer {
          try Quantizer.dequantizeBlocks(type, from: bytes, count: entry.count, into: $0)
        }
      }
      #expect(sameBits(out, expected), "\(entry.type): \(firstMismatch(out, expected))")
    }
  }

  @Test func dequantizeBlocksRejectsWrongByteCount() throws {
    let raw = [UInt8](repeating: 0, count: 33)
    var out = [Float](repeating: 0, count: 32)
    #expect(throws: QuantError.self) {
      try raw.withUnsafeBytes { bytes in
        try out.withUnsafeMutableBufferPointer { try Quantizer.dequantizeBlocks(.q8_0, from: bytes, count: 32, into: $0) }
      }
    }
  }

  @Test func dequantizeBlocksRejectsUnknownType() throws {
    // Q8_K is an activation intermediate that never appears in model files.
    let raw = [UInt8](repeating: 0, count: 292)
    var out = [Float](repeating: 0, count: 256)
    #expect(throws: QuantError.unsupportedBlockType("Q8_K")) {
      try raw.withUnsafeBytes { bytes in
        try out.withUnsafeMutableBufferPointer { try Quantizer.dequantizeBlocks(.q8_k, from: bytes, count: 256, into: $0) }
      }
    }
  }
}
