import ModelFormats
import Workflows

/// Opens the input as a .tflite file and inspects it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTFLite(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let path = writeFuzzInput(start, count, suffix: ".tflite")
  fuzzInspect { () throws(FormatError) in try TFLiteFormat.open(path: path) }
  return 0
}
