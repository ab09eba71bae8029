import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// `inspect` on Keras recurrent layers: the LSTM (whose variables live in its `cell`) and a
/// Bidirectional wrapper are known classes with their config facts, not "(unknown)".
@Suite struct KerasRecurrentLayerTests {
  func layer(_ model: Model, _ name: String) throws -> ModelLayer {
    try #require(model.layers.first { $0.name == name })
  }

  @Test("Keras 3 LSTM layers: kind LSTM, units, return_sequences, the cell's three variables")
  func keras3() throws {
    let model = try KerasTestSupport.open("lstm_stack.keras")
    let first = try layer(model, "lstm_0"), second = try layer(model, "lstm_1")
    #expect(first.kind == "LSTM" && second.kind == "LSTM")
    #expect(first.details.contains("units=32") && first.details.contains("return_sequences=true"))
    #expect(second.details.contains("units=24") && second.details.contains("return_sequences=false"))
    #expect(!first.details.contains { $0.contains("unknown") })
    #expect(first.tensorIndices.map { model.tensors[$0].name } == ["lstm_0/cell/kernel", "lstm_0/cell/recurrent_kernel", "lstm_0/cell/bias"])
  }

  @Test("legacy .h5: the cell's weights (lstm_0/lstm_cell/…) belong to the LSTM layer, no extra layer")
  func legacy() throws {
    let model = try KerasTestSupport.open("lstm_small.h5")
    let lstm = try layer(model, "lstm_0")
    #expect(lstm.kind == "LSTM")
    #expect(lstm.details.contains("units=16") && lstm.details.contains("return_sequences=false"))
    #expect(lstm.tensorIndices.count == 3)
    #expect(!model.layers.contains { $0.name == "lstm_0/lstm_cell" })
  }

  @Test("flags that change the computation show only when set")
  func flags() {
    let config = KerasJSON.object([.init(key: "units", value: .number("8"), offset: 0),
                                   .init(key: "go_backwards", value: .bool(true), offset: 0),
                                   .init(key: "stateful", value: .bool(false), offset: 0)])
    let details = KerasLayerKinds.details(config, className: "LSTM")
    #expect(details.contains("go_backwards=true"))
    #expect(!details.contains { $0.hasPrefix("stateful") })
  }
}

extension KerasRecurrentLayerTests {
  @Test("Bidirectional(LSTM): the wrapped layer's facts and merge_mode; both directions' cells")
  func bidirectional() throws {
    let model = try KerasTestSupport.open("bilstm_seq.keras")
    let bi = try layer(model, "bi_0")
    #expect(bi.kind == "Bidirectional")
    #expect(bi.details.contains("layer=LSTM") && bi.details.contains("units=32"))
    #expect(bi.details.contains("return_sequences=true") && bi.details.contains("merge_mode=concat"))
    let names = Set(bi.tensorIndices.map { model.tensors[$0].name })
    #expect(names.count == 6)
    #expect(names.contains("bi_0/forward_layer/cell/kernel") && names.contains("bi_0/backward_layer/cell/recurrent_kernel"))
    #expect(bi.tensorIndices.allSatisfy { model.tensors[$0].op == "LSTMCell" })
  }
}
