import Foundation
import InspectorUI
import QuantEngine
import Testing
import TUIKit
import Workflows

/// The TUI shows why a Keras layer cannot hold a scheme: Keras stores int8 only for Dense,
/// EinsumDense and Embedding, so a Conv2D kernel offers int8 disabled with Keras' reason.
@Suite struct KerasSchemeReasonTests {
  static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../SampleModels/digits-cnn.keras").standardized.path

  func state() throws -> AppState {
    let (model, format) = try ModelOpener.open(path: Self.sample)
    return AppState(model: ModelSummary(model: model, format: format), size: Size(width: 160, height: 40))
  }

  func row(_ name: String, in state: AppState) throws -> Int {
    try #require(state.model.rows.firstIndex { $0.name == name })
  }

  @Test("int8 is offered for a Dense kernel and refused for a Conv2D kernel with the reason")
  func refusalReasons() throws {
    try #require(FileManager.default.fileExists(atPath: Self.sample), "SampleModels/digits-cnn.keras is committed")
    let state = try state()
    let dense = try row("fc1/kernel", in: state), conv = try row("conv2/kernel", in: state)
    #expect(state.model.rows[dense].refusals[.int8] == nil)
    #expect(state.model.rows[dense].storableSchemes.contains(.int8))
    let reason = try #require(state.model.rows[conv].refusals[.int8])
    #expect(reason.contains("no int8 form for Conv2D"))
    #expect(!state.model.rows[conv].storableSchemes.contains(.int8))
    #expect(state.model.rows[dense].refusals[.q4_k]?.contains("ggml") == true)
  }

  @Test("the picker draws the reason next to int8 and Enter on it says why it is disabled")
  func pickerShowsReason() throws {
    try #require(FileManager.default.fileExists(atPath: Self.sample), "SampleModels/digits-cnn.keras is committed")
    var state = try state()
    let conv = try row("conv2/kernel", in: state)
    state.select(tensor: conv)
    _ = reduce(&state, .resize(state.size))
    let position = try #require(Scheme.allCases.firstIndex(of: .int8)) + 1
    state.overlay = .schemePicker(selected: position)
    let screen = VirtualScreen(width: 160, height: 40)
    let lines = screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
    let int8Line = try #require(lines.first { $0.contains(" int8 ") && $0.contains("Keras") })
    #expect(int8Line.contains("no int8 form for Conv2D"))
    _ = reduce(&state, .key(KeyChord(.enter)))
    #expect(state.planned[conv] == nil)
    #expect(state.message?.text.contains("int8 is disabled: Keras 3 has no int8 form for Conv2D") == true)
  }
}
