import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// tflite-default on recurrent ops, against the TF converter's own Optimize.DEFAULT files
/// (scripts/make-lstm-fixtures.py: fused UNIDIRECTIONAL_SEQUENCE_LSTM from Keras LSTM layers).
@Suite struct TFLiteRecurrentTests {
  typealias S = TFLiteTestSupport

  /// `asymmetric_quantize_inputs` of each op of subgraph 0 whose options have that field at `id`.
  func asymmetricFlags(_ file: TFLiteFile, code: Int32, field id: Int) -> [Bool] {
    let opTables = file.root.tables(TFLiteSchema.ModelField.subgraphs).first?.tables(TFLiteSchema.SubGraphField.operators) ?? []
    return file.subgraphs[0].operators.enumerated().compactMap { i, op in
      guard file.operatorCodes[op.opcodeIndex].code == code, i < opTables.count else { return nil }
      return opTables[i].table(TFLiteSchema.OperatorField.options)?.bool(id) ?? false
    }
  }

  @Test("tflite-default on the converter's float LSTM file gives its DEFAULT file: ops, versions, weight bytes, scales, options",
        arguments: ["lstm_small", "lstm_stack", "lstm_mixed"])
  func matchesConverter(name: String) throws {
    let model = try TFLiteFormat.open(path: try S.fixture("\(name).tflite"))
    let (path, notes) = try S.write(model, TFLitePresets.dynamicRange(model))
    #expect(notes.isEmpty, "\(notes)")
    let ours = try TFLiteFile.parse(path: path)
    let reference = try TFLiteFile.parse(path: try S.fixture("\(name).default.tflite"))
    let mine = S.view(ours), theirs = S.view(reference)
    #expect(mine.count == theirs.count)
    for (a, b) in zip(mine, theirs) { #expect(a == b) }
    let lstm = TFLiteRecurrentWeights.unidirectionalLSTM
    #expect(asymmetricFlags(ours, code: lstm, field: 4) == asymmetricFlags(reference, code: lstm, field: 4))
    #expect(ours.minRuntimeVersion == reference.minRuntimeVersion)
  }

  @Test("the converter's DEFAULT LSTM files hold int8 per-tensor weights (the fixtures test something)")
  func fixtureHasHybridOp() throws {
    let reference = try TFLiteFile.parse(path: try S.fixture("lstm_stack.default.tflite"))
    let views = S.view(reference).filter { $0.name == "UNIDIRECTIONAL_SEQUENCE_LSTM" }
    #expect(views.count == 2)
    #expect(views.first?.inputs[1...8].allSatisfy { $0.hasPrefix("9[") } == true)
    #expect(views.last?.inputs[1...8].allSatisfy { $0.hasPrefix("0[") } == true)
  }

  @Test("one LSTM weight alone as int8 stays float with one warning naming the op; the whole group goes hybrid")
  func groupOnly() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("lstm_stack.tflite"))
    let requests = TFLitePresets.dynamicRange(model)
    #expect(requests.count == 8)
    let first = try #require(requests.first)
    let (path, notes) = try S.write(model, [first])
    #expect(notes.count == 1)
    #expect(notes.first?.contains("UNIDIRECTIONAL_SEQUENCE_LSTM #0") == true)
    let file = try TFLiteFile.parse(path: path)
    #expect(S.view(file) == S.view(try TFLiteFile.parse(path: model.path)))
  }

  @Test("per-channel or asymmetric int8 on an LSTM weight is not storable; per-tensor symmetric is")
  func encodings() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("lstm_stack.tflite"))
    let index = try #require(TFLitePresets.dynamicRange(model).first?.tensorIndex)
    let tensor = model.tensors[index]
    #expect(TFLiteFormat.canStore(S.scheme(8, .tensor), tensor: tensor, in: model) == .storable)
    for encoding in [S.scheme(8, .channel(axis: 0)), S.scheme(8, .tensor, asym: true), S.scheme(4, .channel(axis: 0)), .float16] {
      guard case let .notStorable(reason) = TFLiteFormat.canStore(encoding, tensor: tensor, in: model) else {
        Issue.record("\(encoding) is storable")
        continue
      }
      #expect(reason.contains("UNIDIRECTIONAL_SEQUENCE_LSTM"))
    }
  }

  @Test("a corrupted LSTM op (inputs cut to 10) opens, gets no requests, and a forced request is one warning")
  func truncatedInputs() throws {
    let file = try TFLiteFile.parse(path: try S.fixture("lstm_stack.tflite"))
    var root = file.root
    var subgraphs = root.tables(TFLiteSchema.ModelField.subgraphs)
    var ops = subgraphs[0].tables(TFLiteSchema.SubGraphField.operators)
    let cut = Array(file.subgraphs[0].operators[0].inputs.prefix(10)).map { Int32($0) }
    ops[0].fields[TFLiteSchema.OperatorField.inputs] = .vector(.owned(TFLiteRewriter.le(cut)), elementSize: 4, alignment: 4)
    subgraphs[0].fields[TFLiteSchema.SubGraphField.operators] = .tables(ops)
    root.fields[TFLiteSchema.ModelField.subgraphs] = .tables(subgraphs)
    var encoder = FlatBufferEncoder(schema: TFLiteSchema.schema, source: file.file.bytes)
    let bytes = try encoder.finish(root: root, identifier: "TFL3")
    let path = S.temporaryPath("cut.tflite")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let model = try TFLiteFormat.open(path: path)
    let requests = TFLitePresets.dynamicRange(model)
    #expect(requests.isEmpty)
    let weight = try #require(model.tensors.firstIndex { $0.op == "UNIDIRECTIONAL_SEQUENCE_LSTM" && $0.shape == [32, 40] })
    let (_, notes) = try S.write(model, [TensorWriteRequest(tensorIndex: weight, encoding: S.scheme(8, .tensor))])
    #expect(notes.count == 1)
    #expect(notes.first?.contains("fewer than the 20") == true, "\(notes)")
  }

  @Test("weight slots: missing required inputs, peepholes and short input lists are refused with a reason")
  func slots() {
    let full = Array(0..<24)
    let slots = try? TFLiteRecurrentWeights.weightSlots(code: 44, inputs: full.map { [9, 10, 11].contains($0) ? -1 : $0 }, options: nil).get()
    #expect(slots == [2, 3, 4, 6, 7, 8, 1, 5, 16])
    #expect((try? TFLiteRecurrentWeights.weightSlots(code: 44, inputs: full, options: nil).get()) == nil)
    var noForget = full.map { [9, 10, 11].contains($0) ? -1 : $0 }
    noForget[2] = -1
    #expect((try? TFLiteRecurrentWeights.weightSlots(code: 44, inputs: noForget, options: nil).get()) == nil)
    #expect((try? TFLiteRecurrentWeights.weightSlots(code: 27, inputs: [0, 1], options: nil).get()) == nil)
    #expect((try? TFLiteRecurrentWeights.weightSlots(code: 52, inputs: full, options: nil).get()) == nil)
  }
}
