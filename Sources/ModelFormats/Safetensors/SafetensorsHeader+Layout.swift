import TensorCore

extension SafetensorsFormat.Header {
  /// Checks the data placement exactly as the reference reader does: after sorting by offset the
  /// tensors must tile the data buffer from 0 with no gap or overlap, each must span exactly its
  /// elements × dtype size, and the last must end at the end of the file.
  func validateLayout(fileSize: Int, path: String) throws(FormatError) {
    let dataBytes = fileSize - dataStart
    // Sorting by (begin, end) keeps empty tensors before a non-empty one that starts at the same
    // offset, which is what makes [x, x] ranges acceptable anywhere.
    let sorted = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
    var expectedBegin = 0
    for entry in sorted {
      let fileOffset = Checked.add(dataStart, entry.begin)
      func bad(_ reason: String) -> FormatError {
        .badTensor(file: path, tensor: entry.name, offset: fileOffset ?? entry.headerOffset, reason: reason)
      }
      guard entry.end >= entry.begin else {
        throw bad("invalid data_offsets [\(entry.begin), \(entry.end)]: end is before begin")
      }
      if entry.begin > expectedBegin {
        throw bad("invalid offset: data begins at \(entry.begin) but the previous tensor ends at \(expectedBegin) (a gap of \(entry.begin - expectedBegin) bytes)")
      }
      if entry.begin < expectedBegin {
        throw bad("invalid offset: data begins at \(entry.begin), overlapping the previous tensor which ends at \(expectedBegin)")
      }
      guard let elements = Shape.elementCount(entry.shape), let needed = entry.dtype.byteCount(elements: elements) else {
        throw bad("shape \(entry.shape) has too many elements (the size overflows)")
      }
      let span = entry.end - entry.begin
      guard span == needed else {
        throw bad("data_offsets span \(span) bytes but \(entry.dtype.rawValue) \(Shape.describe(entry.shape)) needs \(needed) (TensorInvalidInfo)")
      }
      expectedBegin = entry.end
    }
    if expectedBegin > dataBytes {
      let last = sorted.last?.name ?? "?"
      throw .truncated(
        file: path, what: "data of tensor '\(last)'", offset: dataStart, needed: expectedBegin, available: dataBytes)
    }
    if expectedBegin < dataBytes {
      throw .invalid(
        file: path, what: "safetensors data", offset: dataStart + expectedBegin,
        reason: "file not fully covered: \(dataBytes - expectedBegin) bytes after the last tensor belong to no tensor")
    }
  }
}
