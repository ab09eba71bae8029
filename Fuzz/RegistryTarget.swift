import ModelFormats
import Workflows

/// Opens the input through format detection (magic bytes, then extension) with an unknown
/// extension, as `qscope inspect` does for any file a user names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegistry(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let path = writeFuzzInput(start, count, suffix: ".bin")
  fuzzInspect { () throws(FormatError) in try FormatRegistry.open(path: path) }
  return 0
}
