import TensorCore

/// How a per-column importance vector maps onto a tensor's rows: one weight per column of the
/// last axis, either shared by every row or, for stacked expert tensors, one slice of
/// `rowLength` weights per expert, the rows split evenly among the slices (llama.cpp's
/// `imatrix + expert·ne0`).
struct ImportanceLayout {
  let rowLength: Int
  let rowsPerSlice: Int

  /// Checks `importance` against `layout`: length rowLength × k with k dividing the row count,
  /// every weight finite and ≥ 0.
  init(_ importance: UnsafeBufferPointer<Float>, layout: TensorLayout) throws(QuantError) {
    let n = importance.count, row = layout.rowLength
    guard row > 0, n > 0, n % row == 0 else {
      throw .invalidImportance("\(n) weights for rows of \(row) (need one per column, times experts)")
    }
    let slices = n / row
    guard layout.rows % slices == 0 else {
      throw .invalidImportance("\(slices) expert slices do not divide \(layout.rows) rows")
    }
    for (i, w) in importance.enumerated() where !(w >= 0 && w.isFinite) {
      throw .invalidImportance("weight \(i) is \(w) (must be finite and ≥ 0)")
    }
    rowLength = row
    rowsPerSlice = layout.rows / slices
  }

  /// Offset of row `row`'s weights in the importance vector.
  @inline(__always)
  func offset(ofRow row: Int) -> Int { row / rowsPerSlice * rowLength }
}
