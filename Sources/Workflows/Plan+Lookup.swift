import QuantEngine

extension Plan {
  /// The scheme for a tensor known only by name and quantizability (front ends that keep tensor
  /// rows rather than `ModelTensor`s); the same resolution as `scheme(for:)`.
  public func scheme(forTensorNamed name: String, quantizable: Bool) -> Scheme? {
    if let exact = tensors[name] { return exact }
    guard quantizable else { return nil }
    for rule in rules where Plan.matches(rule.pattern, name) { return rule.scheme }
    return defaultScheme
  }

  /// The plan file kept beside a model for crash and hang-up recovery: `MODEL.qscope-plan.json`.
  public static func recoveryPath(forModel path: String) -> String { path + ".qscope-plan.json" }
}
