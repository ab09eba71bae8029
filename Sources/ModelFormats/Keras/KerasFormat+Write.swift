import TensorCore

extension KerasFormat {
  public static func canStore(_ encoding: QuantEncoding, tensor: ModelTensor, in model: Model) -> StoreDecision {
    .notStorable(reason: "the Keras writer is not available yet")
  }

  public static func write(
    _ model: Model, requests: [TensorWriteRequest], provider: QuantizedDataProvider, to path: String,
    options: WriteOptions
  ) throws(FormatError) -> [String] {
    throw .unsupported(file: model.path, what: "Keras output", reason: "the Keras writer is not available yet")
  }
}
