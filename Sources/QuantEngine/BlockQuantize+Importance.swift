import Dispatch
import TensorCore

/// Importance-weighted block quantization, row by row (the legacy types need the row's mean
/// square; K-quants take the row's column weights block by block).
extension BlockQuantize {
  /// True when ggml's quantizer for `type` uses an importance matrix (Q8_0 and the float-like
  /// types ignore it).
  static func usesImportance(_ type: DType) -> Bool {
    switch type {
    case .q4_0, .q4_1, .q5_0, .q5_1, .q2_k, .q3_k, .q4_k, .q5_k, .q6_k: return true
    default: return false
    }
  }

  /// Quantizes rows `first..<first+count` of a tensor into `out` (which points at row `first`).
  static func quantizeRows(
    _ type: DType, _ x: UnsafePointer<Float>, first: Int, count: Int, importance: UnsafePointer<Float>,
    layout: ImportanceLayout, into out: UnsafeMutablePointer<UInt8>
  ) {
    let rowLength = layout.rowLength
    let blocksPerRow = rowLength / type.blockSize, rowBytes = blocksPerRow * type.bytesPerBlock
    KQuantQuantize.Scratch.with { scratch in
      for r in 0..<count {
        let row = first + r
        let src = x + r * rowLength, dst = out + r * rowBytes
        let qw = importance + layout.offset(ofRow: row)
        if type.blockSize == 256 {
          for b in 0..<blocksPerRow {
            KQuantQuantize.quantizeWeighted(type, src + 256 * b, importance: qw + 256 * b, dst + b * type.bytesPerBlock, scratch)
          }
        } else {
          GGMLLegacyWeighted.quantizeRow(type, src, rowLength: rowLength, importance: qw, into: dst, scratch)
        }
      }
    }
  }

  /// All rows, split across cores by rows when there is enough work.
  static func quantizeWeightedParallel(
    _ type: DType, _ x: UnsafePointer<Float>, rows: Int, importance: UnsafePointer<Float>, layout: ImportanceLayout,
    into out: UnsafeMutablePointer<UInt8>
  ) {
    let blocks = rows * (layout.rowLength / type.blockSize)
    // The weighted searches cost tens of times the plain rule, so fewer blocks justify threads.
    let parts = min(rows, ParallelSplit.parts(for: blocks * 16, threshold: parallelThreshold))
    let rowBytes = layout.rowLength / type.blockSize * type.bytesPerBlock
    guard parts > 1 else {
      quantizeRows(type, x, first: 0, count: rows, importance: importance, layout: layout, into: out)
      return
    }
    let (source, weights, destination) = (Int(bitPattern: x), Int(bitPattern: importance), Int(bitPattern: out))
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let (lo, hi) = ParallelSplit.range(part, of: parts, count: rows)
      guard let xs = UnsafePointer<Float>(bitPattern: source), let qw = UnsafePointer<Float>(bitPattern: weights),
        let os = UnsafeMutablePointer<UInt8>(bitPattern: destination)
      else { return }
      quantizeRows(
        type, xs + lo * layout.rowLength, first: lo, count: hi - lo, importance: qw, layout: layout,
        into: os + lo * rowBytes)
    }
  }
}
