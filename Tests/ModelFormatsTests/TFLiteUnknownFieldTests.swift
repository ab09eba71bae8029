import Foundation
import Testing
import TensorCore
@testable import ModelFormats

/// unknown_fields.tflite (scripts/make-tflite-unknown-fixture.py) is conv.tflite plus fields and a
/// union member newer than our schema: Model field 15 → unknown table {string, int 777};
/// MEAN (op 3) field 20 → string, builtin_options of union type 250 → table {int 4242};
/// FULLY_CONNECTED (op 4) field 21 = 12345.
@Suite struct TFLiteUnknownFieldTests {
  typealias S = TFLiteTestSupport
  static let raw = FlatBufferSchema(specs: ["Unknown": "S 4", "UnknownOptions": "4"], unions: [:])

  /// Follows the uoffset at `position` and decodes the table or string there.
  func table(at position: Int, in file: TFLiteFile, type: String = "Unknown") throws -> FlatBufferTable {
    let bytes = file.file.bytes
    let value = try ByteReader(bytes).peek(UInt32.self, at: position)
    var decoder = FlatBufferDecoder(bytes: bytes, schema: Self.raw)
    return try decoder.decodeTable(at: position + Int(value), type: type, depth: 1)
  }

  func string(_ table: FlatBufferTable, in file: TFLiteFile) -> String? {
    table.stringBytes(0).map { String(decoding: $0.array(in: file.file.bytes), as: UTF8.self) }
  }

  func stringAt(_ position: Int, in file: TFLiteFile) throws -> String {
    let reader = ByteReader(file.file.bytes)
    let target = position + Int(try reader.peek(UInt32.self, at: position))
    let count = Int(try reader.peek(UInt32.self, at: target))
    return String(decoding: try reader.slice(at: target + 4, count: count), as: UTF8.self)
  }

  /// The unknown data, as found in `file`.
  func unknowns(_ file: TFLiteFile) throws -> [String] {
    var found: [String] = []
    let model = try #require(file.root.unknownFields.first { $0.id == 15 })
    let unknown = try table(at: model.position, in: file)
    found.append("model: \(string(unknown, in: file) ?? "-") \(unknown.uint32(1))")
    let ops = file.root.tables(TFLiteSchema.ModelField.subgraphs)[0].tables(TFLiteSchema.SubGraphField.operators)
    let mean = try #require(ops.first { $0.uint32(TFLiteSchema.OperatorField.opcodeIndex) == file.subgraphs[0].operators[3].opcodeIndex
      && $0.unknownFieldIds.contains(20) })
    let field20 = try #require(mean.unknownFields.first { $0.id == 20 })
    found.append("mean field 20: \(try stringAt(field20.position, in: file))")
    let options = try #require(mean.unknownFields.first { $0.id == TFLiteSchema.OperatorField.options })
    #expect(options.isOffset)
    found.append("mean options type \(mean.bits(TFLiteSchema.OperatorField.optionsType) ?? 0): \(try table(at: options.position, in: file, type: "UnknownOptions").uint32(0))")
    let fc = try #require(ops.first { $0.unknownFieldIds.contains(21) })
    let field21 = try #require(fc.unknownFields.first { $0.id == 21 })
    found.append("fc field 21: \(try ByteReader(file.file.bytes).peek(UInt32.self, at: field21.position))")
    return found
  }

  @Test("the reader records unknown fields and a union member newer than the schema instead of failing")
  func reads() throws {
    let file = try TFLiteFile.parse(path: try S.fixture("unknown_fields.tflite"))
    #expect(try unknowns(file) == [
      "model: qscope-unknown-table 777", "mean field 20: qscope-unknown-operator-field", "mean options type 250: 4242",
      "fc field 21: 12345",
    ])
  }

  @Test("int8 rewrite keeps unknown fields, tables and union members byte for byte")
  func preservedOnRewrite() throws {
    let input = try S.fixture("unknown_fields.tflite")
    let model = try TFLiteFormat.open(path: input)
    let requests = model.tensors.enumerated().filter { $0.element.isQuantizable }.map {
      TensorWriteRequest(tensorIndex: $0.offset, encoding: S.scheme(8, .channel(axis: $0.element.channelAxis)))
    }
    #expect(requests.count == 5)
    let (path, notes) = try S.write(model, requests)
    let written = try TFLiteFile.parse(path: path)
    #expect(try unknowns(written) == (try unknowns(try TFLiteFile.parse(path: input))))
    #expect(notes.contains { $0.contains("kept the input's") && $0.contains("no longer used") })
    #expect(notes.contains { $0.contains("Operator field 21 (as a 4-byte scalar)") })
    #expect(notes.contains { $0.contains("Model field 15 (as an offset)") })
    #expect(!notes.contains { $0.hasPrefix("warning: dropped") })
    // The rewrite happened: int8 weights, hybrid versions.
    let view = S.view(written)
    #expect(view.filter { $0.name == "FULLY_CONNECTED" }.allSatisfy { $0.version == 12 && $0.inputs[1].hasPrefix("9[") })
    // Unchanged tables are not stored twice: the output is about the input plus the int8 weights.
    let int8Bytes = requests.reduce(0) { $0 + model.tensors[$1.tensorIndex].elementCount }
    #expect(written.file.count < model.fileBytes + int8Bytes + 4096)
  }

  @Test("the stale-bytes figure counts the replaced float weights")
  func staleBytes() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("unknown_fields.tflite"))
    let fc = try #require(model.tensors.firstIndex { $0.op == "FULLY_CONNECTED" && $0.role == .weight })
    let (_, notes) = try S.write(model, [TensorWriteRequest(tensorIndex: fc, encoding: S.scheme(8, .channel(axis: 0)))])
    let note = try #require(notes.first { $0.contains("no longer used") })
    // The replaced float kernel and the old 16-byte min_runtime_version ("1.6.0" → hybrid FC's);
    // everything else of the original is still referred to.
    #expect(note.contains("about \(model.tensors[fc].byteCount + 16) bytes"), "\(note)")
  }

  @Test("without unknown fields the rewrite stays compact")
  func compactOtherwise() throws {
    let model = try TFLiteFormat.open(path: try S.fixture("conv.tflite"))
    let fc = try #require(model.tensors.firstIndex { $0.op == "FULLY_CONNECTED" && $0.role == .weight })
    let (path, notes) = try S.write(model, [TensorWriteRequest(tensorIndex: fc, encoding: S.scheme(8, .channel(axis: 0)))])
    #expect(notes.isEmpty)
    let size = try TFLiteFile.parse(path: path).file.count
    #expect(size < model.fileBytes)
  }
}
