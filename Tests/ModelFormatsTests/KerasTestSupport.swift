import Foundation
import TensorCore
@testable import ModelFormats

/// Fixture paths and helpers for the Keras and HDF5 tests.
enum KerasTestSupport {
  static func fixture(_ name: String) throws -> String {
    guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
      throw CocoaError(.fileNoSuchFile)
    }
    return folder.appendingPathComponent("keras").appendingPathComponent(name).path
  }

  static func open(_ name: String) throws -> Model { try KerasFormat.open(path: fixture(name)) }

  static func temporaryPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qscope-keras-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
  }

  static func floats(_ tensor: ModelTensor) -> [Float] {
    FloatDecoding.decode(tensor.dtype, from: tensor.location.bytes, count: tensor.elementCount)
  }

  static func tensor(_ model: Model, _ name: String) throws -> ModelTensor {
    guard let index = model.tensorIndex(named: name) else { throw CocoaError(.fileReadNoSuchFile) }
    return model.tensors[index]
  }

  /// The Keras writer computes int8 itself; this provider must never be needed.
  static let unusedProvider: QuantizedDataProvider = { tensor, encoding in
    QuantizedData(encoding: encoding, shape: tensor.shape, values: [])
  }

  static let int8PerColumn = QuantEncoding.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .channel(axis: 1), asymmetric: false))
  static let int8PerRow = QuantEncoding.linear(.init(bits: 8, qmin: -127, qmax: 127, granularity: .channel(axis: 0), asymmetric: false))

  /// Write requests for every tensor the format says it can store in `encoding`'s family.
  static func int8Requests(_ model: Model) -> [TensorWriteRequest] {
    model.tensors.indices.compactMap { index in
      let tensor = model.tensors[index]
      guard tensor.isQuantizable else { return nil }
      let encoding = tensor.channelAxis == 0 ? int8PerRow : int8PerColumn
      return KerasFormat.canStore(encoding, tensor: tensor, in: model).isStorable
        ? TensorWriteRequest(tensorIndex: index, encoding: encoding) : nil
    }
  }
}
