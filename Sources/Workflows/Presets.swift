import ModelFormats
import TensorCore

/// Named presets that reproduce a reference tool's choices tensor for tensor.
public enum Presets {
  public static var names: [String] { [] }

  /// The writer requests of preset `name` for `model`.
  public static func requests(_ name: String, model: Model) throws(WorkflowError) -> [TensorWriteRequest] {
    throw .unknownPreset(name: name, format: model.format.rawValue, known: names)
  }
}
