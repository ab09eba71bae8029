import Foundation
import Testing

/// `qscope auto model.keras --format tflite`: priced on the converted model, as quantize writes it.
@Suite("qscope auto for a converted format (built binary)")
struct AutoConversionCommandTests {
  static let lstm = CLI.packageRoot + "/Tests/ModelFormatsTests/Fixtures/keras/lstm_stack.keras"

  func plannedSchemes(_ path: String) throws -> [String: String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    return object?["tensors"] as? [String: String] ?? [:]
  }

  @Test("a Keras MLP gets a tflite plan on its own tensor names that quantize then applies")
  func kerasMLP() throws {
    let folder = try Fixture.folder()
    let plan = folder + "/plan.json"
    let model = CLI.packageRoot + "/SampleModels/digits-mlp.keras"
    let result = try CLI.run(["auto", model, "--format", "tflite", "--target-bpw", "6", "-o", plan])
    #expect(result.status == 0, "\(result.stderr)")
    let schemes = try plannedSchemes(plan)
    #expect(!schemes.isEmpty && schemes.keys.allSatisfy { $0.hasSuffix("/kernel") }, "\(schemes)")
    let out = folder + "/out.tflite"
    let written = try CLI.run(["quantize", model, "--plan", plan, "-o", out])
    #expect(written.status == 0, "\(written.stderr)")
    #expect(written.stdout.contains("\(schemes.count) of"), "\(written.stdout)")
  }

  @Test("an LSTM's kernel and recurrent kernel get one scheme, int8-tensor, which the writer applies to all 8 gates")
  func kerasLSTM() throws {
    let folder = try Fixture.folder()
    let plan = folder + "/plan.json"
    let result = try CLI.run(["auto", Self.lstm, "--format", "tflite", "--target-size", "60%", "-o", plan])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("quantizes only together"))
    let schemes = try plannedSchemes(plan)
    for layer in ["lstm_0", "lstm_1"] {
      let kernel = schemes["\(layer)/cell/kernel"], recurrent = schemes["\(layer)/cell/recurrent_kernel"]
      #expect(kernel == recurrent, "\(layer): \(schemes)")
      #expect(kernel == nil || kernel == "int8-tensor")
    }
    #expect(schemes.values.contains("int8-tensor"), "the budget needs an LSTM quantized: \(schemes)")
    let out = folder + "/out.tflite"
    let written = try CLI.run(["quantize", Self.lstm, "--plan", plan, "-o", out])
    #expect(written.status == 0, "\(written.stderr)")
    #expect(!written.stderr.contains("quantized together"), "no partial group: \(written.stderr)")
  }
}
