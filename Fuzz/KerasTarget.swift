import ModelFormats
import Workflows

/// Opens the input as a `.keras` archive (our zip locator, ZIPFoundation, config.json, the HDF5
/// weights member read in place) and inspects it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeras(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let path = writeFuzzInput(start, count, suffix: ".keras")
  fuzzInspect { () throws(FormatError) in try KerasFormat.open(path: path) }
  return 0
}
