import TensorCore

extension SensitivityTable {
  /// The table with each entry's tensor index that of the same-named tensor of `model`; entries
  /// `model` has no tensor for are dropped. Entries sharing a name (the four gate matrices a
  /// Keras LSTM kernel becomes) are one entry: sizes, signal and errors summed, the candidates
  /// all of them have.
  public func mapped(to model: Model) -> SensitivityTable {
    var result = self
    var order: [Int] = []
    var byIndex: [Int: TensorSensitivity] = [:]
    for entry in tensors {
      guard let index = model.tensorIndex(named: entry.name) else { continue }
      var copy = entry
      copy.tensorIndex = index
      if let seen = byIndex[index] {
        byIndex[index] = Self.combined(seen, copy)
      } else {
        byIndex[index] = copy
        order.append(index)
      }
    }
    result.tensors = order.compactMap { byIndex[$0] }
    return result
  }

  /// Two parts of one tensor as one entry.
  static func combined(_ a: TensorSensitivity, _ b: TensorSensitivity) -> TensorSensitivity {
    var result = a
    result.elements = a.elements + b.elements
    result.originalBytes = a.originalBytes + b.originalBytes
    result.signal = a.signal + b.signal
    result.isQuantizable = a.isQuantizable && b.isQuantizable
    result.candidates = a.candidates.compactMap { cost in
      guard let other = b.cost(of: cost.scheme) else { return nil }
      return CandidateCost(scheme: cost.scheme, bytes: cost.bytes + other.bytes, error: cost.error + other.error)
    }
    let kept = Set(result.candidates.map(\.scheme))
    var excluded = a.excluded
    for e in b.excluded where !excluded.contains(where: { $0.scheme == e.scheme }) { excluded.append(e) }
    for case let scheme? in (a.candidates + b.candidates).map(\.scheme)
    where !kept.contains(scheme) && !excluded.contains(where: { $0.scheme == scheme }) {
      excluded.append((scheme, "not storable for every part of the tensor"))
    }
    result.excluded = excluded
    return result
  }
}
