import Dispatch
import TensorCore

/// ggml schemes measured chunk by chunk: quantize a few blocks, decode them back with the same
/// decoder a reader uses, compare, and move on (all in cache). Big tensors are split across cores.
enum BlockAnalysis {
  static let blocksPerChunk = 64

  /// Sums of one run over a range of blocks.
  struct Partial {
    var sums = ErrorSums()
    var ratioTotal = 0.0
    var ratioCount = 0
  }

  static func measure(
    _ values: UnsafeBufferPointer<Float>, layout: TensorLayout, type: DType, scheme: Scheme
  ) throws(QuantError) -> (ErrorSums, Double?) {
    guard layout.rowLength % type.blockSize == 0 else {
      throw .rowNotDivisible(rowLength: layout.rowLength, blockSize: type.blockSize, scheme: scheme.rawValue)
    }
    try NonFinite.check(values)
    guard let decode = BlockDecoding.decoder(for: type) else { throw .unsupportedBlockType(type.rawValue) }
    let blocks = layout.count / type.blockSize
    guard let x = values.baseAddress, blocks > 0 else { return (ErrorSums(), 0) }
    let parts = min(blocks, ParallelSplit.parts(for: BlockQuantize.workUnits(type, blocks: blocks), threshold: BlockQuantize.parallelThreshold))
    var total = Partial()
    if parts == 1 {
      total = run(type, decode, x, blocks: blocks)
    } else {
      let results = PartialResults(count: parts)
      let address = Int(bitPattern: x)
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        let (lo, hi) = ParallelSplit.range(part, of: parts, count: blocks)
        guard let base = UnsafePointer<Float>(bitPattern: address) else { return }
        results.set(part, run(type, decode, base + lo * type.blockSize, blocks: hi - lo))
      }
      for partial in results.all {
        total.sums.merge(partial.sums)
        total.ratioTotal += partial.ratioTotal
        total.ratioCount += partial.ratioCount
      }
    }
    return (total.sums, total.ratioCount == 0 ? 0 : total.ratioTotal / Double(total.ratioCount))
  }

  static func run(_ type: DType, _ decode: BlockDecoding.Decoder, _ x: UnsafePointer<Float>, blocks: Int) -> Partial {
    var result = Partial()
    let size = type.blockSize, stride = type.bytesPerBlock
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blocksPerChunk * stride) { byteScratch in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: blocksPerChunk * size) { floatScratch in
        guard let q = byteScratch.baseAddress, let y = floatScratch.baseAddress else { return }
        var first = 0
        while first < blocks {
          let n = min(blocksPerChunk, blocks - first)
          let src = x + first * size
          result.sums.clipped += BlockQuantize.quantize(type, src, blocks: n, into: q)
          for b in 0..<n { decode(UnsafePointer(q + b * stride), y + b * size) }
          CompareKernel.accumulate(src, UnsafePointer(y), count: n * size, into: &result.sums)
          for b in 0..<n {
            let step = BlockSteps.step(type, block: UnsafePointer(q + b * stride))
            if step > 0 {
              let e2 = squaredError(src + b * size, UnsafePointer(y + b * size), size)
              result.ratioTotal += (e2 / Double(size)).squareRoot() / Double(step)
              result.ratioCount += 1
            }
          }
          first += n
        }
      }
    }
    return result
  }

  /// Σ(x−y)² of one block (32 or 256 values) in Float.
  @inline(__always)
  static func squaredError(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Double {
    var s = F8()
    var i = 0
    while i + 8 <= n {
      let e = loadF8(x, i) - loadF8(y, i)
      s += e * e
      i += 8
    }
    return Double(s.sum())
  }
}

/// Results written by concurrent workers, one slot each.
final class PartialResults: @unchecked Sendable {
  private var slots: [BlockAnalysis.Partial]
  private let lock = NSLockLike()

  init(count: Int) { slots = Array(repeating: BlockAnalysis.Partial(), count: count) }

  func set(_ index: Int, _ value: BlockAnalysis.Partial) {
    lock.withLock { slots[index] = value }
  }

  var all: [BlockAnalysis.Partial] { lock.withLock { slots } }
}
