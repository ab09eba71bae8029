import Foundation
import InspectorUI
import ModelFormats
import QuantEngine
import Testing
import TUIKit
import Workflows

/// Per-tensor importance from an imatrix in the list, the detail pane and the info overlay.
@Suite struct ImportanceViewTests {
  func render(_ state: AppState, width: Int = 160, height: Int = 40) -> [String] {
    let screen = VirtualScreen(width: width, height: height)
    return screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: .unicode, into: &buffer) }
  }

  /// fc1.weight gets a fitting vector (64 columns: one peak), fc2.weight one of the wrong length.
  static func state() throws -> AppState {
    let (model, format) = try TestModel.mlp()
    let vector = (0..<64).map { Float($0 == 5 ? 9 : 1) }
    let matrix = ImportanceMatrix(entries: ["fc1.weight": vector, "fc2.weight": [1, 2, 3]], layout: .legacyDat)
    var state = AppState(
      model: ModelSummary(model: model, format: format, importance: matrix, importancePath: "/tmp/m.imatrix"), size: Size(width: 160, height: 40))
    _ = reduce(&state, .resize(state.size))
    return state
  }

  @Test("the detail pane summarizes the tensor's importance: mean, peak ratio, columns")
  func detail() throws {
    var state = try Self.state()
    state.select(tensor: 0)
    let lines = render(state)
    // mean = (63 + 9) / 64 = 1.125, peak = 9 / 1.125 = 8.0x, 1 of 64 columns above the mean.
    #expect(lines.contains { $0.contains("imp mean") && $0.contains("1.125") })
    #expect(lines.contains { $0.contains("imp peak") && $0.contains("8.0x") })
    #expect(lines.contains { $0.contains("imp cols") && $0.contains("64, 2% > mean") })
  }

  @Test("an entry that does not fit says why instead of numbers")
  func misfit() throws {
    var state = try Self.state()
    state.select(tensor: 2)
    let lines = render(state)
    let problem = try #require(state.model.rows[2].importanceProblem)
    #expect(lines.contains { $0.contains("imp") && $0.contains(String(problem.prefix(20))) })
    #expect(state.model.rows[2].importance == nil)
  }

  @Test("the list has an imp column sortable by c; info names the file and the matches")
  func columnAndInfo() throws {
    var state = try Self.state()
    #expect(render(state)[2].contains("imp"))
    while state.sort != .importance { _ = reduce(&state, .key(.char("c"))) }
    _ = reduce(&state, .key(.char("C")))
    // Descending: the one tensor with a fitting entry first, the rest after it in file order.
    #expect(state.visible == [.tensor(0), .tensor(1), .tensor(2), .tensor(3)])
    _ = reduce(&state, .key(.char("i")))
    let info = render(state).joined(separator: "\n")
    #expect(info.contains("/tmp/m.imatrix: entries for 1 of 4 tensors, 1 do not fit"))
  }

  @Test("without an imatrix there is no imp column and c skips it")
  func absent() throws {
    let (state, _, _) = try TestModel.state(size: Size(width: 160, height: 40))
    #expect(!render(state)[2].contains("imp"))
    #expect(!state.sortableColumns.contains(.importance))
  }
}
