/// Lazy allocation of curses-style color pairs (a numbered foreground/background combination).
///
/// Pair 0 is the terminal default and never allocated. Pairs are handed out on first use up to
/// `capacity - 1`; after that `allocate` reports `.full` and the backend falls back (to fewer
/// colors, then to pair 0). Kept here, free of C, so the policy is unit-tested.
public struct ColorPairTable: Sendable {
  /// What `allocate` did.
  public enum Allocation: Hashable, Sendable {
    /// The combination already had this pair.
    case existing(Int)
    /// A new pair number the backend must now define (`init_pair`).
    case new(Int)
    /// No pair numbers are left.
    case full
  }

  struct Key: Hashable { let fg: Int; let bg: Int }

  /// How many pairs the terminal supports, pair 0 included (curses' `COLOR_PAIRS`).
  public let capacity: Int
  private var pairs: [Key: Int] = [:]
  private var next = 1

  public init(capacity: Int) {
    self.capacity = max(1, capacity)
  }

  /// The number of pairs allocated so far.
  public var count: Int { pairs.count }

  /// The pair for a foreground/background color number (-1 = terminal default).
  public mutating func allocate(fg: Int, bg: Int) -> Allocation {
    if fg == -1 && bg == -1 { return .existing(0) }
    let key = Key(fg: fg, bg: bg)
    if let pair = pairs[key] { return .existing(pair) }
    guard next < capacity else { return .full }
    let pair = next
    next += 1
    pairs[key] = pair
    return .new(pair)
  }
}
