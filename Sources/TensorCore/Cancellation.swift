import Synchronization

/// A flag long-running work polls so a newer request or the user can stop it.
public final class CancellationToken: Sendable {
  private let flag = Atomic<Bool>(false)
  public init() {}
  public func cancel() { flag.store(true, ordering: .relaxed) }
  public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Raised by work that noticed its ``CancellationToken`` was cancelled.
public struct CancelledError: Error, Equatable, Sendable, CustomStringConvertible {
  public init() {}
  public var description: String { "cancelled" }
}

/// Progress of a long operation: how much of how much, and what is being worked on.
public struct ProgressUpdate: Sendable, Equatable {
  public var completed: Int
  public var total: Int
  public var item: String
  public init(completed: Int, total: Int, item: String) {
    self.completed = completed; self.total = total; self.item = item
  }
  public var fraction: Double { total > 0 ? min(1, Double(completed) / Double(total)) : 0 }
}
