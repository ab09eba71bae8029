import ModelFormats
import Workflows

/// Opens the input as a .safetensors file and computes statistics and q8_0 error for it, as
/// `qscope inspect --scheme q8_0` would.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let path = writeFuzzInput(start, count, suffix: ".safetensors")
  fuzzInspect { () throws(FormatError) in try SafetensorsFormat.open(path: path) }
  return 0
}
