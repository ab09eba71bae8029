import Foundation
import QuantEngine
import TensorCore
import Testing

/// Bit-exact agreement with ggml's C reference quantizers built without FMA (fixtures from
/// scripts/make-kquant-vectors.py).
@Suite struct KQuantVectorTests {
  struct Manifest: Decodable {
    struct Case: Decodable { let name: String; let offset: Int; let count: Int }
    let cases: [Case]
    let types: [String]
  }

  static let schemes: [(Scheme, String)] = [(.q2_k, "Q2_K"), (.q3_k, "Q3_K"), (.q4_k, "Q4_K"), (.q5_k, "Q5_K"), (.q6_k, "Q6_K")]

  @Test(arguments: schemes)
  func quantizedBytesMatchGGML(scheme: Scheme, typeName: String) throws {
    let inputs = try Fixtures.floats("inputs.f32", folder: "kquant")
    let expected = try Fixtures.bytes("\(typeName).bin", folder: "kquant")
    let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: Fixtures.url("manifest.json", folder: "kquant")))
    let rows = inputs.count / 256
    let data = try inputs.withUnsafeBufferPointer { try Quantizer.quantize($0, shape: [rows, 256], scheme: scheme, channelAxis: 0) }
    try #require(data.values.count == expected.count)
    let bytesPerBlock = expected.count / rows
    for testCase in manifest.cases {
      let lo = testCase.offset / 256 * bytesPerBlock, hi = (testCase.offset + testCase.count) / 256 * bytesPerBlock
      let mismatched = (lo..<hi).filter { data.values[$0] != expected[$0] }.count
      #expect(mismatched == 0, "\(typeName) case \(testCase.name): \(mismatched) bytes differ")
    }
  }
}
