import Dispatch

/// Runs independent pieces of one tensor on several threads (up to ``EngineThreads/limit``).
enum ParallelRuns {
  /// Elements below which a linear-scheme tensor stays on the calling thread (tests lower it).
  private static let threshold = LockedValue(1 << 20)
  static var linearThreshold: Int {
    get { threshold.value }
    set { threshold.value = max(2, newValue) }
  }

  /// `body(part)` for every part, results in part order. `body` must not touch shared state.
  static func map<T>(_ parts: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let slots = LockedValue([T?](repeating: nil, count: parts))
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let value = body(part)
      var current = slots.value
      current[part] = value
      slots.value = current
    }
    return slots.value.compactMap { $0 }
  }
}

/// Raw addresses that can cross into worker closures (pointers are not Sendable). The caller
/// keeps the memory alive for the duration of the parallel run.
struct Addresses: Sendable {
  let x: Int
  let q: Int?
  let xhat: Int?

  init(_ x: UnsafePointer<Float>, _ q: UnsafeMutablePointer<Int8>?, _ xhat: UnsafeMutablePointer<Float>?) {
    self.x = Int(bitPattern: x)
    self.q = q.map { Int(bitPattern: $0) }
    self.xhat = xhat.map { Int(bitPattern: $0) }
  }

  var input: UnsafePointer<Float>? { UnsafePointer(bitPattern: x) }
  var integers: UnsafeMutablePointer<Int8>? { q.flatMap { UnsafeMutablePointer(bitPattern: $0) } }
  var reconstruction: UnsafeMutablePointer<Float>? { xhat.flatMap { UnsafeMutablePointer(bitPattern: $0) } }
}
