import TensorCore

/// Minimal JSON text building with a stable key order (JSONSerialization sorts or scrambles keys,
/// and our output keys are a documented contract).
public enum JSONText {
  public static func string(_ s: String) -> String { JSONQuoting.quoted(s) }

  /// A finite number as JSON; NaN and ±inf become null (JSON has no spelling for them).
  public static func number(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  public static func number(_ value: Float) -> String {
    guard value.isFinite else { return "null" }
    if value == value.rounded(), abs(value) < 1e7 { return String(Int64(value)) }
    return "\(value)"
  }

  public static func object(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
  }

  public static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}
