import Dispatch
import TensorCore

/// Dispatch from a ggml block type to its quantizer, split across cores for big tensors.
enum BlockQuantize {
  /// Below this many blocks one thread is faster than waking others (tests lower it).
  private static let threshold = LockedValue(1 << 15)
  static var parallelThreshold: Int {
    get { threshold.value }
    set { threshold.value = max(2, newValue) }
  }

  /// Quantizes `blocks` blocks; returns the clipped-element count (Q4_0/Q5_0 only; else 0).
  @discardableResult
  static func quantize(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
    switch type {
    case .q8_0, .q4_0, .q4_1, .q5_0, .q5_1:
      return GGMLLegacyFast.quantize(type, x, blocks: blocks, into: out)
    default:
      KQuantQuantize.quantize(type, x, blocks: blocks, into: out)
      return 0
    }
  }

  /// As ``quantize(_:_:blocks:into:)`` over all cores when there is enough work. Returns false
  /// when a legacy-type kernel met a NaN/Inf (the output is then meaningless); callers that
  /// skipped the NaN/Inf pass for those types (``checksFinite(_:)``) must throw on false.
  @discardableResult
  static func quantizeParallel(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) -> Bool {
    let parts = min(blocks, ParallelSplit.parts(for: workUnits(type, blocks: blocks), threshold: parallelThreshold))
    guard parts > 1 else { return quantizeReportingFinite(type, x, blocks: blocks, into: out) }
    let (source, destination) = (Int(bitPattern: x), Int(bitPattern: out))
    let finite = LockedValue(true)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let (lo, hi) = ParallelSplit.range(part, of: parts, count: blocks)
      // Addresses cross into the workers as integers: pointers are not Sendable.
      guard let xs = UnsafePointer<Float>(bitPattern: source), let os = UnsafeMutablePointer<UInt8>(bitPattern: destination) else { return }
      if !quantizeReportingFinite(type, xs + lo * type.blockSize, blocks: hi - lo, into: os + lo * type.bytesPerBlock) {
        finite.value = false
      }
    }
    return finite.value
  }

  /// Work of `blocks` blocks in units of one legacy 32-value block: a K-quant super-block's
  /// searches cost a few hundred of those, so even a 4096×64 tensor is worth splitting (each part
  /// gets whole super-blocks, so the bytes do not depend on the split).
  static func workUnits(_ type: DType, blocks: Int) -> Int {
    let perBlock = type.blockSize == 256 ? 256 : 1
    return blocks.multipliedReportingOverflow(by: perBlock).overflow ? .max : blocks * perBlock
  }

  /// Whether quantizing `type` detects NaN/Inf itself (so a separate pass can be skipped).
  static func checksFinite(_ type: DType) -> Bool { GGMLLegacyFast.handles(type) }

  private static func quantizeReportingFinite(_ type: DType, _ x: UnsafePointer<Float>, blocks: Int, into out: UnsafeMutablePointer<UInt8>) -> Bool {
    guard GGMLLegacyFast.handles(type) else {
      quantize(type, x, blocks: blocks, into: out)
      return true
    }
    return GGMLLegacyFast.quantizeChecked(type, x, blocks: blocks, into: out).finite
  }
}

/// Even splits of work across the machine's cores.
enum ParallelSplit {
  static func parts(for count: Int, threshold: Int) -> Int {
    guard count >= threshold else { return 1 }
    return max(1, min(ProcessInfoCores.count, count / (threshold / 2)))
  }

  static func range(_ part: Int, of parts: Int, count: Int) -> (Int, Int) {
    (count * part / parts, count * (part + 1) / parts)
  }
}
