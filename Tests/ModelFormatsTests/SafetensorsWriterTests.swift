import Foundation
import Testing
import TensorCore

@testable import ModelFormats

@Suite struct SafetensorsWriterTests {
  let provider = SafetensorsReferenceQuantizer.provider
  static let int8Channel = QuantEncoding.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .channel(axis: 0), asymmetric: false))
  static let int4Group2 = QuantEncoding.linear(.init(bits: 4, qmin: -7, qmax: 7, granularity: .group(size: 2), asymmetric: false))
  static let int8Asym = QuantEncoding.linear(.init(bits: 8, qmin: -128, qmax: 127, granularity: .tensor, asymmetric: true))

  func request(_ model: Model, _ name: String, _ encoding: QuantEncoding) throws -> TensorWriteRequest {
    TensorWriteRequest(tensorIndex: try #require(model.tensorIndex(named: name)), encoding: encoding)
  }

  func tensor(_ model: Model, _ name: String) throws -> ModelTensor {
    try #require(model.tensors.first { $0.name == name })
  }

  @Test("writing with no requests reproduces a reference-layout file byte for byte")
  func identityRoundTrip() throws {
    let input = try SafetensorsFixtures.writeModel()
    let model = try SafetensorsFormat.open(path: input)
    let output = try SafetensorsFixtures.makeFolder() + "/copy.safetensors"
    let notes = try SafetensorsFormat.write(model, requests: [], provider: provider, to: output, options: .init())
    #expect(notes.isEmpty)
    #expect(try SafetensorsFixtures.read(output) == SafetensorsFixtures.read(input))
  }

  @Test("the header is padded with spaces to a multiple of 8 and tensors are ordered by dtype size, then name")
  func referenceLayout() throws {
    let path = try SafetensorsFixtures.writeModel()
    let bytes = try SafetensorsFixtures.read(path)
    let length = Int(bytes[0]) | Int(bytes[1]) << 8
    #expect(length % 8 == 0)
    let text = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    #expect(text.hasPrefix("{\"__metadata__\":{\"format\":\"pt\"},\"num_batches_tracked\""))
    let model = try SafetensorsFormat.open(path: path)
    #expect(model.tensors.map(\.name) == [
      "num_batches_tracked", "conv1.weight", "embeddings.word_embeddings.weight", "empty.weight",
      "encoder.layer.0.attention.self.query.bias", "encoder.layer.0.attention.self.query.weight",
      "encoder.layer.0.LayerNorm.weight", "encoder.layer.0.output.dense.weight", "lm_head.weight",
    ])
  }

  @Test("float casts store F16/BF16/F32 values and leave other tensors byte-identical")
  func floatCasts() throws {
    let input = try SafetensorsFixtures.writeModel()
    let model = try SafetensorsFormat.open(path: input)
    let output = try SafetensorsFixtures.makeFolder() + "/half.safetensors"
    let requests = [
      try request(model, "encoder.layer.0.attention.self.query.weight", .float16),
      try request(model, "conv1.weight", .bfloat16),
      try request(model, "lm_head.weight", .float32),
    ]
    _ = try SafetensorsFormat.write(model, requests: requests, provider: provider, to: output, options: .init())
    let written = try SafetensorsFormat.open(path: output)
    let query = try tensor(written, "encoder.layer.0.attention.self.query.weight")
    let source = SafetensorsReferenceQuantizer.decode(try tensor(model, query.name))
    #expect(query.dtype == .f16 && Array(query.location.bytes) == SafetensorsFixtures.float16Bytes(source))
    #expect(try tensor(written, "conv1.weight").dtype == .bf16)
    let head = try tensor(written, "lm_head.weight")
    let original = try tensor(model, "lm_head.weight")
    #expect(head.dtype == .f32)
    #expect(SafetensorsReferenceQuantizer.decode(head) == SafetensorsReferenceQuantizer.decode(original))
    for name in ["embeddings.word_embeddings.weight", "encoder.layer.0.LayerNorm.weight", "num_batches_tracked"] {
      #expect(Array(try tensor(written, name).location.bytes) == Array(try tensor(model, name).location.bytes))
    }
    #expect(written.metadata == model.metadata)
  }

  /// Decodes a written compressed-tensors module back to (q, scales, zero points, shape).
  func unpack(_ model: Model, module: String, bits: Int) throws -> (q: [Int32], scales: [Float], zp: [Int32], shape: [Int]) {
    let shapeTensor = try tensor(model, module + ".weight_shape")
    var reader = ByteReader(shapeTensor.location.bytes)
    let shape = [Int(try reader.read(Int64.self)), Int(try reader.read(Int64.self))]
    let packed = try tensor(model, module + ".weight_packed")
    #expect(packed.dtype == .i32 && packed.shape == [shape[0], CompressedTensorsPacking.wordCount(values: shape[1], bits: bits)])
    var wordsReader = ByteReader(packed.location.bytes)
    let words = try (0..<packed.elementCount).map { _ in try wordsReader.read(UInt32.self) }
    let perRow = packed.shape[1]
    let q = (0..<shape[0]).flatMap { row in
      CompressedTensorsPacking.unpack(words[(row * perRow)..<((row + 1) * perRow)], count: shape[1], bits: bits)
    }
    let scale = try tensor(model, module + ".weight_scale")
    #expect(scale.dtype == .f32)
    let scales = SafetensorsReferenceQuantizer.decode(scale)
    let zpTensor = model.tensors.first { $0.name == module + ".weight_zero_point" }
    let zp = zpTensor.map { t in Array(t.location.bytes).map { Int32(Int8(bitPattern: $0)) } } ?? []
    return (q, scales, zp, shape)
  }

  @Test("int8 per channel and int4 per group are stored as compressed-tensors pack-quantized")
  func packsLinear() throws {
    let input = try SafetensorsFixtures.writeModel()
    try SafetensorsFixtures.write(Array("{\"model_type\": \"bert\", \"hidden_size\": 4}".utf8), to: SafetensorsFormat.folder(of: input) + "/config.json")
    let model = try SafetensorsFormat.open(path: input)
    let outFolder = try SafetensorsFixtures.makeFolder()
    let output = outFolder + "/q.safetensors"
    let requests = [
      try request(model, "encoder.layer.0.attention.self.query.weight", Self.int8Channel),
      try request(model, "encoder.layer.0.output.dense.weight", Self.int4Group2),
    ]
    let notes = try SafetensorsFormat.write(model, requests: requests, provider: provider, to: output, options: .init())
    let written = try SafetensorsFormat.open(path: output)
    #expect(written.tensorIndex(named: "encoder.layer.0.attention.self.query.weight") == nil)
    #expect(written.notes.contains("contains compressed-tensors packed weights (shown as stored I32 words)"))

    let query = try tensor(model, "encoder.layer.0.attention.self.query.weight")
    let expected = SafetensorsReferenceQuantizer.provider
    let reference = try expected(query, Self.int8Channel)
    let got = try unpack(written, module: "encoder.layer.0.attention.self.query", bits: 8)
    #expect(got.shape == [4, 4])
    #expect(got.q == reference.values.map { Int32(Int8(bitPattern: $0)) })
    #expect(got.scales == reference.scales)
    #expect(try tensor(written, "encoder.layer.0.attention.self.query.weight_scale").shape == [4, 1])

    let dense = try tensor(model, "encoder.layer.0.output.dense.weight")
    let denseReference = try expected(dense, Self.int4Group2)
    let denseGot = try unpack(written, module: "encoder.layer.0.output.dense", bits: 4)
    #expect(denseGot.q == denseReference.values.map { Int32(Int8(bitPattern: $0)) })
    #expect(denseGot.scales == denseReference.scales)
    #expect(try tensor(written, "encoder.layer.0.output.dense.weight_scale").shape == [3, 2])
    #expect(written.tensorIndex(named: "encoder.layer.0.output.dense.weight_zero_point") == nil)

    let config = try SafetensorsFormat.readJSONFile(outFolder + "/config.json")
    #expect(config["model_type"] == .string("bert"))
    let quantization = try #require(config["quantization_config"])
    #expect(quantization["quant_method"] == .string("compressed-tensors"))
    #expect(quantization["format"] == .string("pack-quantized"))
    let group0 = try #require(quantization["config_groups"]?["group_0"])
    #expect(group0["targets"] == .array([.string("encoder.layer.0.attention.self.query")]))
    #expect(group0["weights"]?["strategy"] == .string("channel"))
    #expect(group0["weights"]?["num_bits"] == .number("8"))
    let group1 = try #require(quantization["config_groups"]?["group_1"])
    #expect(group1["weights"]?["group_size"] == .number("2"))
    #expect(group1["targets"] == .array([.string("encoder.layer.0.output.dense")]))
    #expect(quantization["ignore"] == .array([.string("empty"), .string("lm_head")]))
    #expect(notes.contains { $0.hasPrefix("wrote \(outFolder)/config.json") })
    #expect(notes.contains { $0.hasPrefix("int weight scales are stored as F32") })  // output.dense is BF16
  }

  @Test("asymmetric per-tensor int8 stores an unpacked I8 zero point")
  func asymmetricTensor() throws {
    let model = try SafetensorsFormat.open(path: SafetensorsFixtures.writeModel())
    let output = try SafetensorsFixtures.makeFolder() + "/a.safetensors"
    let name = "encoder.layer.0.attention.self.query.weight"
    let notes = try SafetensorsFormat.write(model, requests: [try request(model, name, Self.int8Asym)], provider: provider, to: output, options: .init())
    #expect(notes.contains { $0.hasPrefix("no config.json beside the input") })
    let written = try SafetensorsFormat.open(path: output)
    let reference = try provider(try tensor(model, name), Self.int8Asym)
    let got = try unpack(written, module: "encoder.layer.0.attention.self.query", bits: 8)
    #expect(try tensor(written, "encoder.layer.0.attention.self.query.weight_zero_point").dtype == .i8)
    #expect(got.zp == reference.zeroPoints && got.scales == reference.scales && got.scales.count == 1)
  }

  @Test("canStore: only 2-D float *.weight tensors take int encodings; ggml blocks never")
  func storeDecisions() throws {
    let model = try SafetensorsFormat.open(path: SafetensorsFixtures.writeModel())
    func decide(_ name: String, _ encoding: QuantEncoding) throws -> StoreDecision {
      SafetensorsFormat.canStore(encoding, tensor: try tensor(model, name), in: model)
    }
    #expect(try decide("encoder.layer.0.attention.self.query.weight", Self.int8Channel) == .storable)
    #expect(try decide("encoder.layer.0.attention.self.query.weight", .blocks(.q4_0)) == .notStorable(reason: "ggml block types are stored in GGUF, not safetensors"))
    #expect(try decide("conv1.weight", Self.int8Channel) == .notStorable(reason: "compressed-tensors stores int weights of 2-D Linear layers only; this tensor is 4-D"))
    #expect(try decide("encoder.layer.0.attention.self.query.bias", Self.int4Group2) == .notStorable(reason: "compressed-tensors stores int weights of 2-D Linear layers only; this tensor is 1-D"))
    #expect(try decide("conv1.weight", .float16) == .storable)
    let twoBits = QuantEncoding.linear(.init(bits: 2, qmin: -1, qmax: 1, granularity: .tensor, asymmetric: false))
    #expect(try decide("encoder.layer.0.output.dense.weight", twoBits) == .notStorable(reason: "compressed-tensors pack-quantized is written with 4 or 8 bits only, not 2"))
    let axis1 = QuantEncoding.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .channel(axis: 1), asymmetric: false))
    #expect(try decide("encoder.layer.0.output.dense.weight", axis1) == .notStorable(reason: "per-channel scales must run along axis 0 (output rows), not axis 1"))
    let loaderReason = "compressed-tensors loaders (vLLM) take int weights for Linear layers only; embeddings and lm_head stay float"
    #expect(try decide("lm_head.weight", Self.int8Channel) == .notStorable(reason: loaderReason))
    #expect(try decide("embeddings.word_embeddings.weight", Self.int8Channel) == .notStorable(reason: loaderReason))
    #expect(try decide("lm_head.weight", .bfloat16) == .storable)
    #expect(try decide("num_batches_tracked", Self.int8Channel) == .notStorable(reason: "only float weights are quantized; this tensor is I64"))
  }

  @Test("the writer refuses to overwrite its input or an existing file without overwrite")
  func refusesOverwrite() throws {
    let input = try SafetensorsFixtures.writeModel()
    let model = try SafetensorsFormat.open(path: input)
    #expect(throws: FormatError.io(.wouldOverwriteInput(path: input))) {
      try SafetensorsFormat.write(model, requests: [], provider: provider, to: input, options: .init(overwrite: true))
    }
    let other = try SafetensorsFixtures.writeModel()
    #expect(throws: FormatError.io(.exists(path: other))) {
      try SafetensorsFormat.write(model, requests: [], provider: provider, to: other, options: .init())
    }
    _ = try SafetensorsFormat.write(model, requests: [], provider: provider, to: other, options: .init(overwrite: true))
    #expect(try SafetensorsFixtures.read(other) == SafetensorsFixtures.read(input))
  }

  @Test("a failed write leaves neither the output nor a temporary file")
  func failureLeavesNothing() throws {
    let model = try SafetensorsFormat.open(path: SafetensorsFixtures.writeModel())
    let folder = try SafetensorsFixtures.makeFolder()
    let output = folder + "/fail.safetensors"
    let requests = [try request(model, "encoder.layer.0.output.dense.weight", Self.int8Channel)]
    #expect(throws: FormatError.io(.cannotWrite(path: output, reason: "No space left on device"))) {
      try SafetensorsFormat.write(model, requests: requests, provider: provider, to: output, options: .init(injectedFailureAfterBytes: 64))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
  }

  @Test("engine output that does not match the request is refused before anything is committed")
  func badProviderOutput() throws {
    let model = try SafetensorsFormat.open(path: SafetensorsFixtures.writeModel())
    let folder = try SafetensorsFixtures.makeFolder()
    let output = folder + "/bad.safetensors"
    let lying: QuantizedDataProvider = { tensor, encoding in
      var data = try SafetensorsReferenceQuantizer.provider(tensor, encoding)
      data.scales.removeLast()
      return data
    }
    let name = "encoder.layer.0.attention.self.query.weight"
    #expect(throws: FormatError.cannotStore(file: output, tensor: name, reason: "the engine returned 3 scales, expected 4")) {
      try SafetensorsFormat.write(model, requests: [try request(model, name, Self.int8Channel)], provider: lying, to: output, options: .init())
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
  }

  @Test("a sharded input is written as one file, with a note")
  func shardedToSingle() throws {
    let folder = try SafetensorsShardTests().makeShards()
    let model = try SafetensorsFormat.open(path: folder + "/model.safetensors.index.json")
    let output = try SafetensorsFixtures.makeFolder() + "/one.safetensors"
    let notes = try SafetensorsFormat.write(model, requests: [], provider: provider, to: output, options: .init())
    #expect(notes == ["the 2 input shards were written as one file"])
    let written = try SafetensorsFormat.open(path: output)
    #expect(Set(written.tensors.map(\.name)) == Set(model.tensors.map(\.name)))
  }

  @Test("cancellation stops the write and leaves nothing; progress ends at the file size")
  func cancellationAndProgress() throws {
    let model = try SafetensorsFormat.open(path: SafetensorsFixtures.writeModel())
    let folder = try SafetensorsFixtures.makeFolder()
    let token = CancellationToken()
    token.cancel()
    #expect(throws: FormatError.io(.cannotWrite(path: folder + "/c.safetensors", reason: "cancelled"))) {
      try SafetensorsFormat.write(model, requests: [], provider: provider, to: folder + "/c.safetensors", options: .init(cancellation: token))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    let updates = ProgressLog()
    let output = folder + "/p.safetensors"
    _ = try SafetensorsFormat.write(model, requests: [], provider: provider, to: output, options: .init(progress: { updates.append($0) }))
    let last = try #require(updates.all.last)
    let size = try SafetensorsFixtures.read(output).count
    #expect(last.completed == last.total)
    #expect(last.total == size)
    #expect(updates.all.count == model.tensors.count)
  }
}

/// Collects progress updates from the writer's callback.
final class ProgressLog: @unchecked Sendable {
  private var updates: [ProgressUpdate] = []
  private let lock = NSLock()
  func append(_ update: ProgressUpdate) { lock.lock(); updates.append(update); lock.unlock() }
  var all: [ProgressUpdate] { lock.lock(); defer { lock.unlock() }; return updates }
}
