import Foundation
import QuantEngine
import TensorCore

/// A per-tensor quantization plan, stored as the plan file of architecture.md.
///
/// Resolution for a tensor: its exact entry, else the first rule whose pattern matches (regex
/// search), else the default. The default and rules apply to quantizable tensors only; exact
/// entries may name any tensor.
public struct Plan: Equatable, Sendable {
  public struct Rule: Equatable, Sendable {
    public var pattern: String
    public var scheme: Scheme
    public init(pattern: String, scheme: Scheme) { self.pattern = pattern; self.scheme = scheme }
  }

  public var version: Int
  public var defaultScheme: Scheme?
  public var rules: [Rule]
  public var tensors: [String: Scheme]

  public init(version: Int = 1, defaultScheme: Scheme? = nil, rules: [Rule] = [], tensors: [String: Scheme] = [:]) {
    self.version = version; self.defaultScheme = defaultScheme; self.rules = rules; self.tensors = tensors
  }

  /// True when the plan changes nothing.
  public var isEmpty: Bool { defaultScheme == nil && rules.isEmpty && tensors.isEmpty }

  /// The scheme for `tensor`, or nil to leave it as it is.
  public func scheme(for tensor: ModelTensor) -> Scheme? {
    if let exact = tensors[tensor.name] { return exact }
    guard tensor.isQuantizable else { return nil }
    for rule in rules where Plan.matches(rule.pattern, tensor.name) { return rule.scheme }
    return defaultScheme
  }

  static func matches(_ pattern: String, _ name: String) -> Bool {
    name.range(of: pattern, options: .regularExpression) != nil
  }

  /// Checks every rule pattern compiles as a regular expression.
  public func validatePatterns(file: String) throws(WorkflowError) {
    for rule in rules {
      do { _ = try NSRegularExpression(pattern: rule.pattern) } catch {
        throw .badPlan(file: file, reason: "pattern '\(rule.pattern)' is not a valid regular expression")
      }
    }
  }
}
