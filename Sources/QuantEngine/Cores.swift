import Foundation

/// How many threads the engine may use inside one call (ggml quantize and evaluate split big
/// tensors across cores). Defaults to the active processor count; set 1 to keep every call on
/// the calling thread (benchmarks, callers that already parallelise across tensors).
public enum EngineThreads {
  private static let storage = LockedValue(max(1, ProcessInfo.processInfo.activeProcessorCount))

  public static var limit: Int {
    get { storage.value }
    set { storage.value = max(1, newValue) }
  }
}

/// Active processor count as the engine may use it.
enum ProcessInfoCores {
  static var count: Int { EngineThreads.limit }
}

/// A value behind a lock.
final class LockedValue<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: T
  init(_ value: T) { stored = value }
  var value: T {
    get { lock.lock(); defer { lock.unlock() }; return stored }
    set { lock.lock(); stored = newValue; lock.unlock() }
  }
}

/// A mutex for the few places where workers hand results back.
final class NSLockLike: @unchecked Sendable {
  private let lock = NSLock()
  func withLock<T>(_ body: () -> T) -> T {
    lock.lock(); defer { lock.unlock() }
    return body()
  }
}
