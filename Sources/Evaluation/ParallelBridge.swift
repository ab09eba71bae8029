import Dispatch
import Foundation

/// Thin wrappers so kernels do not import Foundation themselves.
enum ProcessInfoCores {
  static let count = ProcessInfo.processInfo.activeProcessorCount
}

enum DispatchQueueBridge {
  /// Kernels hand each iteration disjoint output ranges, so sharing the body across threads is safe
  /// even though it captures raw pointers.
  private struct Body: @unchecked Sendable { let run: (Int) -> Void }

  static func concurrentPerform(_ count: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { escapable in
      let box = Body(run: escapable)
      DispatchQueue.concurrentPerform(iterations: count) { box.run($0) }
    }
  }
}
