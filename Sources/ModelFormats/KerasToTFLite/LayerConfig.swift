import TensorCore

/// Typed reads of one Keras layer's `config` object.
struct LayerConfig {
  let json: KerasJSON

  func string(_ key: String) -> String? { json[key]?.stringValue }
  func bool(_ key: String) -> Bool? { json[key]?.boolValue }
  func int(_ key: String) -> Int? { json[key]?.intValue }
  func isNull(_ key: String) -> Bool { json[key] == nil || json[key] == .null }

  func double(_ key: String) -> Double? { LayerConfig.double(json[key]) }

  static func double(_ value: KerasJSON?) -> Double? {
    guard case let .number(text)? = value else { return nil }
    return Double(text)
  }

  /// An int or a list of ints (`kernel_size: 3` or `[3, 3]`), expanded to `count` entries.
  func ints(_ key: String, count: Int) -> [Int]? {
    guard let value = json[key] else { return nil }
    if let single = value.intValue { return [Int](repeating: single, count: count) }
    guard let items = value.arrayValue else { return nil }
    let values = items.compactMap(\.intValue)
    guard values.count == items.count else { return nil }
    if values.count == 1 { return [Int](repeating: values[0], count: count) }
    return values.count == count ? values : nil
  }

  /// A list of numbers, or one number as a one-element list.
  func doubles(_ key: String) -> [Double]? {
    guard let value = json[key] else { return nil }
    if let single = LayerConfig.double(value) { return [single] }
    guard let items = value.arrayValue else { return nil }
    let values = items.compactMap { LayerConfig.double($0) }
    return values.count == items.count ? values : nil
  }

  /// The activation name of `activation=` (a string, or Keras 3's serialized function object).
  func activation(_ key: String = "activation") -> String? {
    guard let value = json[key], value != .null else { return nil }
    if let name = value.stringValue { return name }
    if let name = value["config"]?.stringValue { return name }
    return value["config"]?["name"]?.stringValue ?? value["class_name"]?.stringValue
  }
}
