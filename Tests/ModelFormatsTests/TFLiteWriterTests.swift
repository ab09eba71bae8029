import Foundation
import Testing
import TensorCore
@testable import ModelFormats

@Suite struct TFLiteWriterTests {
  typealias S = TFLiteTestSupport

  @Test("tflite-default matches the converter's Optimize.DEFAULT output op for op", arguments: ["conv", "gather_matmul"])
  func dynamicRangePreset(name: String) throws {
    let model = try TFLiteFormat.open(path: try S.fixture("\(name).tflite"))
    let (path, notes) = try S.write(model, TFLitePresets.dynamicRange(model))
    #expect(notes.isEmpty)
    let ours = try TFLiteFile.parse(path: path)
    let theirs = try TFLiteFile.parse(path: try S.fixture("\(name).default.tflite"))
    #expect(S.view(ours) == S.view(theirs))
    #expect(ours.minRuntimeVersion == theirs.minRuntimeVersion)
  }

  @Test("tflite-float16 matches the converter's float16 output op for op", arguments: ["conv", "gather_matmul"])
  func float16Preset(name: String) throws {
    let model = try TFLiteFormat.open(path: try S.fixture("\(name).tflite"))
    let (path, _) = try S.write(model, TFLitePresets.float16(model))
    let ours = try TFLiteFile.parse(path: path)
    let theirs = try TFLiteFile.parse(path: try S.fixture("\(name).float16.tflite"))
    #expect(S.view(ours) == S.view(theirs))
    #expect(ours.minRuntimeVersion == theirs.minRuntimeVersion)
  }
}

@Suite struct TFLiteRoundTripTests {
  typealias S = TFLiteTestSupport

  static let schemes: [(String, @Sendable (ModelTensor) -> QuantEncoding)] = [
    ("f16", { _ in .float16 }),
    ("int8", { S.scheme(8, .channel(axis: $0.channelAxis)) }),
    ("int8-tensor", { _ in S.scheme(8, .tensor) }),
    ("int8-asym", { _ in S.scheme(8, .tensor, asym: true) }),
    ("int4", { S.scheme(4, .channel(axis: $0.channelAxis)) }),
  ]

  @Test("each scheme writes, re-reads, and dequantizes close to the float weights",
        arguments: ["f16", "int8", "int8-tensor", "int8-asym", "int4"], ["conv", "gather_matmul"])
  func roundTrip(scheme: String, fixture: String) throws {
    let model = try TFLiteFormat.open(path: try S.fixture("\(fixture).tflite"))
    let make = try #require(Self.schemes.first { $0.0 == scheme }?.1)
    let requests = model.tensors.enumerated().filter { $0.element.isQuantizable }.map {
      TensorWriteRequest(tensorIndex: $0.offset, encoding: make($0.element))
    }
    #expect(!requests.isEmpty)
    let (path, notes) = try S.write(model, requests, name: "\(fixture)-\(scheme).tflite")
    #expect(notes.isEmpty)
    if let folder = ProcessInfo.processInfo.environment["QSCOPE_TFLITE_EXPORT"] {
      try? FileManager.default.copyItem(atPath: path, toPath: "\(folder)/\(fixture)-\(scheme).tflite")
    }
    let reread = try TFLiteFormat.open(path: path)
    for request in requests {
      let before = model.tensors[request.tensorIndex]
      let after = try #require(reread.tensors.first { $0.name == before.name })
      #expect(after.shape == before.shape)
      let expected: DType = scheme == "f16" ? .f16 : scheme == "int4" ? .i4 : .i8
      #expect(after.dtype == expected)
      let x = S.floats(before), y = S.floats(after)
      let amax = x.map(abs).max() ?? 0
      let bound: Float = scheme == "int4" ? amax / 7 : scheme == "f16" ? amax / 1000 : amax / 100
      let error = zip(x, y).map { abs($0 - $1) }.max() ?? 0
      #expect(error <= bound, "\(before.name): max error \(error) > \(bound)")
      #expect(after.op == before.op && after.role == before.role)
    }
  }

  @Test("depthwise per-tensor int8 goes through DEQUANTIZE; per-channel runs hybrid")
  func depthwiseRouting() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.tflite"))
    let dw = try #require(model.tensors.firstIndex { $0.op == "DEPTHWISE_CONV_2D" && $0.role == .weight })
    for (encoding, viaDequantize) in [(S.scheme(8, .tensor), true), (S.scheme(8, .channel(axis: 3)), false)] {
      let (path, _) = try S.write(model, [TensorWriteRequest(tensorIndex: dw, encoding: encoding)])
      let view = S.view(try TFLiteFile.parse(path: path))
      let op = try #require(view.first { $0.name == "DEPTHWISE_CONV_2D" })
      #expect(op.inputs[1].hasPrefix("dq(") == viaDequantize)
      #expect(op.version == (viaDequantize ? 1 : 6))
    }
  }

  @Test("already-quantized weights restore to f32 and the model returns to float op versions")
  func restoreToFloat() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.default.tflite"))
    let requests = model.tensors.enumerated().filter { $0.element.dtype == .i8 }.map {
      TensorWriteRequest(tensorIndex: $0.offset, encoding: .float32)
    }
    #expect(requests.count == 2)
    let (path, _) = try S.write(model, requests)
    let file = try TFLiteFile.parse(path: path)
    #expect(S.view(file).allSatisfy { $0.version == 1 })
    #expect(file.minRuntimeVersion == "1.6.0")
    let reread = try TFLiteFormat.open(path: path)
    #expect(!reread.tensors.contains { $0.dtype == .i8 })
  }

  @Test("float16 weights behind DEQUANTIZE requantize to hybrid int8 and the DEQUANTIZE goes away")
  func float16ToInt8() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.float16.tflite"))
    let fc = try #require(model.tensors.firstIndex { $0.op == "FULLY_CONNECTED" && $0.role == .weight })
    let before = try TFLiteFile.parse(path: model.path).subgraphs[0].operators.count
    let (path, _) = try S.write(model, [TensorWriteRequest(tensorIndex: fc, encoding: S.scheme(8, .channel(axis: 0)))])
    let file = try TFLiteFile.parse(path: path)
    #expect(file.subgraphs[0].operators.count == before - 1)
    let view = S.view(file)
    #expect(view.filter { $0.name == "FULLY_CONNECTED" }.allSatisfy { $0.version == 12 })
  }

  @Test("a shared buffer is split: the other user keeps its float bytes")
  func sharedBuffer() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("shared.tflite"))
    // The converter keeps one kernel tensor read by both layers; with a twin it would be two tensors
    // on one buffer. Either way the rewritten file must verify and the int8 weight must be read
    // by both FULLY_CONNECTED ops.
    let kernel = try #require(model.tensors.firstIndex { $0.op == "FULLY_CONNECTED" && $0.role == .weight })
    let (path, _) = try S.write(model, [TensorWriteRequest(tensorIndex: kernel, encoding: S.scheme(8, .channel(axis: 0)))])
    let view = S.view(try TFLiteFile.parse(path: path))
    #expect(view.filter { $0.name == "FULLY_CONNECTED" }.count == 2)
    #expect(view.allSatisfy { $0.inputs[1].hasPrefix("9[48, 48]") })
  }

  @Test("weights we cannot rewrite are kept with a warning naming them")
  func sparseKept() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("sparse.tflite"))
    let index = try #require(model.tensors.firstIndex { $0.note?.contains("sparse") == true })
    let decision = TFLiteFormat.canStore(S.scheme(8, .tensor), tensor: model.tensors[index], in: model)
    #expect(!decision.isStorable)
    let (path, notes) = try S.write(model, [TensorWriteRequest(tensorIndex: index, encoding: S.scheme(8, .tensor))])
    #expect(notes.count == 1 && notes[0].contains(model.tensors[index].name))
    #expect(FileManager.default.fileExists(atPath: path))
  }

  @Test("encodings TFLite cannot hold are refused with a reason")
  func canStore() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.tflite"))
    let weight = try #require(model.tensors.first { $0.op == "FULLY_CONNECTED" && $0.role == .weight })
    #expect(TFLiteFormat.canStore(.float16, tensor: weight, in: model) == .storable)
    #expect(TFLiteFormat.canStore(S.scheme(4, .channel(axis: 0)), tensor: weight, in: model) == .storable)
    for encoding: QuantEncoding in [.bfloat16, .blocks(.q4_0), S.scheme(4, .group(size: 32))] {
      #expect(!TFLiteFormat.canStore(encoding, tensor: weight, in: model).isStorable)
    }
  }

  @Test("bad engine output is an error and nothing is written")
  func badQuantizedData() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.tflite"))
    let index = try #require(model.tensors.firstIndex { $0.op == "FULLY_CONNECTED" && $0.role == .weight })
    let path = S.temporaryPath("never.tflite")
    let broken: QuantizedDataProvider = { tensor, encoding in
      var data = try S.provider(tensor, encoding)
      data.scales.removeLast()
      return data
    }
    #expect(throws: FormatError.self) {
      _ = try TFLiteFormat.write(model, requests: [TensorWriteRequest(tensorIndex: index, encoding: S.scheme(8, .channel(axis: 0)))],
                                 provider: broken, to: path, options: WriteOptions())
    }
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test("the preset comparison can fail: a float model differs from the converter's int8 one")
  func viewDiscriminates() throws {
    let float = S.view(try TFLiteFile.parse(path: try S.fixture("conv.tflite")))
    let int8 = S.view(try TFLiteFile.parse(path: try S.fixture("conv.default.tflite")))
    #expect(float != int8)
    #expect(float.map(\.name) == int8.map(\.name))
  }
}

@Suite struct TFLiteAsymmetricRoutingTests {
  @Test("int8-asym always goes through DEQUANTIZE, even when a zero point happens to be 0")
  func asymmetricNeverHybrid() throws {
    let model = try TFLiteFormat.open(path: try TFLiteTestSupport.fixture("conv.tflite"))
    let requests = model.tensors.enumerated().filter { $0.element.isQuantizable }.map {
      TensorWriteRequest(tensorIndex: $0.offset, encoding: TFLiteTestSupport.scheme(8, .tensor, asym: true))
    }
    let (path, _) = try TFLiteTestSupport.write(model, requests)
    let view = TFLiteTestSupport.view(try TFLiteFile.parse(path: path))
    for op in view where ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"].contains(op.name) {
      #expect(op.inputs[1].hasPrefix("dq(v2)>"), "\(op.name) reads \(op.inputs[1])")
      #expect(op.version == 1)
    }
  }
}
