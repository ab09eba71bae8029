import ModelFormats
import Workflows

/// Opens the input as a legacy Keras `.h5` file: libhdf5 parses the container, our wrapper walks
/// groups, attributes (model_config, layer_names, weight_names) and datasets, then the inspector runs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHDF5(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let path = writeFuzzInput(start, count, suffix: ".h5")
  fuzzInspect { () throws(FormatError) in try KerasFormat.open(path: path) }
  return 0
}
