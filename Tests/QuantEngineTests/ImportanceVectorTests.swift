import Foundation
import QuantEngine
import TensorCore
import Testing

/// Bit-exact agreement with ggml's importance-weighted quantizers (`quantize_qX(…, quant_weights)`)
/// built without FMA: fixtures from scripts/make-kquant-vectors.py, rows of 512 sharing one
/// importance vector with dead columns and an all-zero sub-block.
@Suite struct ImportanceVectorTests {
  struct Manifest: Decodable {
    struct Case: Decodable { let name: String; let offset: Int; let count: Int }
    struct Imatrix: Decodable { let row_length: Int; let types: [String] }
    let cases: [Case]
    let imatrix: Imatrix
  }

  static let schemes: [(Scheme, String)] = [
    (.q2_k, "Q2_K"), (.q3_k, "Q3_K"), (.q4_k, "Q4_K"), (.q5_k, "Q5_K"), (.q6_k, "Q6_K"),
    (.q4_0, "Q4_0"), (.q4_1, "Q4_1"), (.q5_0, "Q5_0"), (.q5_1, "Q5_1"), (.q8_0, "Q8_0"),
  ]

  static func load() throws -> (inputs: [Float], importance: [Float], manifest: Manifest) {
    let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: Fixtures.url("manifest.json", folder: "kquant")))
    return (try Fixtures.floats("inputs.f32", folder: "kquant"), try Fixtures.floats("importance.f32", folder: "kquant"), manifest)
  }

  @Test(arguments: schemes)
  func weightedBytesMatchGGML(scheme: Scheme, typeName: String) throws {
    let (inputs, importance, manifest) = try Self.load()
    let row = manifest.imatrix.row_length
    try #require(importance.count == row && manifest.imatrix.types.contains(typeName))
    let expected = try Fixtures.bytes("\(typeName).imatrix.bin", folder: "kquant")
    let data = try inputs.withUnsafeBufferPointer {
      try Quantizer.quantize($0, shape: [inputs.count / row, row], scheme: scheme, channelAxis: 0, importance: importance)
    }
    try #require(data.values.count == expected.count)
    let bytesPerElement = Double(expected.count) / Double(inputs.count)
    for testCase in manifest.cases {
      let lo = Int(Double(testCase.offset) * bytesPerElement), hi = Int(Double(testCase.offset + testCase.count) * bytesPerElement)
      let mismatched = (lo..<hi).filter { data.values[$0] != expected[$0] }.count
      #expect(mismatched == 0, "\(typeName) case \(testCase.name): \(mismatched) bytes differ")
    }
  }

  /// The importance must change the result for every type that uses it (else the test above
  /// could pass by ignoring it), and must not for Q8_0.
  @Test(arguments: schemes)
  func importanceChangesTheResultExceptForQ8_0(scheme: Scheme, typeName: String) throws {
    let (inputs, importance, manifest) = try Self.load()
    let row = manifest.imatrix.row_length, shape = [inputs.count / row, row]
    let weighted = try inputs.withUnsafeBufferPointer {
      try Quantizer.quantize($0, shape: shape, scheme: scheme, channelAxis: 0, importance: importance)
    }
    let plain = try inputs.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: shape, scheme: scheme, channelAxis: 0) }
    #expect((weighted.values == plain.values) == (scheme == .q8_0))
  }
}
