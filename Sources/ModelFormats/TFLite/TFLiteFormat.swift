import TensorCore

/// TensorFlow Lite / LiteRT flatbuffer models (.tflite).
public enum TFLiteFormat: ModelFormat {
  public static let kind = ModelFormatKind.tflite
  public static let fileExtensions = ["tflite"]

  /// "TFL3" at offset 4 is the schema's file identifier.
  public static func probe(head: UnsafeRawBufferPointer, path: String) -> Bool {
    guard head.count >= 8 else { return false }
    return head[4] == 0x54 && head[5] == 0x46 && head[6] == 0x4C && head[7] == 0x33
  }

  public static func open(path: String) throws(FormatError) -> Model {
    let parsed = try TFLiteFile.parse(path: path)
    var model = try TFLiteModelBuilder(file: parsed).build()
    if let context = model.formatContext as? TFLiteContext { model.graph = graph(of: parsed, tensorRefs: context.tensorRefs) }
    return model
  }
}

/// Where each model tensor lives in the TFLite file, kept in ``Model/formatContext``.
public struct TFLiteContext: Sendable {
  public var file: TFLiteFile
  /// Model tensor index → (subgraph, tensor index in that subgraph).
  public var tensorRefs: [(subgraph: Int, tensor: Int)]
}
