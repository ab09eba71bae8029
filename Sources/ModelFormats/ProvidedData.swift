import TensorCore

/// The writers' one way to run a ``QuantizedDataProvider``.
enum ProvidedData {
  /// Runs the provider for one tensor and checks that what came back matches the request; an
  /// engine error becomes a ``FormatError/cannotStore(file:tensor:reason:)`` naming the tensor.
  static func quantize(
    _ tensor: ModelTensor, encoding: QuantEncoding, provider: QuantizedDataProvider, path: String
  ) throws(FormatError) -> QuantizedData {
    let data: QuantizedData
    do { data = try provider(tensor, encoding) } catch let error as FormatError { throw error } catch {
      throw .cannotStore(file: path, tensor: tensor.name, reason: "quantizing failed: \(error)")
    }
    guard data.encoding == encoding, data.shape == tensor.shape else {
      throw .cannotStore(
        file: path, tensor: tensor.name,
        reason: "the engine returned \(data.encoding) \(data.shape) for \(encoding) \(tensor.shape)")
    }
    return data
  }
}
