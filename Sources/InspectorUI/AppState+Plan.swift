import ModelFormats
import QuantEngine
import TensorCore
import Workflows

extension AppState {
  /// Replaces the plan, recording the old one for undo.
  public mutating func changePlan(_ newPlan: Plan) {
    guard newPlan != plan else { return }
    undoStack.append(plan)
    if undoStack.count > 200 { undoStack.removeFirst() }
    redoStack.removeAll()
    plan = newPlan
    planChanged()
  }

  mutating func planChanged() {
    resolvePlan()
    if [.scheme, .sqnr, .size, .sensitivity, .layerSQNR].contains(sort) { rebuildVisible() }
  }

  /// The plan with `tensor` set to `scheme` (nil: keep its data as it is).
  public func plan(setting tensor: Int, to scheme: Scheme?) -> Plan {
    var result = plan
    let row = model.rows[tensor]
    result.tensors[row.name] = nil
    if let scheme {
      if result.scheme(forTensorNamed: row.name, quantizable: row.isQuantizable) != scheme { result.tensors[row.name] = scheme }
    } else if result.scheme(forTensorNamed: row.name, quantizable: row.isQuantizable) != nil {
      // A rule or the default would still apply; an exact f32 entry keeps float32 data as it is.
      result.tensors[row.name] = .f32
    }
    return result
  }

  /// Why `tensor`'s planned scheme will not be written (nil: it will, or the tensor is kept): the
  /// format cannot store it, or the tensor belongs to a group the writer re-encodes only all
  /// together and the plan leaves other members as stored.
  public func plannedRefusal(_ tensor: Int) -> String? {
    guard planned.indices.contains(tensor), model.rows.indices.contains(tensor), let scheme = planned[tensor] else { return nil }
    if let refusal = model.rows[tensor].refusals[scheme] { return refusal }
    guard let g = model.jointGroupOfRow[tensor], model.jointGroups.indices.contains(g) else { return nil }
    return model.jointGroups[g].problems(reencoded: isReencoded)[tensor]
  }

  /// Whether the plan re-encodes `tensor`: a storable scheme that is not a cast to its own type.
  func isReencoded(_ tensor: Int) -> Bool {
    guard planned.indices.contains(tensor), model.rows.indices.contains(tensor), let scheme = planned[tensor],
      model.rows[tensor].refusals[scheme] == nil
    else { return false }
    guard let dtype = DType(rawValue: model.rows[tensor].dtype) else { return true }
    return !AutoCandidates.sameAsStored(scheme, dtypeOnly: dtype)
  }

  /// The choices ←/→ cycle through for `tensor`: keep, then every scheme the format can store.
  public func schemeChoices(_ tensor: Int) -> [Scheme?] {
    [nil] + model.rows[tensor].storableSchemes.map { Optional($0) }
  }

  /// The (tensor, scheme) results the summary and the list need.
  public var neededOutcomes: Set<OutcomeKey> {
    var keys = Set<OutcomeKey>()
    for (tensor, scheme) in planned.enumerated() {
      if let scheme, plannedRefusal(tensor) == nil { keys.insert(OutcomeKey(tensor, scheme)) }
    }
    return keys
  }

  /// Effects that start the analyses the current state shows but does not have yet; marks them pending.
  public mutating func requestMissingAnalyses() -> [Effect] {
    var effects: [Effect] = []
    if let tensor = selectedTensor, stats[tensor] == nil {
      stats[tensor] = .pending
      effects.append(.computeStats(tensor))
    }
    let needed = neededOutcomes
    let (droppedStale, missing) = Self.schedule(needed, in: &outcomes, selected: selectedTensor)
    if droppedStale { effects.append(.cancelOutcomes(keeping: needed)) }
    effects += missing.map { .computeOutcome($0.tensor, $0.scheme) }
    return effects
  }

  /// The bookkeeping of the background caches: pending entries no longer `needed` are forgotten
  /// (so they are asked for again later; `droppedStale` tells the caller to cancel their jobs), and
  /// the needed keys not in the cache are marked pending and returned — the selected tensor's
  /// first, then in file order, so what is on screen fills in first.
  static func schedule<Key: TensorSchemeKey, Value>(
    _ needed: Set<Key>, in cache: inout [Key: Analysis<Value>], selected: Int?
  ) -> (droppedStale: Bool, missing: [Key]) {
    let stale = cache.filter { $0.value == .pending && !needed.contains($0.key) }.map(\.key)
    for key in stale { cache[key] = nil }
    var ordered = needed.sorted { ($0.tensor, $0.scheme.rawValue) < ($1.tensor, $1.scheme.rawValue) }
    if let selected, let first = ordered.firstIndex(where: { $0.tensor == selected }) {
      ordered.insert(ordered.remove(at: first), at: 0)
    }
    let missing = ordered.filter { cache[$0] == nil }
    for key in missing { cache[key] = .pending }
    return (!stale.isEmpty, missing)
  }
}
