import ModelFormats
import Workflows

/// Parses the input in memory, then opens it as a .gguf file and inspects it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  _ = try? GGUFParser.parse(UnsafeRawBufferPointer(start: start, count: count), file: "fuzz.gguf")
  let path = writeFuzzInput(start, count, suffix: ".gguf")
  fuzzInspect { () throws(FormatError) in try GGUFFormat.open(path: path) }
  return 0
}
