import Foundation
import Testing

@Suite("qscope eval (built binary)")
struct EvalCommandTests {
  static let samples = CLI.packageRoot + "/SampleModels"

  @Test("json output has the contract's keys; the eval set beside the model is picked up")
  func json() throws {
    let result = try CLI.run(["eval", Self.samples + "/digits-mlp.tflite", "--scheme", "int8", "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(root["samples"] as? Int == 360)
    #expect(root["labels"] as? Bool == true)
    let float = try #require(root["float"] as? [String: Any])
    let floatAccuracy = try #require(float["accuracy"] as? Double)
    #expect(abs(floatAccuracy - 352.0 / 360.0) < 1e-6, "SampleModels/README.md: 0.9778")
    let quantized = try #require(root["quantized"] as? [String: Any])
    for key in ["accuracy", "top1_agreement", "kl_divergence", "output_sqnr_db"] { #expect(quantized[key] is Double, "\(key)") }
    let agreement = try #require(quantized["top1_agreement"] as? Double)
    #expect(agreement > 0.9 && agreement <= 1)
    let bytes = try #require(root["bytes"] as? [String: Int])
    #expect((bytes["quantized"] ?? 0) < (bytes["original"] ?? 0))
  }

  @Test("table output names the metrics and the per-layer SQNR")
  func table() throws {
    let result = try CLI.run(["eval", Self.samples + "/digits-cnn.tflite", "--data", Self.samples + "/digits-test.npz", "--scheme", "int4"])
    #expect(result.status == 0, "\(result.stderr)")
    for word in ["accuracy", "top-1 agreement", "KL divergence", "output SQNR", "CONV_2D", "DEPTHWISE_CONV_2D"] {
      #expect(result.stdout.contains(word), "\(word)")
    }
  }

  @Test("a weight-only model, missing data and bad flags are one-line errors")
  func errors() throws {
    let noGraph = try CLI.run(["eval", Self.samples + "/digits-cnn.safetensors", "--data", Self.samples + "/digits-test.npz"])
    #expect(noGraph.status == 1)
    #expect(noGraph.stderr.contains("graph"))
    let folder = try Fixture.folder()
    let copy = folder + "/lonely.tflite"
    try FileManager.default.copyItem(atPath: Self.samples + "/digits-mlp.tflite", toPath: copy)
    let noData = try CLI.run(["eval", copy])
    #expect(noData.status == 1)
    #expect(noData.stderr.contains("--data"))
    let notZip = folder + "/junk.npz"
    try Data("not a zip".utf8).write(to: URL(fileURLWithPath: notZip))
    let junk = try CLI.run(["eval", copy, "--data", notZip])
    #expect(junk.status == 1 && junk.stderr.contains("junk.npz"))
    let badFormat = try CLI.run(["eval", copy, "--format", "xml"])
    #expect(badFormat.status == 64)
  }
}
