import ModelFormats
import TensorCore

/// Opens a model file with the format that recognizes it.
public enum ModelOpener {
  public static func open(path: String) throws(WorkflowError) -> (model: Model, format: any ModelFormat.Type) {
    do {
      let format = try FormatRegistry.detect(path: path)
      return (try format.open(path: path), format)
    } catch {
      throw .format(error)
    }
  }
}
