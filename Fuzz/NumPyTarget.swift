import Evaluation

/// Parses the input in memory both as a .npy array and as a .npz archive (evaluation data files).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumPy(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: start, count: count)
  _ = try? NumPyArray.parse(bytes, file: "fuzz.npy")
  _ = try? NumPyArchive.parse(bytes, file: "fuzz.npz")
  return 0
}
