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
    try converted(model).bytes
  }

  /// The .tflite bytes and, per file tensor index, the Keras variable that tensor holds.
  static func converted(_ model: Model) throws(FormatError) -> (bytes: [UInt8], sources: [Int: String]) {
    guard model.format == .keras else {
      throw .unsupported(file: model.path, what: "conversion to TFLite", reason: "the model is \(model.format.rawValue), not Keras")
    }
    var converter = KerasTFLiteConverter(model: model)
    let graph = try converter.run()
    do {
      return (try graph.serialize(description: "QuantScope Keras converter"), graph.exportedSources())
    } catch {
      throw .unsupported(file: model.path, what: "TFLite model", reason: "building the FlatBuffer failed: \(error.description)")
    }
  }

  /// The converted model opened as TFLite, backed by memory (nothing is written). `name` stands for
  /// the model's path in messages and in the writer's input/output check.
  /// Weights carry their Keras names ("fc1/kernel") rather than the converter-style names written
  /// in the file, so plans, `--tensor-type` patterns and the TUI's choices made on the Keras model
  /// apply unchanged.
  public static func convertedModel(_ model: Model, name: String? = nil) throws(FormatError) -> Model {
    let (bytes, sources) = try converted(model)
    let label = name ?? model.path
    let file = MappedFile(bytes: bytes, name: label)
    let parsed = try TFLiteFile.parse(file: file, path: label)
    var converted = try TFLiteModelBuilder(file: parsed).build()
    if let context = converted.formatContext as? TFLiteContext {
      for (i, ref) in context.tensorRefs.enumerated() where ref.0 == 0 && i < converted.tensors.count {
        if let source = sources[ref.1] { converted.tensors[i].name = source }
      }
    }
    converted.notes.insert("converted from Keras (\(model.path)) in memory; float TFLite size \(bytes.count) bytes", at: 0)
    return converted
  }
}
