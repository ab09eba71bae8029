import TensorCore

/// Converts Keras models (Sequential and Functional, from .keras or legacy .h5) to float TFLite
/// models in memory, with the TF converter's op choices: BatchNormalization folded into the
/// preceding convolution or dense layer, RELU/RELU6 fused, a `serving_default` signature named
/// after the Keras inputs and outputs. Quantization then runs on the result through the TFLite
/// writer, so every TFLite scheme and preset applies.
public enum KerasToTFLite {
  /// The float .tflite bytes for an opened Keras model.
  /// - Throws: one ``FormatError/unsupported(file:what:reason:)`` listing every layer that cannot be
  ///   converted (unsupported or custom class, shape that cannot be inferred, missing input shape).
  public static func convert(_ model: Model) throws(FormatError) -> [UInt8] {
    guard model.format == .keras else {
      throw .unsupported(file: model.path, what: "conversion to TFLite", reason: "the model is \(model.format.rawValue), not Keras")
    }
    var converter = KerasTFLiteConverter(model: model)
    let graph = try converter.run()
    do {
      return try graph.serialize(description: "QuantScope Keras converter")
    } catch {
      throw .unsupported(file: model.path, what: "TFLite model", reason: "building the FlatBuffer failed: \(error.description)")
    }
  }

  /// The converted model opened as TFLite, backed by memory (nothing is written). `name` stands for
  /// the model's path in messages and in the writer's input/output check.
  public static func convertedModel(_ model: Model, name: String? = nil) throws(FormatError) -> Model {
    let bytes = try convert(model)
    let label = name ?? model.path
    let file = MappedFile(bytes: bytes, name: label)
    let parsed = try TFLiteFile.parse(file: file, path: label)
    var converted = try TFLiteModelBuilder(file: parsed).build()
    converted.notes.insert("converted from Keras (\(model.path)) in memory; float TFLite size \(bytes.count) bytes", at: 0)
    return converted
  }
}
