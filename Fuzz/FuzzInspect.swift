import ModelFormats
import TensorCore
import Workflows

/// Opens a model and, when that succeeds, runs the inspector over it on one thread. Errors are
/// expected; only crashes, hangs and leaks are findings.
func fuzzInspect(_ open: () throws(FormatError) -> Model) {
  guard let model = try? open() else { return }
  let options = Inspector.Options(scheme: .q8_0, bins: 8, threads: 1)
  _ = try? Inspector.inspect(model, options: options)
}
