import Foundation
import InspectorUI
import ModelFormats
import QuantEngine
import Testing
import TensorCore
import TUIKit
import Workflows

/// The save dialog's output format and preset choices for a Keras model (keras → tflite).
@Suite struct SaveConversionTests {
  static let mlp = LayerSQNRColumnTests.root + "/SampleModels/digits-mlp.keras"

  func render(_ state: AppState, width: Int = 100, height: Int = 30, glyphs: Glyphs = .unicode) -> [String] {
    let screen = VirtualScreen(width: width, height: height)
    return screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: glyphs, into: &buffer) }
  }

  static func open() throws -> (AppState, Model, any ModelFormat.Type) {
    let (model, format) = try ModelOpener.open(path: mlp)
    return (AppState(model: ModelSummary(model: model, format: format), size: Size(width: 100, height: 30)), model, format)
  }

  /// What the TFLite writer can store for each Keras tensor, computed as the runtime does.
  static func tfliteFacts(_ state: AppState, _ model: Model) throws -> (FormatFacts, ModelSummary) {
    let converted = try ModelConversion.convert(model, to: .tflite)
    let summary = ModelSummary(model: converted.model, format: converted.format)
    return (state.model.facts(matching: summary), summary)
  }

  func dialog(_ state: AppState) throws -> SaveDialog {
    guard case .save(let dialog) = state.overlay else { throw DialogMissing() }
    return dialog
  }
  struct DialogMissing: Error {}

  @Test("choosing tflite swaps the path's extension, converts in the background and offers TFLite's schemes")
  func chooseFormat() throws {
    var (state, model, _) = try Self.open()
    let kernel = try #require(state.model.rows.firstIndex { $0.name == "fc1/kernel" })
    let kerasSchemes = state.model.rows[kernel].storableSchemes
    #expect(state.outputFormats == [.keras, .tflite])
    _ = reduce(&state, .key(.char("w")))
    #expect(try dialog(state).format == .keras)
    #expect(try dialog(state).input.text.hasSuffix("digits-mlp-qscope.keras"))
    _ = reduce(&state, .key(KeyChord(.down)))
    #expect(try dialog(state).field == .format)
    let effects = reduce(&state, .key(KeyChord(.right)))
    #expect(effects.contains(.prepareConversion(.tflite)))
    #expect(try dialog(state).input.text.hasSuffix("digits-mlp-qscope.tflite"))
    #expect(state.outputFormat == .tflite)
    #expect(state.formatFacts[.tflite] == .pending)
    let (facts, tflite) = try Self.tfliteFacts(state, model)
    _ = reduce(&state, .conversionPrepared(.tflite, .success(facts)))
    let match = try #require(tflite.rows.first { $0.name == "fc1/kernel" })
    #expect(state.model.rows[kernel].storableSchemes == match.storableSchemes)
    #expect(state.model.rows[kernel].storableSchemes != kerasSchemes, "the test needs formats that differ")
    // The scheme keys offer what the chosen format stores.
    _ = reduce(&state, .key(KeyChord(.escape)))
    state.select(tensor: kernel)
    _ = reduce(&state, .key(.char("l")))
    #expect(state.planned[kernel] == match.storableSchemes.first)
    // Back to keras: its own list again, and no conversion asked for.
    _ = reduce(&state, .key(.char("w")))
    _ = reduce(&state, .key(KeyChord(.down)))
    #expect(reduce(&state, .key(KeyChord(.left))) == [.useOutputFormat(.keras)])
    #expect(state.outputFormat == .keras)
    #expect(state.model.rows[kernel].storableSchemes == kerasSchemes)
  }

  @Test("a preset is written without touching the plan, which stays unsaved")
  func presetKeepsPlan() throws {
    var (state, model, _) = try Self.open()
    let kernel = try #require(state.model.rows.firstIndex { $0.name == "fc2/kernel" })
    _ = reduce(&state, .key(.char("w")))
    _ = reduce(&state, .key(KeyChord(.down)))
    _ = reduce(&state, .key(KeyChord(.right)))
    _ = reduce(&state, .conversionPrepared(.tflite, .success(try Self.tfliteFacts(state, model).0)))
    _ = reduce(&state, .key(KeyChord(.escape)))
    state.changePlan(state.plan(setting: kernel, to: .int4))
    let plan = state.plan
    #expect(state.dirty)
    _ = reduce(&state, .key(.char("w")))
    #expect(try dialog(state).format == .tflite)
    _ = reduce(&state, .key(KeyChord(.up)))
    #expect(try dialog(state).field == .content)
    #expect(SaveDialog.contents(for: .tflite) == [nil, "tflite-default", "tflite-float16"])
    _ = reduce(&state, .key(KeyChord(.right)))
    #expect(try dialog(state).preset == "tflite-default")
    let path = try dialog(state).input.text
    let effects = reduce(&state, .key(KeyChord(.enter)))
    #expect(effects == [.save(SaveRequest(path: path, plan: plan, overwrite: false, format: .tflite, preset: "tflite-default"))])
    #expect(try dialog(state).progress == 0)
    _ = reduce(&state, .saveStage("converting keras → tflite…"))
    #expect(render(state).contains { $0.contains("converting keras → tflite") })
    _ = reduce(&state, .saveFinished(path: path, error: "disk full", notes: []))
    #expect(try dialog(state).error == "disk full")
    #expect(state.plan == plan)
    _ = reduce(&state, .key(KeyChord(.enter)))
    _ = reduce(&state, .saveFinished(path: path, error: nil, notes: []))
    #expect(state.overlay == .none)
    #expect(state.plan == plan && state.dirty)
    #expect(state.message?.text.contains("tflite-default") == true)
    // Writing the plan itself marks it saved.
    _ = reduce(&state, .key(.char("w")))
    _ = reduce(&state, .key(KeyChord(.enter)))
    _ = reduce(&state, .saveFinished(path: path, error: nil, notes: []))
    #expect(!state.dirty)
  }

  @Test("an extension naming another format picks it; one the model cannot become is refused")
  func pathExtension() throws {
    var (state, _, _) = try Self.open()
    _ = reduce(&state, .key(.char("w")))
    for _ in 0..<5 { _ = reduce(&state, .key(KeyChord(.backspace))) }
    for c in "gguf" { _ = reduce(&state, .key(.char(c))) }
    #expect(reduce(&state, .key(KeyChord(.enter))).isEmpty)
    #expect(try dialog(state).error?.contains("cannot write .gguf") == true)
    for _ in 0..<4 { _ = reduce(&state, .key(KeyChord(.backspace))) }
    for c in "tflite" { _ = reduce(&state, .key(.char(c))) }
    let path = try dialog(state).input.text
    let effects = reduce(&state, .key(KeyChord(.enter)))
    #expect(effects.contains(.prepareConversion(.tflite)))
    #expect(effects.last == .save(SaveRequest(path: path, plan: state.plan, overwrite: false, format: .tflite)))
  }

  @Test("the dialog shows the formats and what to write, in ASCII too")
  func view() throws {
    var (state, _, _) = try Self.open()
    state.size = Size(width: 80, height: 24)
    _ = reduce(&state, .key(.char("w")))
    var lines = render(state, width: 80, height: 24)
    #expect(lines.contains { $0.contains("Format") && $0.contains("[keras]") && $0.contains(" tflite ") })
    #expect(lines.contains { $0.contains("Write") && $0.contains("[current plan]") })
    _ = reduce(&state, .key(KeyChord(.down)))
    _ = reduce(&state, .key(KeyChord(.right)))
    lines = render(state, width: 80, height: 24)
    #expect(lines.contains { $0.contains("▸ Format") && $0.contains("[tflite]") })
    #expect(lines.contains { $0.contains("tflite-default") && $0.contains("tflite-float16") })
    #expect(lines.contains { $0.contains("converting to tflite") })
    let ascii = render(state, width: 80, height: 24, glyphs: .ascii)
    let asciiOnly = ascii.joined().unicodeScalars.allSatisfy { $0.isASCII }
    #expect(asciiOnly)
  }

  @Test("the runtime converts, applies the preset and writes a .tflite that opens with its int8 weights")
  func runtimeWrites() throws {
    let (model, format) = try ModelOpener.open(path: Self.mlp)
    let runtime = InspectorRuntime(model: model, format: format, theme: .builtinDefault)
    let folder = NSTemporaryDirectory() + "qscope-save-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let output = folder + "/out.tflite"
    runtime.perform(.save(SaveRequest(path: output, plan: Plan(), overwrite: false, format: .tflite, preset: "tflite-default")))
    #expect(try #require(runtime.waitForSave()) == nil)
    let (written, writtenFormat) = try ModelOpener.open(path: output)
    #expect(writtenFormat.kind == .tflite)
    // The file carries the converter's tensor names; the Keras names live only in the converted model.
    #expect(written.tensors.first { $0.name.hasSuffix("/fc1_1/MatMul") }?.dtype == .i8)
    #expect(written.tensors.first { $0.name.hasSuffix("/fc3_1/MatMul") }?.dtype == .f32)
  }
}

extension SaveConversionTests {
  @Test("a model that cannot be converted goes back to its own format, with the reason in the dialog")
  func conversionFails() throws {
    var (state, _, _) = try Self.open()
    let kerasFacts = state.model.ownFacts
    _ = reduce(&state, .key(.char("w")))
    _ = reduce(&state, .key(KeyChord(.down)))
    _ = reduce(&state, .key(KeyChord(.right)))
    _ = reduce(&state, .key(KeyChord(.down)))
    _ = reduce(&state, .key(KeyChord(.right)))
    #expect(try dialog(state).preset == "tflite-default")
    _ = reduce(&state, .conversionPrepared(.tflite, .failure(.failed("layer 'lambda' (Lambda) is not supported"))))
    let shown = try dialog(state)
    #expect(shown.format == .keras && shown.preset == nil)
    #expect(shown.input.text.hasSuffix(".keras"))
    #expect(shown.error?.contains("cannot convert keras to tflite: layer 'lambda'") == true)
    #expect(state.outputFormat == .keras)
    #expect(state.model.rows.map(\.refusals) == kerasFacts.refusals)
    // Choosing tflite again retries the conversion.
    _ = reduce(&state, .key(KeyChord(.up)))
    #expect(reduce(&state, .key(KeyChord(.right))).contains(.prepareConversion(.tflite)))
  }
}

extension SaveConversionTests {
  @Test("changing the output format drops the autopilot's table; the runtime prices the new format's candidates")
  func autopilotFollowsFormat() throws {
    var (state, model, format) = try Self.open()
    _ = reduce(&state, .key(.char("f")))
    #expect(state.autopilot.sensitivity.isComputing)
    _ = reduce(&state, .key(KeyChord(.escape)))
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(KeyChord(.escape)))
    _ = reduce(&state, .key(.char("w")))
    _ = reduce(&state, .key(KeyChord(.down)))
    let effects = reduce(&state, .key(KeyChord(.right)))
    #expect(effects.contains(.useOutputFormat(.tflite)) && effects.contains(.cancelSensitivity))
    #expect(!state.autopilot.sensitivity.isComputing && state.autopilot.planner == nil)
    // The runtime's table for tflite: candidates Keras cannot store, indices of the list's tensors.
    let runtime = InspectorRuntime(model: model, format: format, theme: .builtinDefault)
    runtime.perform([.useOutputFormat(.tflite), .computeSensitivity])
    let ready = try #require(try runtime.waitForSensitivity())
    #expect(ready.targetFormat == .tflite)
    let kernel = try #require(state.model.rows.firstIndex { $0.name == "fc1/kernel" })
    let entry = try #require(ready.entry(named: "fc1/kernel"))
    #expect(entry.tensorIndex == kernel)
    let kerasRefused = entry.candidates.compactMap(\.scheme).filter { state.model.ownFacts.refusals[kernel][$0] != nil }
    #expect(!kerasRefused.isEmpty, "TFLite offers schemes Keras cannot store: \(entry.candidates.map(\.name))")
    #expect(ready.tensors.allSatisfy { model.tensors.indices.contains($0.tensorIndex) && model.tensors[$0.tensorIndex].name == $0.name })
  }
}
