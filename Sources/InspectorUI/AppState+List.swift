import Foundation
import QuantEngine
import TUIKit
import Workflows

extension AppState {
  /// Rebuilds `visible` after a change of filter, sort, folds or plan, keeping the cursor on the
  /// same row when it is still shown.
  public mutating func rebuildVisible() {
    let previous = selectedRow
    let matcher = FilterMatcher(filter)
    var rows: [ListRow] = []
    if sort == .file {
      for (g, group) in model.groups.enumerated() {
        let members = group.tensors.filter { matcher.matches(model.rows[$0].name) }
        guard !members.isEmpty else { continue }
        rows.append(.group(g))
        if !folded.contains(g) { rows += members.map { .tensor($0) } }
      }
    } else {
      let members = model.rows.indices.filter { matcher.matches(model.rows[$0].name) }
      rows = sorted(members).map { .tensor($0) }
    }
    visible = rows
    if let previous, let position = rows.firstIndex(of: previous) {
      cursor = position
    } else if case .tensor(let t) = previous, let position = rows.firstIndex(of: .group(model.rows[t].group)) {
      cursor = position
    } else {
      cursor = min(cursor, max(0, rows.count - 1))
    }
  }

  /// `members` in the sort's order. Stable in both directions: ties keep the file's order, and
  /// tensors without a value yet (pending, kept, no data) come after every number.
  func sorted(_ members: [Int]) -> [Int] {
    func less(_ a: Int, _ b: Int) -> Bool {
      let ra = model.rows[a], rb = model.rows[b]
      switch sort {
      case .file: return a < b
      case .name: return ra.name < rb.name
      case .op: return (ra.op ?? "") < (rb.op ?? "")
      case .shape: return ra.shape.lexicographicallyPrecedes(rb.shape)
      case .dtype: return ra.dtype < rb.dtype
      case .params: return ra.elements < rb.elements
      case .scheme: return (planned[a]?.rawValue ?? "") < (planned[b]?.rawValue ?? "")
      case .size: return plannedBytes(a) < plannedBytes(b)
      case .sqnr, .layerSQNR, .sensitivity, .importance: return false
      }
    }
    let numeric: Bool = [.sqnr, .layerSQNR, .sensitivity, .importance].contains(sort)
    let keys: [Int: Double] = numeric ? Dictionary(uniqueKeysWithValues: members.compactMap { m in numericKey(m).map { (m, $0) } }) : [:]
    let descending = sortDescending
    return members.sorted { a, b in
      if numeric {
        switch (keys[a], keys[b]) {
        case let (x?, y?) where x != y: return descending ? x > y : x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a < b
        }
      }
      if less(a, b) { return !descending }
      if less(b, a) { return descending }
      return a < b
    }
  }

  /// SQNR for sorting: unknown values sort after every number.
  func sqnrKey(_ tensor: Int) -> Double {
    plannedOutcome(tensor)?.value?.metrics.sqnrDB ?? .infinity
  }

  /// The bytes a tensor takes under the plan.
  public func plannedBytes(_ tensor: Int) -> Int {
    let row = model.rows[tensor]
    guard let scheme = planned[tensor], plannedRefusal(tensor) == nil, let bytes = row.storedBytes[scheme] else { return row.bytes }
    return bytes
  }

  /// Moves the cursor by `delta` rows, clamped.
  public mutating func moveCursor(by delta: Int) {
    guard !visible.isEmpty else { cursor = 0; return }
    cursor = min(max(0, cursor + delta), visible.count - 1)
    detailScroll = 0
  }

  /// Puts the cursor on `tensor`, unfolding its group and clearing a filter that hides it.
  public mutating func select(tensor: Int) {
    guard model.rows.indices.contains(tensor) else { return }
    folded.remove(model.rows[tensor].group)
    if !FilterMatcher(filter).matches(model.rows[tensor].name) { filter = "" }
    rebuildVisible()
    if let position = visible.firstIndex(of: .tensor(tensor)) { cursor = position }
  }

  /// Rows of the list that fit in the list pane (for paging).
  public var listPageSize: Int { max(1, ScreenLayout(size: size, focus: focus).listBody.height - 1) }
}

/// A name filter: a case-insensitive regular expression, or a plain substring when the text is
/// not a valid expression.
public struct FilterMatcher {
  let text: String
  let regex: NSRegularExpression?

  public init(_ text: String) {
    self.text = text
    regex = text.isEmpty ? nil : try? NSRegularExpression(pattern: text, options: [.caseInsensitive])
  }

  public var isValid: Bool { text.isEmpty || regex != nil }

  public func matches(_ name: String) -> Bool {
    guard !text.isEmpty else { return true }
    guard let regex else { return name.localizedCaseInsensitiveContains(text) }
    return regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
  }
}
