import Foundation

typealias KerasJSON = SafetensorsFormat.JSON

/// One layer of a Keras model as config.json (or a legacy file's model_config) describes it,
/// with nested models flattened into path names.
struct KerasLayerSpec: Sendable {
  /// Display path: the layer name, prefixed by enclosing model names ("encoder/dense_1").
  var path: String
  var name: String
  var className: String
  /// The layer's `config` object.
  var config: KerasJSON
  /// Indices leading to the layer entry through nested `layers` lists, for rewriting it.
  var indexPath: [Int]
  /// Path of the layer's HDF5 group in a Keras 3 weights file, derived the way Keras names it
  /// (snake-case class name plus a per-container counter); the reader confirms it by `name` attribute.
  var counterGroup: String?
  /// Names of container groups the layer sits in, innermost last (for the `name`-attribute lookup).
  var containerGroup: String
}

/// The model-level facts of config.json.
struct KerasModelConfig: Sendable {
  var root: KerasJSON
  var className: String
  var name: String
  var layers: [KerasLayerSpec]

  static let modelClasses: Set<String> = ["Sequential", "Functional", "Model"]

  /// Parses config.json (or a legacy `model_config`). `text` names the source for messages.
  static func parse(_ bytes: [UInt8], file: String, source: String) throws(FormatError) -> KerasModelConfig {
    let root: KerasJSON
    do { root = try KerasJSON.parse(bytes) } catch {
      throw .invalid(file: file, what: source, offset: error.offset, reason: error.reason)
    }
    guard case .object = root, let className = root["class_name"]?.stringValue else {
      throw .invalid(file: file, what: source, offset: nil, reason: "expected an object with a 'class_name'")
    }
    let name = root["config"]?["name"]?.stringValue ?? root["name"]?.stringValue ?? "model"
    var layers: [KerasLayerSpec] = []
    flatten(root, prefix: "", container: "", indexPath: [], into: &layers)
    return KerasModelConfig(root: root, className: className, name: name, layers: layers)
  }

  /// The `layers` list of a model entry: `config.layers`, or (Keras 2.0 Sequential) `config` itself.
  static func layerList(_ model: KerasJSON) -> [KerasJSON]? {
    if case let .array(items)? = model["config"]?["layers"] { return items }
    if case let .array(items)? = model["config"] { return items }
    return nil
  }

  static func flatten(_ model: KerasJSON, prefix: String, container: String, indexPath: [Int], into out: inout [KerasLayerSpec]) {
    guard let entries = layerList(model) else { return }
    let sequential = model["class_name"]?.stringValue == "Sequential"
    var counters: [String: Int] = [:]
    let layersGroup = container.isEmpty ? "layers" : container + "/layers"
    for (index, entry) in entries.enumerated() {
      let className = entry["class_name"]?.stringValue ?? "?"
      let config = entry["config"] ?? .null
      let name = config["name"]?.stringValue ?? entry["name"]?.stringValue ?? "\(snakeCase(className))_\(index)"
      // Sequential's model.layers leaves out the InputLayer, so it owns no group and takes no counter.
      if sequential && className == "InputLayer" { continue }
      let snake = snakeCase(className)
      let count = counters[snake, default: 0]
      counters[snake] = count + 1
      let group = layersGroup + "/" + (count == 0 ? snake : "\(snake)_\(count)")
      let path = prefix + name
      if layerList(entry) != nil {
        flatten(entry, prefix: path + "/", container: group, indexPath: indexPath + [index], into: &out)
        continue
      }
      out.append(KerasLayerSpec(path: path, name: name, className: className, config: config,
                                indexPath: indexPath + [index], counterGroup: group, containerGroup: layersGroup))
    }
  }

  /// Keras' `to_snake_case`: drop non-word characters, split before capitalised words and at
  /// lower→upper steps, lower-case ("DepthwiseConv2D" → "depthwise_conv2d", "ReLU" → "re_lu").
  static func snakeCase(_ name: String) -> String {
    var text = name.replacingOccurrences(of: "[^A-Za-z0-9_]+", with: "", options: .regularExpression)
    text = text.replacingOccurrences(of: "(.)([A-Z][a-z]+)", with: "$1_$2", options: .regularExpression)
    text = text.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression)
    return text.lowercased()
  }
}

extension KerasJSON {
  var intValue: Int? {
    guard case let .number(text) = self else { return nil }
    return Int(text)
  }
  var boolValue: Bool? {
    guard case let .bool(value) = self else { return nil }
    return value
  }
  var arrayValue: [KerasJSON]? {
    guard case let .array(items) = self else { return nil }
    return items
  }
  /// Short text for display: numbers, strings, lists of numbers ("3x3").
  var displayText: String? {
    switch self {
    case let .number(text): return text
    case let .string(text): return text
    case let .bool(value): return value ? "true" : "false"
    case let .array(items):
      let parts = items.compactMap { $0.displayText }
      return parts.count == items.count ? parts.joined(separator: "x") : nil
    default: return nil
    }
  }
}
