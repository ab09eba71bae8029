/// Tensors a format's writer re-encodes only all together, such as the weight matrices of a
/// TFLite LSTM, whose kernel runs float or hybrid for the whole op. A plan that re-encodes some
/// members but not all keeps those members as stored, and every consumer of the plan (dry-run,
/// the inspector, the live evaluation and the writer) must say so alike.
public struct JointTensorGroup: Sendable, Equatable {
  /// Names the group in messages, e.g. the layer "UNIDIRECTIONAL_SEQUENCE_LSTM #0".
  public var name: String
  /// Model tensor indices of the members.
  public var members: [Int]
  /// What the members accept together, e.g. "int8-tensor".
  public var accepted: String
  /// Members that are not model tensors (a weight computed in the graph): no plan can re-encode
  /// them, so the group can never be complete.
  public var unplannable: Int

  public init(name: String, members: [Int], accepted: String, unplannable: Int = 0) {
    self.name = name; self.members = members; self.accepted = accepted; self.unplannable = unplannable
  }

  /// Why each re-encoded member of a partly re-encoded group stays as stored (empty when the
  /// plan re-encodes none or all of the members).
  public func problems(reencoded: (Int) -> Bool) -> [Int: String] {
    // A member listed twice counts once (a mapping onto another model's tensors may repeat one).
    var seen: Set<Int> = []
    let distinct = members.filter { seen.insert($0).inserted }
    let chosen = distinct.filter(reencoded)
    let total = distinct.count + unplannable
    guard !chosen.isEmpty, chosen.count < total else { return [:] }
    let reason = "\(name)'s \(total) weights are quantized together and the plan re-encodes \(chosen.count); "
      + "choose \(accepted) for all \(total) or for none"
    return Dictionary(uniqueKeysWithValues: chosen.map { ($0, reason) })
  }

  /// The problems of all `groups` under one plan.
  public static func problems(_ groups: [JointTensorGroup], reencoded: (Int) -> Bool) -> [Int: String] {
    var result: [Int: String] = [:]
    for group in groups { result.merge(group.problems(reencoded: reencoded)) { first, _ in first } }
    return result
  }
}
