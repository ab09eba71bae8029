#if canImport(Glibc)
  import Glibc
#endif

/// Output arrays for the quantizers, which write every byte themselves.
///
/// A zero-filled `[UInt8](repeating:count:)` of a big tensor costs a memset plus one page fault
/// per 4 KiB before the kernel writes a byte — for the fast ggml types more time than the
/// quantization. Here the array starts uninitialized and, above a few MiB, its pages are marked
/// for transparent huge pages (this machine's THP mode is `madvise`), so first-touch faults come
/// 2 MiB at a time.
enum OutputBytes {
  /// Outputs at least this big ask for huge pages.
  static let hugePageThreshold = 4 << 20

  /// An array of `count` bytes written by `fill`, which must store every byte when it returns
  /// true; on false the array is zero-filled instead.
  static func make(count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Bool) -> [UInt8] {
    guard count > 0 else { return [] }
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      guard let base = buffer.baseAddress else { initialized = 0; return }
      if count >= hugePageThreshold { adviseHugePages(base, count: count) }
      if !fill(base) { base.initialize(repeating: 0, count: count) }
      initialized = count
    }
  }

  /// madvise(MADV_HUGEPAGE) on the 2 MiB-aligned interior of the buffer (a hint: failure is
  /// harmless, the pages are then ordinary ones).
  static func adviseHugePages(_ base: UnsafeMutablePointer<UInt8>, count: Int) {
    #if os(Linux)
      let huge = 2 << 20
      let start = (Int(bitPattern: base) + huge - 1) / huge * huge
      let end = (Int(bitPattern: base) + count) / huge * huge
      guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
      _ = madvise(aligned, end - start, 14)  // MADV_HUGEPAGE
    #endif
  }
}
