import ModelFormats
import TensorCore

/// Format conversion before quantization: when the output file's extension names a different
/// format than the input's, the model is converted in memory first and the normal quantization
/// job (schemes, presets, plans) runs on the converted model.
public enum ModelConversion {
  /// Conversions QuantScope can do, source → targets.
  public static let supported: [ModelFormatKind: Set<ModelFormatKind>] = [.keras: [.tflite]]

  /// The format an output path's extension names (".tflite" → tflite), or nil when it names none.
  public static func formatKind(ofOutput path: String) -> ModelFormatKind? {
    guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
    let ext = path[path.index(after: dot)...].lowercased()
    return FormatRegistry.formats.first { $0.fileExtensions.contains(ext) }?.kind
  }

  /// The format `model` must be converted to before it can be written to `output`, or nil when
  /// the output keeps the model's format (or its extension names no format).
  public static func target(for model: Model, output: String) -> ModelFormatKind? {
    guard let kind = formatKind(ofOutput: output), kind != model.format else { return nil }
    return kind
  }

  /// Whether `model` can be converted to `target`.
  public static func canConvert(_ model: Model, to target: ModelFormatKind) -> Bool {
    supported[model.format]?.contains(target) ?? false
  }

  /// Converts `model` to `target` in memory and opens the result with that format.
  /// - Returns: the converted model and the format that writes it.
  public static func convert(_ model: Model, to target: ModelFormatKind) throws(WorkflowError) -> (model: Model, format: any ModelFormat.Type) {
    guard canConvert(model, to: target), let format = FormatRegistry.format(for: target) else {
      let known = supported[model.format].map { $0.map(\.rawValue).sorted().joined(separator: ", ") } ?? "none"
      throw .badOption("\(model.path): cannot convert \(model.format.rawValue) to \(target.rawValue) (conversions from \(model.format.rawValue): \(known)); use an output extension of the input's format")
    }
    switch (model.format, target) {
    case (.keras, .tflite):
      do { return (try KerasToTFLite.convertedModel(model), format) } catch { throw .format(error) }
    default:
      throw .badOption("\(model.path): cannot convert \(model.format.rawValue) to \(target.rawValue)")
    }
  }
}
