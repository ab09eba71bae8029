import Foundation
import TensorCore

extension TFLiteFormat {
  public static func canStore(_ encoding: QuantEncoding, tensor: ModelTensor, in model: Model) -> StoreDecision {
    if let reason = encodingProblem(encoding) { return .notStorable(reason: reason) }
    guard let context = model.formatContext as? TFLiteContext,
      let index = model.tensors.firstIndex(where: { $0.name == tensor.name && $0.location.offset == tensor.location.offset }),
      index < context.tensorRefs.count
    else { return .notStorable(reason: "the tensor is not part of this TFLite model") }
    let ref = context.tensorRefs[index]
    let rewriter = TFLiteRewriter(file: context.file)
    if let reason = rewriter.unsupportedReason(ref.subgraph, ref.tensor, encoding: encoding) { return .notStorable(reason: reason) }
    if case let .linear(linear) = encoding, case let .channel(axis) = linear.granularity {
      guard axis >= 0, axis < tensor.shape.count else {
        return .notStorable(reason: "channel axis \(axis) does not exist in shape \(Shape.describe(tensor.shape))")
      }
    }
    return .storable
  }

  /// Why TFLite cannot hold an encoding at all, or nil.
  static func encodingProblem(_ encoding: QuantEncoding) -> String? {
    switch encoding {
    case .float32, .float16: return nil
    case .bfloat16:
      return "LiteRT has no bfloat16 weight path (DEQUANTIZE takes int8, int4, int16 and float16)"
    case .blocks:
      return "TFLite has no ggml block types"
    case let .linear(linear):
      if case .group = linear.granularity {
        return "TFLite stores one scale per tensor or per channel; group-wise scales need a blockwise format LiteRT's builtin kernels do not read"
      }
      switch linear.bits {
      case 8:
        guard linear.qmin >= -128, linear.qmax <= 127 else { return "int8 values must lie in [-128, 127]" }
      case 4:
        guard !linear.asymmetric else { return "int4 weights must be symmetric (zero point 0)" }
        guard linear.qmin >= -8, linear.qmax <= 7 else { return "int4 values must lie in [-8, 7]" }
      default:
        return "TFLite stores 8- or 4-bit integer weights, not \(linear.bits)-bit"
      }
      return nil
    }
  }

  public static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions
  ) throws(FormatError) -> [String] {
    let forced = ProcessInfo.processInfo.environment["QSCOPE_TFLITE_BUFFER_OFFSETS"] == "1"
    return try write(model, requests: requests, provider: provider, to: path, options: options,
                     placement: forced ? .afterFlatBuffer : .automatic)
  }

  static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions, placement: TFLiteBufferPlacement, serializer configure: (inout TFLiteSerializer) -> Void = { _ in }
  ) throws(FormatError) -> [String] {
    guard let context = model.formatContext as? TFLiteContext else {
      throw .unsupported(file: model.path, what: "model", reason: "it was not opened as a TFLite file")
    }
    var rewriter = TFLiteRewriter(file: context.file)
    var notes: [String] = []
    var rewritten: Set<Int> = []
    var requested: [[Int]: QuantEncoding] = [:]
    for request in requests where request.tensorIndex >= 0 && request.tensorIndex < context.tensorRefs.count {
      let ref = context.tensorRefs[request.tensorIndex]
      requested[[ref.subgraph, ref.tensor]] = request.encoding
    }
    let incomplete = rewriter.incompleteRecurrentGroups(requested)
    for (n, request) in requests.enumerated() {
      if options.cancellation?.isCancelled == true { throw .io(.cannotWrite(path: path, reason: "cancelled")) }
      guard request.tensorIndex >= 0, request.tensorIndex < model.tensors.count, request.tensorIndex < context.tensorRefs.count else {
        throw .cannotStore(file: path, tensor: "#\(request.tensorIndex)", reason: "no such tensor")
      }
      let tensor = model.tensors[request.tensorIndex]
      let ref = context.tensorRefs[request.tensorIndex]
      if let reason = encodingProblem(request.encoding) ?? incomplete[[ref.subgraph, ref.tensor]]
        ?? rewriter.unsupportedReason(ref.subgraph, ref.tensor, encoding: request.encoding) {
        notes.append("warning: kept tensor '\(tensor.name)' unchanged: \(reason)")
        continue
      }
      if rewriter.isNoOp(ref.subgraph, ref.tensor, encoding: request.encoding) { continue }
      let data = try ProvidedData.quantize(tensor, encoding: request.encoding, provider: provider, path: path)
      let weight = try storedWeight(data, tensor: tensor, file: path)
      rewriter.rewrite(ref.subgraph, ref.tensor, to: weight)
      rewritten.insert(request.tensorIndex)
      options.progress?(ProgressUpdate(completed: n + 1, total: requests.count, item: tensor.name))
    }
    let tree = rewriter.finish()
    var serializer = TFLiteSerializer(file: context.file, path: path)
    configure(&serializer)
    let output = try serializer.serialize(tree, placement: placement)
    notes += output.notes
    try commit(output, to: path, model: model, context: context, rewritten: rewritten, options: options)
    return notes
  }

  /// Writes through a temp file, re-reads it with our own verifier, checks every untouched
  /// constant kept its bytes, then renames it into place.
  static func commit(
    _ output: TFLiteSerialized, to path: String, model: Model, context: TFLiteContext, rewritten: Set<Int>,
    options: WriteOptions
  ) throws(FormatError) {
    do throws(FileError) {
      try AtomicFileWriter.writeVerified(
        to: path, inputs: [model.path], overwrite: options.overwrite, injectedFailureAfterBytes: options.injectedFailureAfterBytes,
        write: { writer throws(FileError) in
          try writer.write(output.flatBuffer)
          var written = output.flatBuffer.count
          for blob in output.blobs {
            try writer.write([UInt8](repeating: 0, count: blob.offset - written))
            switch blob.bytes {
            case let .owned(array): try writer.write(array)
            case .source:
              guard let raw = blob.bytes.resolve(in: context.file.file.bytes) else {
                throw FileError.cannotWrite(path: path, reason: "a constant buffer lies outside the input file")
              }
              try writer.write(raw)
            }
            written = blob.offset + blob.bytes.count
          }
          try writer.write([UInt8](repeating: 0, count: output.totalSize - written))
        },
        verify: { temporary throws(FormatError) in
          let reread = try TFLiteFile.parse(path: temporary)
          try verify(reread, against: context, model: model, rewritten: rewritten, path: path)
        })
    } catch { throw .io(error) }
  }

  static func verify(
    _ written: TFLiteFile, against context: TFLiteContext, model: Model, rewritten: Set<Int>, path: String
  ) throws(FormatError) {
    let original = context.file
    guard written.subgraphs.count == original.subgraphs.count, written.signatures.count == original.signatures.count,
      written.metadata.count == original.metadata.count
    else { throw .invalid(file: path, what: "rewritten model", offset: nil, reason: "subgraphs, signatures or metadata changed") }
    for (index, ref) in context.tensorRefs.enumerated() where !rewritten.contains(index) {
      let sg = written.subgraphs[ref.subgraph]
      guard ref.tensor < sg.tensors.count else {
        throw .invalid(file: path, what: "rewritten model", offset: nil, reason: "tensor \(ref.tensor) is missing")
      }
      let range = written.buffers[sg.tensors[ref.tensor].buffer]
      let before = model.tensors[index].location.bytes
      guard let after = try? written.file.slice(offset: range.offset, count: range.count), Self.same(after, before) else {
        throw .badTensor(file: path, tensor: model.tensors[index].name, offset: range.offset,
                         reason: "bytes changed although the tensor was not rewritten")
      }
    }
  }

  /// Byte equality with memcmp: the check covers every untouched constant, which for a large
  /// model is gigabytes (a generic element loop is slow in debug builds).
  static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0, let x = a.baseAddress, let y = b.baseAddress else { return true }
    return memcmp(x, y, a.count) == 0
  }
}
