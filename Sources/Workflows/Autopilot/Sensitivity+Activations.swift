extension Sensitivity.Options {
  /// Weights every tensor's error by its per-input-channel activation statistics (as an imatrix
  /// would): Σ_j ⟨a_j²⟩ Σ_i (w_ij − ŵ_ij)², so errors on channels the data drives hard count more.
  public mutating func weight(by activations: [String: ActivationImportance]) {
    for (name, stats) in activations {
      importance[name] = stats.values
      importanceAxes[name] = stats.axis
    }
  }
}

extension Sensitivity {
  /// Where the autopilot's errors come from, as `qscope auto --sensitivity` names them.
  public enum Source: String, Sendable, CaseIterable {
    /// measured with --data, weighted with --imatrix or data beside the model, else proxy.
    case auto
    /// Output KL divergence with one tensor quantized at a time (needs data).
    case measured
    /// Weight noise weighted by an imatrix (--imatrix) or per-channel ⟨a²⟩ from the data.
    case weighted
    /// Weight noise Σ(x − x̂)², data-free.
    case proxy
  }
}
