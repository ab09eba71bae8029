import TensorCore

extension SafetensorsFormat.EncodedCache {
  typealias Piece = SafetensorsFormat.OutputTensor.Piece

  /// The float re-encoding of a tensor (written as soon as it is produced, so nothing is kept).
  mutating func cast(
    _ index: Int, model: Model, encoding: QuantEncoding?, provider: QuantizedDataProvider, path: String
  ) throws(FormatError) -> [UInt8] {
    let tensor = model.tensors[index]
    guard let encoding else { throw .cannotStore(file: path, tensor: tensor.name, reason: "no encoding requested") }
    let data = try ProvidedData.quantize(tensor, encoding: encoding, provider: provider, path: path)
    return data.values
  }

  /// One compressed-tensors piece of a tensor; the provider runs on the first piece asked for and
  /// the other pieces wait here until they are written.
  mutating func piece(
    _ piece: Piece, of index: Int, model: Model, encoding: QuantEncoding?, provider: QuantizedDataProvider, path: String
  ) throws(FormatError) -> [UInt8] {
    if pieces[index] == nil {
      let tensor = model.tensors[index]
      guard case let .linear(linear)? = encoding else {
        throw .cannotStore(file: path, tensor: tensor.name, reason: "no linear encoding requested")
      }
      let data = try ProvidedData.quantize(tensor, encoding: .linear(linear), provider: provider, path: path)
      pieces[index] = try Self.pack(data, linear: linear, tensor: tensor, path: path)
    }
    guard let bytes = pieces[index]?.removeValue(forKey: piece) else {
      throw .cannotStore(file: path, tensor: model.tensors[index].name, reason: "missing \(piece) data")
    }
    if pieces[index]?.isEmpty == true { pieces[index] = nil }
    return bytes
  }

  /// Packs linear-quantized values into the compressed-tensors pieces.
  static func pack(_ data: QuantizedData, linear: LinearQuantization, tensor: ModelTensor, path: String) throws(FormatError) -> [Piece: [UInt8]] {
    func bad(_ reason: String) -> FormatError { .cannotStore(file: path, tensor: tensor.name, reason: reason) }
    let rows = tensor.shape[0], columns = tensor.shape[1]
    let scaleShape = SafetensorsFormat.scaleShape(rows: rows, columns: columns, granularity: linear.granularity)
    let scaleCount = Shape.elementCount(scaleShape) ?? 0
    guard data.values.count == rows * columns else { throw bad("the engine returned \(data.values.count) values for \(rows * columns) elements") }
    guard data.scales.count == scaleCount else { throw bad("the engine returned \(data.scales.count) scales, expected \(scaleCount)") }
    guard data.scales.allSatisfy(\.isFinite) else { throw bad("a scale is not finite") }
    let lowest = -(1 << (linear.bits - 1)), highest = (1 << (linear.bits - 1)) - 1
    if linear.bits < 8 {
      // Values outside the bit width would silently wrap when packed.
      guard data.values.allSatisfy({ (lowest...highest).contains(Int(Int8(bitPattern: $0))) }) else {
        throw bad("a value lies outside the \(linear.bits)-bit range")
      }
    }
    var result: [Piece: [UInt8]] = [:]
    result[.packed] = CompressedTensorsPacking.bytes(of: CompressedTensorsPacking.packRows(data.values, rows: rows, columns: columns, bits: linear.bits))
    var scales = ByteWriter(reservingCapacity: scaleCount * 4)
    for scale in data.scales { scales.writeFloat32(scale) }
    result[.scale] = scales.bytes
    if linear.asymmetric {
      guard data.zeroPoints.count == scaleCount else { throw bad("the engine returned \(data.zeroPoints.count) zero points, expected \(scaleCount)") }
      guard data.zeroPoints.allSatisfy({ (lowest...highest).contains(Int($0)) }) else {
        throw bad("a zero point lies outside the \(linear.bits)-bit range")
      }
      if case .tensor = linear.granularity {
        result[.zeroPoint] = data.zeroPoints.map { UInt8(truncatingIfNeeded: $0) }
      } else {
        let words = CompressedTensorsPacking.packColumns(data.zeroPoints, rows: rows, columns: scaleShape[1], bits: linear.bits)
        result[.zeroPoint] = CompressedTensorsPacking.bytes(of: words)
      }
    } else if data.zeroPoints.contains(where: { $0 != 0 }) {
      throw bad("symmetric encoding with non-zero zero points")
    }
    return result
  }
}
