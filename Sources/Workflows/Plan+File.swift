import Foundation
import QuantEngine
import TensorCore

extension Plan {
  /// Parses a plan file's JSON; every problem is reported with the file name.
  public static func decode(_ data: Data, file: String) throws(WorkflowError) -> Plan {
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: data) } catch {
      throw .badPlan(file: file, reason: "not valid JSON")
    }
    guard let root = object as? [String: Any] else { throw .badPlan(file: file, reason: "the top level must be an object") }
    for key in root.keys where !["version", "default", "rules", "tensors"].contains(key) {
      throw .badPlan(file: file, reason: "unknown key '\(key)'")
    }
    var plan = Plan()
    if let version = root["version"] {
      guard let number = version as? Int, number == 1 else {
        throw .badPlan(file: file, reason: "unsupported version \(version) (expected 1)")
      }
      plan.version = number
    }
    if let value = root["default"], !(value is NSNull) {
      plan.defaultScheme = try scheme(value, file: file, at: "default")
    }
    if let rules = root["rules"] {
      guard let list = rules as? [Any] else { throw .badPlan(file: file, reason: "'rules' must be an array") }
      for (i, item) in list.enumerated() {
        guard let rule = item as? [String: Any], let pattern = rule["pattern"] as? String, let value = rule["scheme"] else {
          throw .badPlan(file: file, reason: "rules[\(i)] needs a string 'pattern' and a 'scheme'")
        }
        plan.rules.append(Rule(pattern: pattern, scheme: try scheme(value, file: file, at: "rules[\(i)]")))
      }
    }
    if let tensors = root["tensors"] {
      guard let map = tensors as? [String: Any] else { throw .badPlan(file: file, reason: "'tensors' must be an object") }
      for (name, value) in map { plan.tensors[name] = try scheme(value, file: file, at: "tensors['\(name)']") }
    }
    try plan.validatePatterns(file: file)
    return plan
  }

  private static func scheme(_ value: Any, file: String, at place: String) throws(WorkflowError) -> Scheme {
    guard let name = value as? String else { throw .badPlan(file: file, reason: "\(place) must be a scheme name") }
    guard let scheme = Scheme(rawValue: name.lowercased()) else {
      throw .badPlan(file: file, reason: "\(place): unknown scheme '\(name)'")
    }
    return scheme
  }

  /// Reads a plan file.
  public static func load(path: String) throws(WorkflowError) -> Plan {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .file(.cannotOpen(path: path, reason: "cannot read the file"))
    }
    return try decode(data, file: path)
  }

  /// The plan as JSON text, keys in a stable order so plans diff well.
  public func encoded() -> String {
    func quote(_ s: String) -> String {
      let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
      let text = String(decoding: data, as: UTF8.self)
      return String(text.dropFirst().dropLast())
    }
    var lines = ["{", "  \"version\": \(version),"]
    lines.append("  \"default\": " + (defaultScheme.map { quote($0.rawValue) } ?? "null") + ",")
    let ruleLines = rules.map { "    { \"pattern\": \(quote($0.pattern)), \"scheme\": \(quote($0.scheme.rawValue)) }" }
    lines.append(ruleLines.isEmpty ? "  \"rules\": []," : "  \"rules\": [\n" + ruleLines.joined(separator: ",\n") + "\n  ],")
    let tensorLines = tensors.keys.sorted().map { "    \(quote($0)): \(quote(tensors[$0]?.rawValue ?? ""))" }
    lines.append(tensorLines.isEmpty ? "  \"tensors\": {}" : "  \"tensors\": {\n" + tensorLines.joined(separator: ",\n") + "\n  }")
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes the plan atomically (temp file, fsync, rename).
  public func save(path: String, overwrite: Bool = true) throws(WorkflowError) {
    do {
      let writer = try AtomicFileWriter(destination: path, overwrite: overwrite)
      try writer.write(Array(encoded().utf8))
      try writer.finishWriting()
      guard let data = FileManager.default.contents(atPath: writer.temporaryPath),
        (try? Plan.decode(data, file: path)) == self
      else {
        writer.abort()
        throw FileError.verificationFailed(path: path, reason: "plan did not read back identically")
      }
      try writer.commit()
    } catch let error as FileError {
      throw .file(error)
    } catch {
      throw .file(.cannotWrite(path: path, reason: "\(error)"))
    }
  }
}
