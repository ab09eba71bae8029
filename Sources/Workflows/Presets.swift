import ModelFormats
import TensorCore

/// Named presets that reproduce a reference tool's choices tensor for tensor.
public enum Presets {
  /// A preset: which formats it applies to and how it picks each tensor's encoding.
  struct Entry: Sendable {
    var name: String
    var formats: Set<ModelFormatKind>
    var summary: String
    var requests: @Sendable (Model) -> [TensorWriteRequest]
  }

  static let entries: [Entry] = [
    Entry(
      name: "tflite-default", formats: [.tflite],
      summary: "the TFLite converter's Optimize.DEFAULT (dynamic-range int8 weights)",
      requests: TFLitePresets.dynamicRange),
    Entry(
      name: "tflite-float16", formats: [.tflite],
      summary: "the TFLite converter's float16 mode (every float constant to FLOAT16)",
      requests: TFLitePresets.float16),
  ]

  public static var names: [String] { entries.map(\.name) }

  /// Presets that apply to a format, with one-line summaries (for help and the TUI).
  public static func available(for format: ModelFormatKind) -> [(name: String, summary: String)] {
    entries.filter { $0.formats.contains(format) }.map { ($0.name, $0.summary) }
  }

  /// The writer requests of preset `name` for `model`.
  public static func requests(_ name: String, model: Model) throws(WorkflowError) -> [TensorWriteRequest] {
    let known = available(for: model.format).map(\.name)
    guard let entry = entries.first(where: { $0.name == name.lowercased() }), entry.formats.contains(model.format) else {
      throw .unknownPreset(name: name, format: model.format.rawValue, known: known)
    }
    return entry.requests(model)
  }
}
