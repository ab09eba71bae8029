import Foundation
import InspectorUI
import QuantEngine
import Testing
import TUIKit
import Workflows

/// The per-layer output SQNR column, on the digits CNN with its evaluation data.
@Suite struct LayerSQNRColumnTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  static let cnn = root + "/SampleModels/digits-cnn.tflite"

  func render(_ state: AppState, width: Int, height: Int, glyphs: Glyphs = .unicode) -> [String] {
    let screen = VirtualScreen(width: width, height: height)
    return screen.render { buffer, _ in AppView.render(state, theme: .builtinDefault, glyphs: glyphs, into: &buffer) }
  }

  /// The text under the column headed `header` on the list line showing `tensor`.
  static func cell(_ lines: [String], state: AppState, tensor: Int, header: String) throws -> String {
    let headerLine = Array(lines[2])
    let text = String(headerLine)
    let range = try #require(text.range(of: header), "no column \(header) in \(text)")
    let end = text.distance(from: text.startIndex, to: range.upperBound)
    // Right-aligned columns: the cell ends where the header ends; take the cells back to the gap.
    let position = try #require(state.visible.firstIndex(of: .tensor(tensor)))
    let row = Array(lines[3 + position - state.scroll])
    var start = end - 1
    while start > 0 && row[start - 1] != " " { start -= 1 }
    return String(row[start..<end]).trimmingCharacters(in: .whitespaces)
  }

  static func open() throws -> (AppState, EvaluationSession) {
    let session = try EvaluationSession.open(path: cnn, dataPath: nil)
    var state = AppState(model: ModelSummary(model: session.model, format: session.format), size: Size(width: 200, height: 44))
    _ = reduce(&state, .evaluationOpened(.success(session.floatAccuracy)))
    return (state, session)
  }

  @Test("each weight shows the accumulated output SQNR of the layer reading it; upstream layers stay exact")
  func column() throws {
    var (state, session) = try Self.open()
    let model = session.model
    let conv2 = try #require(model.tensors.firstIndex { $0.name == "digits_cnn_1/conv2_1/convolution" })
    let dw = try #require(model.tensors.firstIndex { $0.name == "digits_cnn_1/dw_1/depthwise" })
    let fc1 = try #require(model.tensors.firstIndex { $0.name == "digits_cnn_1/fc1_1/MatMul" })
    let shape = try #require(model.tensors.firstIndex { $0.name.hasSuffix("flatten_1/Reshape/shape/1") })
    state.changePlan(state.plan(setting: conv2, to: .int4))
    let report = try session.evaluate(plan: state.plan)
    let graph = try #require(model.graph)
    _ = reduce(&state, .evaluationReady(plan: state.plan, .success(LiveAccuracy(report, consumers: WeightConsumers.ops(in: graph)))))
    _ = reduce(&state, .resize(state.size))
    let lines = render(state, width: 200, height: 44)
    #expect(lines[2].contains("out dB"))
    // The layers, found by their output names in the evaluation report.
    let conv2Layer = try #require(report.layers.first { $0.opType == "CONV_2D" && $0.tensor.contains("conv2_1") })
    let fc1Layer = try #require(report.layers.first { $0.opType == "FULLY_CONNECTED" && $0.tensor.contains("fc1_1") })
    #expect(conv2Layer.sqnr.isFinite && fc1Layer.sqnr.isFinite)
    #expect(try Self.cell(lines, state: state, tensor: conv2, header: "out dB") == Format.decibels(conv2Layer.sqnr))
    #expect(try Self.cell(lines, state: state, tensor: fc1, header: "out dB") == Format.decibels(fc1Layer.sqnr))
    // Before the quantized layer nothing changed; an integer shape constant has no float output.
    #expect(try Self.cell(lines, state: state, tensor: dw, header: "out dB") == "exact")
    #expect(try Self.cell(lines, state: state, tensor: shape, header: "out dB") == "-")
    #expect(state.layerSQNR(conv2) == conv2Layer.sqnr)
  }

  @Test("a plan change marks the figures pending until its evaluation arrives")
  func pending() throws {
    var (state, session) = try Self.open()
    let model = session.model
    let conv2 = try #require(model.tensors.firstIndex { $0.name == "digits_cnn_1/conv2_1/convolution" })
    let fc1 = try #require(model.tensors.firstIndex { $0.name == "digits_cnn_1/fc1_1/MatMul" })
    var lines = render(state, width: 200, height: 44)
    #expect(try Self.cell(lines, state: state, tensor: conv2, header: "out dB") == "…")
    state.changePlan(state.plan(setting: conv2, to: .int4))
    let consumers = WeightConsumers.ops(in: try #require(model.graph))
    let first = try session.evaluate(plan: state.plan)
    _ = reduce(&state, .evaluationReady(plan: state.plan, .success(LiveAccuracy(first, consumers: consumers))))
    let settled = try Self.cell(render(state, width: 200, height: 44), state: state, tensor: conv2, header: "out dB")
    #expect(!settled.hasSuffix("…"))
    _ = reduce(&state, .resize(state.size))
    state.select(tensor: fc1)
    for _ in 0..<Scheme.allCases.count where state.planned[fc1] != .int4 { _ = reduce(&state, .key(.char("l"))) }
    #expect(state.planned[fc1] == .int4)
    #expect(state.accuracy?.computing == true)
    lines = render(state, width: 200, height: 44)
    #expect(try Self.cell(lines, state: state, tensor: conv2, header: "out dB") == settled + "…")
    let second = try session.evaluate(plan: state.plan)
    _ = reduce(&state, .evaluationReady(plan: state.plan, .success(LiveAccuracy(second, consumers: consumers))))
    lines = render(state, width: 200, height: 44)
    #expect(!(try Self.cell(lines, state: state, tensor: conv2, header: "out dB")).hasSuffix("…"))
    // fc1 itself is quantized now: its layer's SQNR drops below what conv2 alone left it.
    let fc1Before = try #require(first.layers.first { $0.tensor.contains("fc1_1") }?.sqnr)
    let fc1After = try #require(second.layers.first { $0.tensor.contains("fc1_1") }?.sqnr)
    #expect(fc1After < fc1Before)
    #expect(try Self.cell(lines, state: state, tensor: fc1, header: "out dB") == Format.decibels(fc1After))
  }

  @Test("without evaluation data there is no out dB column, and c never sorts by it")
  func noData() throws {
    var (state, _, _) = try TestModel.state(size: Size(width: 200, height: 30))
    _ = reduce(&state, .evaluationOpened(.failure(.failed("no evaluation data"))))
    let lines = render(state, width: 200, height: 30)
    #expect(!lines[2].contains("out dB"))
    #expect(!state.sortableColumns.contains(.layerSQNR))
    for _ in 0..<SortColumn.allCases.count { _ = reduce(&state, .key(.char("c"))); #expect(state.sort != .layerSQNR) }
  }

  @Test("80×24 with evaluation data: out dB, sensitivity and shape fit; params, dtype and op drop")
  func narrow() throws {
    var (state, session) = try Self.open()
    state.size = Size(width: 80, height: 24)
    let report = try session.evaluate(plan: state.plan)
    _ = reduce(&state, .evaluationReady(plan: state.plan, .success(LiveAccuracy(report))))
    let header = render(state, width: 80, height: 24)[2]
    for column in ["name", "shape", "scheme", "SQNR", "out dB", "sens KL", "size"] { #expect(header.contains(column), "\(header)") }
    for column in ["params", "dtype", " op "] { #expect(!header.contains(column), "\(header)") }
  }
}
